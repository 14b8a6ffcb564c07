package ec2query

import (
	"encoding/xml"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestSecurityGroupParams decodes the AWS CLI's rule and group parameters.
func TestSecurityGroupParams(t *testing.T) {
	tests := []struct {
		name, in  string
		got, want proto.Message
	}{
		{"IpPermissions with ranges and groups",
			"GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.IpRanges.1.Description=lan&IpPermissions.2.IpProtocol=-1&IpPermissions.2.Groups.1.GroupId=sg-2",
			&ec2labv1.SecurityGroupRulesRequest{}, &ec2labv1.SecurityGroupRulesRequest{GroupId: "sg-1", IpPermissions: []*ec2labv1.IpPermission{
				{IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: []*ec2labv1.IpRange{{CidrIp: "10.0.0.0/8", Description: "lan"}}},
				{IpProtocol: "-1", UserIdGroupPairs: []*ec2labv1.UserIdGroupPair{{GroupId: "sg-2"}}}}}},
		{"CreateSecurityGroup's GroupDescription", "GroupName=web&GroupDescription=web+servers&VpcId=vpc-1",
			&ec2labv1.CreateSecurityGroupRequest{}, &ec2labv1.CreateSecurityGroupRequest{GroupName: "web", Description: "web servers", VpcId: "vpc-1"}},
		{"RunInstances SecurityGroupId.N", "ImageId=ami-1&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2",
			&ec2labv1.RunInstancesRequest{}, &ec2labv1.RunInstancesRequest{ImageId: "ami-1", SecurityGroupIds: []string{"sg-1", "sg-2"}}},
	}
	for _, tt := range tests {
		if err := decodeMessage(form(t, tt.in), "", tt.got.ProtoReflect()); err != nil {
			t.Errorf("%s: decode: %v", tt.name, err)
			continue
		}
		if !proto.Equal(tt.got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestSecurityGroupXML checks the element names botocore reads, and that
// the all-protocols rule carries no ports.
func TestSecurityGroupXML(t *testing.T) {
	b := describeSecurityGroupsXML(&ec2labv1.DescribeSecurityGroupsResponse{SecurityGroups: []*ec2labv1.SecurityGroup{{
		GroupId: "sg-1", GroupName: "locked", Description: "d", VpcId: "vpc-1", OwnerId: "111",
		IpPermissions: []*ec2labv1.IpPermission{{IpProtocol: "icmp", FromPort: -1, ToPort: -1,
			IpRanges: []*ec2labv1.IpRange{{CidrIp: "10.0.0.7/32"}}}},
		IpPermissionsEgress: []*ec2labv1.IpPermission{{IpProtocol: "-1", FromPort: -1, ToPort: -1,
			UserIdGroupPairs: []*ec2labv1.UserIdGroupPair{{GroupId: "sg-1"}}}},
	}}})
	out, err := xml.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"<securityGroupInfo><item><ownerId>111</ownerId><groupId>sg-1</groupId><groupName>locked</groupName><groupDescription>d</groupDescription><vpcId>vpc-1</vpcId>",
		"<ipPermissions><item><ipProtocol>icmp</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort><groups></groups><ipRanges><item><cidrIp>10.0.0.7/32</cidrIp></item></ipRanges>",
		"<ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups><item><groupId>sg-1</groupId><userId>111</userId></item></groups>"} {
		if !strings.Contains(s, want) {
			t.Errorf("XML lacks %s:\n%s", want, s)
		}
	}
}
