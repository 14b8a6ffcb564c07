package ec2query

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Network interface, route table and network ACL answers of fakeCompute
// (testdata/netread.py asserts the same constants).

const (
	fakeENI    = "eni-0123456789abcdef0"
	fakeSubnet = "subnet-0123456789abcdef0"
	fakeVPC    = "vpc-0123456789abcdef0"
	fakeGroup  = "sg-0123456789abcdef0"
	fakeRTB    = "rtb-0123456789abcdef0"
	fakeACL    = "acl-0123456789abcdef0"
)

// cannedENI is the primary interface of cannedInstance in fakeSubnet.
func cannedENI() *ec2labv1.NetworkInterface {
	return &ec2labv1.NetworkInterface{NetworkInterfaceId: fakeENI, SubnetId: fakeSubnet, VpcId: fakeVPC,
		AvailabilityZone: fakeZone, Description: "web eni", OwnerId: fakeAccount, Status: "in-use",
		MacAddress: "02:00:0a:00:00:05", PrivateIpAddress: "10.0.0.5", PrivateDnsName: "ip-10-0-0-5.lab-1.compute.internal",
		PrivateIpAddresses: []*ec2labv1.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: "10.0.0.5",
			PrivateDnsName: "ip-10-0-0-5.lab-1.compute.internal", Primary: true}},
		Groups: []*ec2labv1.GroupIdentifier{{GroupId: fakeGroup, GroupName: "default"}},
		Attachment: &ec2labv1.NetworkInterfaceAttachment{AttachmentId: "eni-attach-0123456789abcdef0", InstanceId: fakeInstance,
			InstanceOwnerId: fakeAccount, Status: "attached", DeleteOnTermination: true, AttachTime: fakeTime},
		SourceDestCheck: true, InterfaceType: "interface", Tags: []*ec2labv1.Tag{{Key: "role", Value: "web"}}}
}

func (f *fakeCompute) DescribeNetworkInterfaces(ctx context.Context, r *ec2labv1.DescribeNetworkInterfacesRequest) (*ec2labv1.DescribeNetworkInterfacesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	for _, id := range r.GetNetworkInterfaceIds() {
		if id != fakeENI {
			return nil, ec2err.New(ec2err.InvalidNetworkInterfaceIDNotFound, "The networkInterface ID '%s' does not exist", id)
		}
	}
	if len(r.GetFilters()) > 0 && r.GetFilters()[0].GetName() == "description" {
		return &ec2labv1.DescribeNetworkInterfacesResponse{}, nil // nothing is a Lambda or ELB interface
	}
	return &ec2labv1.DescribeNetworkInterfacesResponse{NetworkInterfaces: []*ec2labv1.NetworkInterface{cannedENI()}}, nil
}

func (f *fakeCompute) DescribeRouteTables(ctx context.Context, r *ec2labv1.DescribeRouteTablesRequest) (*ec2labv1.DescribeRouteTablesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeRouteTablesResponse{RouteTables: []*ec2labv1.RouteTable{{RouteTableId: fakeRTB, VpcId: fakeVPC,
		OwnerId: fakeAccount,
		Routes:  []*ec2labv1.Route{{DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active", Origin: "CreateRouteTable"}},
		Associations: []*ec2labv1.RouteTableAssociation{{RouteTableAssociationId: "rtbassoc-0123456789abcdef0",
			RouteTableId: fakeRTB, Main: true, State: "associated"}}}}}, nil
}

func (f *fakeCompute) DescribeNetworkAcls(ctx context.Context, r *ec2labv1.DescribeNetworkAclsRequest) (*ec2labv1.DescribeNetworkAclsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	entry := func(n int32, action string, egress bool) *ec2labv1.NetworkAclEntry {
		return &ec2labv1.NetworkAclEntry{RuleNumber: n, Protocol: "-1", RuleAction: action, Egress: egress, CidrBlock: "0.0.0.0/0"}
	}
	return &ec2labv1.DescribeNetworkAclsResponse{NetworkAcls: []*ec2labv1.NetworkAcl{{NetworkAclId: fakeACL, VpcId: fakeVPC,
		OwnerId: fakeAccount, IsDefault: true,
		Entries: []*ec2labv1.NetworkAclEntry{entry(100, "allow", true), entry(32767, "deny", true),
			entry(100, "allow", false), entry(32767, "deny", false)},
		Associations: []*ec2labv1.NetworkAclAssociation{{NetworkAclAssociationId: "aclassoc-0123456789abcdef0",
			NetworkAclId: fakeACL, SubnetId: fakeSubnet}},
		Tags: []*ec2labv1.Tag{{Key: "Name", Value: "default"}}}}}, nil
}
