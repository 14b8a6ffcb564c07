package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// fakeCompute's answers to the instance and account operations
// (cmd_instanceops_test.go); each records its request in lastReq.

// DescribeInstanceTypeOfferings answers two offerings, one per page when
// MaxResults is given.
func (f *fakeCompute) DescribeInstanceTypeOfferings(_ context.Context, req *pb.DescribeInstanceTypeOfferingsRequest) (*pb.DescribeInstanceTypeOfferingsResponse, error) {
	f.record(req)
	lt := orDefault(req.GetLocationType(), "region")
	all := []*pb.InstanceTypeOffering{{InstanceType: "t3.micro", LocationType: lt, Location: "lab-1a"},
		{InstanceType: "g4dn.xlarge", LocationType: lt, Location: "lab-1b"}}
	switch {
	case req.GetNextToken() == "page-2":
		return &pb.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all[1:]}, nil
	case req.GetMaxResults() > 0:
		return &pb.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all[:1], NextToken: "page-2"}, nil
	}
	return &pb.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all}, nil
}

// ModifyInstanceCreditSpecification changes the first sample instance; any
// other is not found.
func (f *fakeCompute) ModifyInstanceCreditSpecification(_ context.Context, req *pb.ModifyInstanceCreditSpecificationRequest) (*pb.ModifyInstanceCreditSpecificationResponse, error) {
	f.record(req)
	out := &pb.ModifyInstanceCreditSpecificationResponse{}
	for _, s := range req.GetInstanceCreditSpecifications() {
		if s.GetInstanceId() == "i-0123456789abcdef0" {
			out.SuccessfulInstanceCreditSpecifications = append(out.SuccessfulInstanceCreditSpecifications,
				&pb.SuccessfulInstanceCreditSpecification{InstanceId: s.GetInstanceId()})
			continue
		}
		out.UnsuccessfulInstanceCreditSpecifications = append(out.UnsuccessfulInstanceCreditSpecifications,
			&pb.UnsuccessfulInstanceCreditSpecification{InstanceId: s.GetInstanceId(), Error: &pb.ValidationError{
				Code: "InvalidInstanceID.NotFound", Message: "The instance ID '" + s.GetInstanceId() + "' does not exist"}})
	}
	return out, nil
}

// DescribeInstanceCreditSpecifications answers both sample instances, one
// per page when MaxResults is given.
func (f *fakeCompute) DescribeInstanceCreditSpecifications(_ context.Context, req *pb.DescribeInstanceCreditSpecificationsRequest) (*pb.DescribeInstanceCreditSpecificationsResponse, error) {
	f.record(req)
	all := []*pb.InstanceCreditSpecification{{InstanceId: "i-0123456789abcdef0", CpuCredits: "unlimited"},
		{InstanceId: "i-0fedcba9876543210", CpuCredits: "unlimited"}}
	switch {
	case req.GetNextToken() == "page-2":
		return &pb.DescribeInstanceCreditSpecificationsResponse{InstanceCreditSpecifications: all[1:]}, nil
	case req.GetMaxResults() > 0:
		return &pb.DescribeInstanceCreditSpecificationsResponse{InstanceCreditSpecifications: all[:1], NextToken: "page-2"}, nil
	}
	return &pb.DescribeInstanceCreditSpecificationsResponse{InstanceCreditSpecifications: all}, nil
}

// ResetInstanceAttribute accepts any reset of a sample instance.
func (f *fakeCompute) ResetInstanceAttribute(_ context.Context, req *pb.ResetInstanceAttributeRequest) (*pb.ResetInstanceAttributeResponse, error) {
	f.record(req)
	return &pb.ResetInstanceAttributeResponse{}, nil
}

// CreateDefaultVpc answers the sample VPC as the new default one.
func (f *fakeCompute) CreateDefaultVpc(_ context.Context, req *pb.CreateDefaultVpcRequest) (*pb.Vpc, error) {
	f.record(req)
	v := sampleVpc()
	v.IsDefault, v.Tags = true, nil
	return v, nil
}

// CreateDefaultSubnet answers the sample subnet as the new default one.
func (f *fakeCompute) CreateDefaultSubnet(_ context.Context, req *pb.CreateDefaultSubnetRequest) (*pb.Subnet, error) {
	f.record(req)
	sn := sampleSubnet()
	sn.DefaultForAz = true
	return sn, nil
}

// GetInstanceUefiData answers an empty AMZNUEFI store.
func (f *fakeCompute) GetInstanceUefiData(_ context.Context, req *pb.GetInstanceUefiDataRequest) (*pb.GetInstanceUefiDataResponse, error) {
	f.record(req)
	return &pb.GetInstanceUefiDataResponse{InstanceId: req.GetInstanceId(), UefiData: "QU1aTlVFRkmxVslUAAAAAHjaYoACQAAAAP//AAgAAQ=="}, nil
}

// DescribeInstanceTopology answers the first sample instance.
func (f *fakeCompute) DescribeInstanceTopology(_ context.Context, req *pb.DescribeInstanceTopologyRequest) (*pb.DescribeInstanceTopologyResponse, error) {
	f.record(req)
	return &pb.DescribeInstanceTopologyResponse{Instances: []*pb.InstanceTopology{{InstanceId: "i-0123456789abcdef0",
		InstanceType: "t3.micro", AvailabilityZone: "lab-1a", ZoneId: "lab1-az1",
		NetworkNodes: []string{"nn-0123456789abcdef0", "nn-1123456789abcdef0", "nn-2123456789abcdef0"}}}}, nil
}
