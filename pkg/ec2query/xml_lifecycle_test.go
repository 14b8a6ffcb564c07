package ec2query

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestLifecycleXML checks EC2's element names of the image lifecycle,
// instance image metadata, network interface attribute and security
// groups by VPC results (botocore: EnableImageDeregistrationProtectionResult,
// InstanceImageMetadata, DescribeNetworkInterfaceAttributeResult,
// SecurityGroupReference, StaleSecurityGroup, SecurityGroupForVpc).
func TestLifecycleXML(t *testing.T) {
	at := timestamppb.New(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
	yes := true
	for _, tc := range []struct {
		name      string
		v         any
		want, not []string
	}{
		{"protection", protectionXML(&ec2labv1.ImageDeregistrationProtectionResponse{Return: "enabled-with-cooldown"}),
			[]string{"<return>enabled-with-cooldown</return>"}, nil},
		{"image deprecation", image(&ec2labv1.Image{ImageId: "ami-1", DeprecationTime: at, DeregistrationProtection: "disabled"}),
			[]string{"<deprecationTime>2030-01-02T03:04:00Z</deprecationTime><deregistrationProtection>disabled</deregistrationProtection>"}, nil},
		{"image metadata", describeInstanceImageMetadataXML(&ec2labv1.DescribeInstanceImageMetadataResponse{NextToken: "n",
			InstanceImageMetadata: []*ec2labv1.InstanceImageMetadata{{InstanceId: "i-1", InstanceType: "t3.micro", LaunchTime: at,
				AvailabilityZone: "lab-1a", ZoneId: "lab1-az1", State: &ec2labv1.InstanceState{Code: 16, Name: "running"},
				OwnerId: "111111111111", ImageMetadata: &ec2labv1.ImageMetadata{ImageId: "ami-1", Name: "img", OwnerId: "222222222222",
					State: "available", CreationDate: at, DeprecationTime: at, IsPublic: &yes, ImageAllowed: &yes}}}}),
			[]string{"<instanceImageMetadataSet><item><instanceId>i-1</instanceId><instanceType>t3.micro</instanceType><launchTime>2030-01-02T03:04:00.000Z</launchTime><availabilityZone>lab-1a</availabilityZone><zoneId>lab1-az1</zoneId><instanceState><code>16</code><name>running</name></instanceState><instanceOwnerId>111111111111</instanceOwnerId>",
				"<imageMetadata><imageId>ami-1</imageId><name>img</name><imageOwnerId>222222222222</imageOwnerId><imageState>available</imageState><creationDate>2030-01-02T03:04:00Z</creationDate><deprecationTime>2030-01-02T03:04:00Z</deprecationTime><imageAllowed>true</imageAllowed><isPublic>true</isPublic></imageMetadata>",
				"<nextToken>n</nextToken>"}, nil},
		{"interface attachment", networkInterfaceAttributeXML(&ec2labv1.DescribeNetworkInterfaceAttributeResponse{NetworkInterfaceId: "eni-1",
			Attribute: "attachment", Attachment: &ec2labv1.NetworkInterfaceAttachment{AttachmentId: "eni-attach-1", InstanceId: "i-1",
				InstanceOwnerId: "111111111111", Status: "attached", DeleteOnTermination: true, AttachTime: at}}),
			[]string{"<attachment><attachTime>2030-01-02T03:04:00.000Z</attachTime><attachmentId>eni-attach-1</attachmentId><deleteOnTermination>true</deleteOnTermination><deviceIndex>0</deviceIndex><networkCardIndex>0</networkCardIndex><instanceId>i-1</instanceId><instanceOwnerId>111111111111</instanceOwnerId><status>attached</status></attachment><networkInterfaceId>eni-1</networkInterfaceId>"},
			[]string{"groupSet", "description", "sourceDestCheck"}},
		{"interface groups", networkInterfaceAttributeXML(&ec2labv1.DescribeNetworkInterfaceAttributeResponse{NetworkInterfaceId: "eni-1",
			Attribute: "groupSet", Groups: []*ec2labv1.GroupIdentifier{{GroupId: "sg-1", GroupName: "web"}}}),
			[]string{"<groupSet><item><groupId>sg-1</groupId><groupName>web</groupName></item></groupSet>"}, []string{"attachment"}},
		{"interface check", networkInterfaceAttributeXML(&ec2labv1.DescribeNetworkInterfaceAttributeResponse{NetworkInterfaceId: "eni-1",
			Attribute: "sourceDestCheck", SourceDestCheck: &ec2labv1.AttributeBooleanValue{Value: false}}),
			[]string{"<sourceDestCheck><value>false</value></sourceDestCheck>"}, nil},
		{"interface description", networkInterfaceAttributeXML(&ec2labv1.DescribeNetworkInterfaceAttributeResponse{NetworkInterfaceId: "eni-1",
			Attribute: "description", Description: &ec2labv1.AttributeValue{Value: "primary"}}),
			[]string{"<description><value>primary</value></description>"}, nil},
		{"references", securityGroupReferencesXML(&ec2labv1.DescribeSecurityGroupReferencesResponse{}),
			[]string{"<securityGroupReferenceSet></securityGroupReferenceSet>"}, nil},
		{"stale", staleSecurityGroupsXML(&ec2labv1.DescribeStaleSecurityGroupsResponse{StaleSecurityGroupSet: []*ec2labv1.StaleSecurityGroup{{
			GroupId: "sg-1", GroupName: "web", Description: "d", VpcId: "vpc-1", StaleIpPermissions: []*ec2labv1.StaleIpPermission{{
				IpProtocol: "tcp", FromPort: 22, ToPort: 22, UserIdGroupPairs: []*ec2labv1.UserIdGroupPair{{GroupId: "sg-2"}}}}}}}),
			[]string{"<staleSecurityGroupSet><item><description>d</description><groupId>sg-1</groupId><groupName>web</groupName><staleIpPermissions><item><fromPort>22</fromPort><ipProtocol>tcp</ipProtocol><toPort>22</toPort><groups><item><groupId>sg-2</groupId></item></groups></item></staleIpPermissions><staleIpPermissionsEgress></staleIpPermissionsEgress><vpcId>vpc-1</vpcId></item></staleSecurityGroupSet>"}, nil},
		{"for vpc", securityGroupsForVpcXML(&ec2labv1.GetSecurityGroupsForVpcResponse{SecurityGroupForVpcs: []*ec2labv1.SecurityGroupForVpc{{
			GroupId: "sg-1", GroupName: "web", Description: "d", OwnerId: "111111111111", PrimaryVpcId: "vpc-1"}}}),
			[]string{"<securityGroupForVpcSet><item><description>d</description><groupName>web</groupName><ownerId>111111111111</ownerId><groupId>sg-1</groupId><tagSet></tagSet><primaryVpcId>vpc-1</primaryVpcId></item></securityGroupForVpcSet>"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := xml.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("lacks %s:\n%s", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(string(out), n) {
					t.Errorf("has %s:\n%s", n, out)
				}
			}
		})
	}
}
