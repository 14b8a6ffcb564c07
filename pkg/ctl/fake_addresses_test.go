package ctl

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Elastic IP answers of fakeCompute: one associated address and one free,
// the last request in lastReq.

const (
	sampleAllocID  = "eipalloc-0123456789abcdef0"
	sampleEIPAssoc = "eipassoc-0123456789abcdef0"
)

func sampleAddresses() []*pb.Address {
	return []*pb.Address{
		{AllocationId: sampleAllocID, PublicIp: "198.51.100.1", Domain: "vpc", AssociationId: sampleEIPAssoc,
			InstanceId: "i-0123456789abcdef0", NetworkInterfaceId: "eni-0123456789abcdef0", NetworkInterfaceOwnerId: "000000000001",
			PrivateIpAddress: "10.0.0.5", PublicIpv4Pool: "amazon", NetworkBorderGroup: "lab-1",
			Tags: []*pb.Tag{{Key: "Name", Value: "web"}}},
		{AllocationId: "eipalloc-0123456789abcdef1", PublicIp: "198.51.100.2", Domain: "vpc", PublicIpv4Pool: "amazon",
			NetworkBorderGroup: "lab-1"},
	}
}

func (f *fakeCompute) AllocateAddress(_ context.Context, r *pb.AllocateAddressRequest) (*pb.AllocateAddressResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	if r.GetAddress() == "203.0.113.9" {
		return nil, ec2err.New(ec2err.InvalidAddressNotFound, "Address '203.0.113.9' not found: it is not in the region's Elastic IP pool.")
	}
	return &pb.AllocateAddressResponse{AllocationId: sampleAllocID, PublicIp: "198.51.100.1", Domain: "vpc",
		PublicIpv4Pool: "amazon", NetworkBorderGroup: "lab-1"}, nil
}

func (f *fakeCompute) AssociateAddress(_ context.Context, r *pb.AssociateAddressRequest) (*pb.AssociateAddressResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.AssociateAddressResponse{AssociationId: sampleEIPAssoc}, nil
}

func (f *fakeCompute) DisassociateAddress(_ context.Context, r *pb.DisassociateAddressRequest) (*pb.DisassociateAddressResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.DisassociateAddressResponse{}, nil
}

func (f *fakeCompute) ReleaseAddress(_ context.Context, r *pb.ReleaseAddressRequest) (*pb.ReleaseAddressResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	if r.GetAllocationId() == sampleAllocID {
		return nil, ec2err.New(ec2err.InvalidIPAddressInUse, "Address '198.51.100.1' (%s) is in use.", sampleAllocID)
	}
	return &pb.ReleaseAddressResponse{}, nil
}

func (f *fakeCompute) DescribeAddresses(_ context.Context, r *pb.DescribeAddressesRequest) (*pb.DescribeAddressesResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = r
	return &pb.DescribeAddressesResponse{Addresses: sampleAddresses()}, nil
}
