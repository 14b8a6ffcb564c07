package ctl

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Network interface, route table and network ACL answers of fakeCompute.

// sampleENI is the primary interface of sampleInstance id.
func sampleENI(id string) *pb.NetworkInterface {
	eni := "eni-" + id[len("i-"):]
	return &pb.NetworkInterface{NetworkInterfaceId: eni, SubnetId: "subnet-0123456789abcdef0", VpcId: "vpc-0123456789abcdef0",
		AvailabilityZone: "lab-1a", OwnerId: "000000000001", Status: "in-use", MacAddress: "02:00:0a:00:00:05",
		PrivateIpAddress: "10.0.0.5", PrivateDnsName: "ip-10-0-0-5.lab-1.compute.internal",
		PrivateIpAddresses: []*pb.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: "10.0.0.5",
			PrivateDnsName: "ip-10-0-0-5.lab-1.compute.internal", Primary: true}},
		Groups: []*pb.GroupIdentifier{{GroupId: "sg-0123456789abcdef0", GroupName: "default"}},
		Attachment: &pb.NetworkInterfaceAttachment{AttachmentId: "eni-attach-" + id[len("i-"):], InstanceId: id,
			InstanceOwnerId: "000000000001", Status: "attached", DeleteOnTermination: true, AttachTime: t0},
		SourceDestCheck: true, InterfaceType: "interface"}
}

// netReads records the last request of each Describe call.
type netReads struct {
	enis *pb.DescribeNetworkInterfacesRequest
	rtbs *pb.DescribeRouteTablesRequest
	acls *pb.DescribeNetworkAclsRequest
}

func (f *fakeCompute) DescribeNetworkInterfaces(_ context.Context, r *pb.DescribeNetworkInterfacesRequest) (*pb.DescribeNetworkInterfacesResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.net.enis = r
	var out []*pb.NetworkInterface
	for _, res := range f.reservations {
		for _, in := range res.GetInstances() {
			out = append(out, in.GetNetworkInterfaces()...)
		}
	}
	for _, id := range r.GetNetworkInterfaceIds() {
		if id == "eni-00000000000000000" {
			return nil, fakeErr(ec2err.InvalidNetworkInterfaceIDNotFound, "The networkInterface ID '%s' does not exist", id)
		}
	}
	if r.GetMaxResults() > 0 && r.GetNextToken() == "" {
		return &pb.DescribeNetworkInterfacesResponse{NetworkInterfaces: out[:1], NextToken: "page-2"}, nil
	}
	if r.GetNextToken() == "page-2" {
		out = out[1:]
	}
	return &pb.DescribeNetworkInterfacesResponse{NetworkInterfaces: out}, nil
}

func (f *fakeCompute) DescribeRouteTables(_ context.Context, r *pb.DescribeRouteTablesRequest) (*pb.DescribeRouteTablesResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.net.rtbs = r
	return &pb.DescribeRouteTablesResponse{RouteTables: []*pb.RouteTable{{RouteTableId: "rtb-0123456789abcdef0",
		VpcId: "vpc-0123456789abcdef0", OwnerId: "000000000001",
		Routes: []*pb.Route{{DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active", Origin: "CreateRouteTable"}},
		Associations: []*pb.RouteTableAssociation{{RouteTableAssociationId: "rtbassoc-0123456789abcdef0",
			RouteTableId: "rtb-0123456789abcdef0", Main: true, State: "associated"}}}}}, nil
}

func (f *fakeCompute) DescribeNetworkAcls(_ context.Context, r *pb.DescribeNetworkAclsRequest) (*pb.DescribeNetworkAclsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.net.acls = r
	entry := func(n int32, action string, egress bool) *pb.NetworkAclEntry {
		return &pb.NetworkAclEntry{RuleNumber: n, Protocol: "-1", RuleAction: action, Egress: egress, CidrBlock: "0.0.0.0/0"}
	}
	return &pb.DescribeNetworkAclsResponse{NetworkAcls: []*pb.NetworkAcl{{NetworkAclId: "acl-0123456789abcdef0",
		VpcId: "vpc-0123456789abcdef0", OwnerId: "000000000001", IsDefault: true,
		Entries: []*pb.NetworkAclEntry{entry(100, "allow", true), entry(32767, "deny", true), entry(100, "allow", false),
			entry(32767, "deny", false)},
		Associations: []*pb.NetworkAclAssociation{{NetworkAclAssociationId: "aclassoc-0123456789abcdef0",
			NetworkAclId: "acl-0123456789abcdef0", SubnetId: "subnet-0123456789abcdef0"}},
		Tags: []*pb.Tag{{Key: "Name", Value: "default"}}}}}, nil
}
