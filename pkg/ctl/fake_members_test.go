package ctl

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// tLater is a time after t0 (with milliseconds): a snapshot's completion,
// an image's last launch.
var tLater = timestamppb.New(time.Date(2026, 11, 26, 10, 2, 3, 456e6, time.UTC))

const (
	sampleGroupARN     = "arn:aws:ec2:lab-1:000000000001:security-group/" + sampleGroup
	samplePlacementARN = "arn:aws:ec2:lab-1:000000000001:placement-group/rack-1"
)

func (f *fakeCompute) CreateSecurityGroup(_ context.Context, req *pb.CreateSecurityGroupRequest) (*pb.CreateSecurityGroupResponse, error) {
	f.keep(req)
	return &pb.CreateSecurityGroupResponse{GroupId: sampleGroup, SecurityGroupArn: sampleGroupARN}, nil
}

func samplePlacementGroup() *pb.PlacementGroup {
	return &pb.PlacementGroup{GroupName: "rack-1", GroupId: "pg-0123456789abcdef0", Strategy: "spread",
		State: "available", GroupArn: samplePlacementARN, Tags: []*pb.Tag{{Key: "Name", Value: "rack-1"}}}
}

func (f *fakeCompute) CreatePlacementGroup(_ context.Context, req *pb.CreatePlacementGroupRequest) (*pb.PlacementGroup, error) {
	f.keep(req)
	return samplePlacementGroup(), nil
}

func (f *fakeCompute) DescribePlacementGroups(_ context.Context, req *pb.DescribePlacementGroupsRequest) (*pb.DescribePlacementGroupsResponse, error) {
	f.keep(req)
	return &pb.DescribePlacementGroupsResponse{PlacementGroups: []*pb.PlacementGroup{samplePlacementGroup()}}, nil
}
