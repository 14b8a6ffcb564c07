package ctl

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// The network ACL writes of the fake: each keeps its request in lastReq;
// acl-00000000000000000 does not exist.

const missingACL = "acl-00000000000000000"

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) CreateNetworkAcl(_ context.Context, r *pb.CreateNetworkAclRequest) (*pb.CreateNetworkAclResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.CreateNetworkAclResponse{ClientToken: r.GetClientToken(), NetworkAcl: &pb.NetworkAcl{
		NetworkAclId: "acl-0fedcba9876543210", VpcId: r.GetVpcId(), OwnerId: "000000000001",
		Entries: []*pb.NetworkAclEntry{
			{RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: true, CidrBlock: "0.0.0.0/0"},
			{RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", CidrBlock: "0.0.0.0/0"}}}}, nil
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) DeleteNetworkAcl(_ context.Context, r *pb.DeleteNetworkAclRequest) (*pb.DeleteNetworkAclResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	if r.GetNetworkAclId() == missingACL {
		return nil, ec2err.New(ec2err.InvalidNetworkACLIDNotFound, "The networkAcl ID '%s' does not exist", missingACL)
	}
	return &pb.DeleteNetworkAclResponse{}, nil
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) CreateNetworkAclEntry(_ context.Context, r *pb.NetworkAclEntryRequest) (*pb.NetworkAclEntryResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.NetworkAclEntryResponse{}, nil
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) ReplaceNetworkAclEntry(_ context.Context, r *pb.NetworkAclEntryRequest) (*pb.NetworkAclEntryResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.NetworkAclEntryResponse{}, nil
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) DeleteNetworkAclEntry(_ context.Context, r *pb.DeleteNetworkAclEntryRequest) (*pb.DeleteNetworkAclEntryResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.DeleteNetworkAclEntryResponse{}, nil
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) ReplaceNetworkAclAssociation(_ context.Context, r *pb.ReplaceNetworkAclAssociationRequest) (*pb.ReplaceNetworkAclAssociationResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.ReplaceNetworkAclAssociationResponse{NewAssociationId: "aclassoc-0fedcba9876543210"}, nil
}
