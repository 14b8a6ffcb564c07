package ec2query

import (
	"encoding/xml"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/auth"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestNetworkInterfaceParams decodes RunInstances' NetworkInterface.N the
// way boto3 and the AWS CLI send it (Groups travel as SecurityGroupId.N)
// and the Describe calls' IDs.
func TestNetworkInterfaceParams(t *testing.T) {
	tests := []struct {
		name, in  string
		got, want proto.Message
	}{
		{"RunInstances NetworkInterface.1 as Ansible sends it",
			"ImageId=ami-1&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId=subnet-1&NetworkInterface.1.SecurityGroupId.1=sg-1&NetworkInterface.1.SecurityGroupId.2=sg-2&NetworkInterface.1.PrivateIpAddress=10.0.1.5&NetworkInterface.1.Description=web&NetworkInterface.1.DeleteOnTermination=true&NetworkInterface.1.AssociatePublicIpAddress=false",
			&ec2labv1.RunInstancesRequest{}, &ec2labv1.RunInstancesRequest{ImageId: "ami-1",
				NetworkInterfaces: []*ec2labv1.InstanceNetworkInterfaceSpecification{{DeviceIndex: new(int32(0)), SubnetId: "subnet-1",
					Groups: []string{"sg-1", "sg-2"}, PrivateIpAddress: "10.0.1.5", Description: "web",
					DeleteOnTermination: new(true), AssociatePublicIpAddress: new(false)}}}},
		{"what ec2lab refuses is read, not dropped",
			"NetworkInterface.1.NetworkInterfaceId=eni-1&NetworkInterface.1.Ipv6AddressCount=1&NetworkInterface.1.Ipv6Addresses.1.Ipv6Address=fd00::1&NetworkInterface.1.PrivateIpAddresses.1.PrivateIpAddress=10.0.1.6&NetworkInterface.1.PrivateIpAddresses.1.Primary=true&NetworkInterface.1.SecondaryPrivateIpAddressCount=2&NetworkInterface.1.Ipv4Prefix.1.Ipv4Prefix=10.0.2.0/28&NetworkInterface.1.InterfaceType=efa&NetworkInterface.2.DeviceIndex=1",
			&ec2labv1.RunInstancesRequest{}, &ec2labv1.RunInstancesRequest{
				NetworkInterfaces: []*ec2labv1.InstanceNetworkInterfaceSpecification{{NetworkInterfaceId: "eni-1", Ipv6AddressCount: 1,
					Ipv6Addresses:                  []*ec2labv1.InstanceIpv6Address{{Ipv6Address: "fd00::1"}},
					PrivateIpAddresses:             []*ec2labv1.PrivateIpAddressSpecification{{PrivateIpAddress: "10.0.1.6", Primary: true}},
					SecondaryPrivateIpAddressCount: 2, Ipv4Prefixes: []*ec2labv1.Ipv4PrefixSpecificationRequest{{Ipv4Prefix: "10.0.2.0/28"}},
					InterfaceType: "efa"}, {DeviceIndex: new(int32(1))}}}},
		{"DescribeNetworkInterfaces", "NetworkInterfaceId.1=eni-1&Filter.1.Name=group-id&Filter.1.Value.1=sg-1",
			&ec2labv1.DescribeNetworkInterfacesRequest{}, &ec2labv1.DescribeNetworkInterfacesRequest{NetworkInterfaceIds: []string{"eni-1"},
				Filters: []*ec2labv1.Filter{{Name: "group-id", Values: []string{"sg-1"}}}}},
		{"DescribeRouteTables", "RouteTableId.1=rtb-1&MaxResults=5",
			&ec2labv1.DescribeRouteTablesRequest{}, &ec2labv1.DescribeRouteTablesRequest{RouteTableIds: []string{"rtb-1"}, MaxResults: 5}},
		{"DescribeNetworkAcls", "NetworkAclId.1=acl-1&NextToken=t",
			&ec2labv1.DescribeNetworkAclsRequest{}, &ec2labv1.DescribeNetworkAclsRequest{NetworkAclIds: []string{"acl-1"}, NextToken: "t"}},
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

// TestNetReadXML checks the element names botocore reads in the three
// answers.
func TestNetReadXML(t *testing.T) {
	f := &fakeCompute{}
	ctx := t.Context()
	enis, _ := f.DescribeNetworkInterfaces(ctx, &ec2labv1.DescribeNetworkInterfacesRequest{})
	rts, _ := f.DescribeRouteTables(ctx, &ec2labv1.DescribeRouteTablesRequest{})
	acls, _ := f.DescribeNetworkAcls(ctx, &ec2labv1.DescribeNetworkAclsRequest{})
	tests := []struct {
		b    body
		want []string
	}{
		{describeNetworkInterfacesXML(enis), []string{
			"<networkInterfaceSet><item><networkInterfaceId>eni-0123456789abcdef0</networkInterfaceId><subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId><availabilityZone>lab-1a</availabilityZone><description>web eni</description><ownerId>123456789012</ownerId><requesterManaged>false</requesterManaged><status>in-use</status>",
			"<sourceDestCheck>true</sourceDestCheck><groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>default</groupName></item></groupSet>",
			"<attachment><attachTime>2026-11-26T10:11:12.345Z</attachTime><attachmentId>eni-attach-0123456789abcdef0</attachmentId><deleteOnTermination>true</deleteOnTermination><deviceIndex>0</deviceIndex><networkCardIndex>0</networkCardIndex><instanceId>i-0123456789abcdef0</instanceId><instanceOwnerId>123456789012</instanceOwnerId><status>attached</status></attachment>",
			"<tagSet><item><key>role</key><value>web</value></item></tagSet>",
			"<interfaceType>interface</interfaceType>"}},
		{describeRouteTablesXML(rts), []string{
			"<routeTableSet><item><routeTableId>rtb-0123456789abcdef0</routeTableId><vpcId>vpc-0123456789abcdef0</vpcId><ownerId>123456789012</ownerId>",
			"<routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin></item></routeSet>",
			"<associationSet><item><routeTableAssociationId>rtbassoc-0123456789abcdef0</routeTableAssociationId><routeTableId>rtb-0123456789abcdef0</routeTableId><main>true</main><associationState><state>associated</state></associationState></item></associationSet>"}},
		{describeNetworkAclsXML(acls), []string{
			"<networkAclSet><item><networkAclId>acl-0123456789abcdef0</networkAclId><vpcId>vpc-0123456789abcdef0</vpcId><default>true</default>",
			"<entrySet><item><ruleNumber>100</ruleNumber><protocol>-1</protocol><ruleAction>allow</ruleAction><egress>true</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>",
			"<associationSet><item><networkAclAssociationId>aclassoc-0123456789abcdef0</networkAclAssociationId><networkAclId>acl-0123456789abcdef0</networkAclId><subnetId>subnet-0123456789abcdef0</subnetId></item></associationSet>",
			"<ownerId>123456789012</ownerId>"}},
	}
	for _, tt := range tests {
		out, err := xml.Marshal(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("XML lacks %s:\n%s", w, out)
			}
		}
	}
}

// TestNetReadBoto reads the three answers and launches with
// NetworkInterfaces through boto3 (every document checked against
// botocore's model); Compute must receive the interface as Ansible's
// ec2_instance sends it.
func TestNetReadBoto(t *testing.T) {
	needBoto3(t)
	f := networkedCompute{&fakeCompute{}}
	srv := httptest.NewServer(NewHandler(Options{Compute: f, Keys: auth.StaticKeys{testKey.AccessKeyID: testKey},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	if out := runClient(t, srv, "", "python3", "testdata/netread.py"); !strings.Contains(out, "NETREAD OK") {
		t.Fatalf("netread.py:\n%s", out)
	}
	run := received[*ec2labv1.RunInstancesRequest](f.fakeCompute)
	if len(run) != 1 {
		t.Fatalf("RunInstances requests: %v", run)
	}
	want := []*ec2labv1.InstanceNetworkInterfaceSpecification{{DeviceIndex: new(int32(0)), SubnetId: fakeSubnet,
		Groups: []string{fakeGroup}, PrivateIpAddress: "10.0.0.5", Description: "web eni", AssociatePublicIpAddress: new(false)}}
	got := &ec2labv1.RunInstancesRequest{NetworkInterfaces: run[0].GetNetworkInterfaces()}
	same(t, "RunInstances NetworkInterfaces", got, &ec2labv1.RunInstancesRequest{NetworkInterfaces: want})
	descs := received[*ec2labv1.DescribeNetworkInterfacesRequest](f.fakeCompute)
	if len(descs) != 3 || descs[2].GetFilters()[1].GetName() != "subnet-id" {
		t.Errorf("DescribeNetworkInterfaces requests: %v", descs)
	}
}
