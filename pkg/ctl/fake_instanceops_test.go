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
