package ctl

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Internet gateway and route table answers of fakeCompute: each records
// its request in lastReq (record, fake_vpc_test.go).

const (
	sampleIGW   = "igw-0123456789abcdef0"
	sampleRTB   = "rtb-0123456789abcdef1"
	sampleAssoc = "rtbassoc-0123456789abcdef0"
)

func sampleInternetGateway() *pb.InternetGateway {
	return &pb.InternetGateway{InternetGatewayId: sampleIGW, OwnerId: "000000000001",
		Attachments: []*pb.InternetGatewayAttachment{{VpcId: "vpc-0123456789abcdef0", State: "available"}},
		Tags:        []*pb.Tag{{Key: "Name", Value: "gw"}}}
}

func (f *fakeCompute) CreateInternetGateway(_ context.Context, r *pb.CreateInternetGatewayRequest) (*pb.CreateInternetGatewayResponse, error) {
	f.record(r)
	g := sampleInternetGateway()
	g.Attachments = nil
	return &pb.CreateInternetGatewayResponse{InternetGateway: g}, nil
}

func (f *fakeCompute) AttachInternetGateway(_ context.Context, r *pb.AttachInternetGatewayRequest) (*pb.AttachInternetGatewayResponse, error) {
	f.record(r)
	if r.GetVpcId() == "vpc-00000000000000000" {
		return nil, fakeErr(ec2err.InvalidVpcIDNotFound, "The vpc ID '%s' does not exist", r.GetVpcId())
	}
	return &pb.AttachInternetGatewayResponse{}, nil
}

func (f *fakeCompute) DetachInternetGateway(_ context.Context, r *pb.DetachInternetGatewayRequest) (*pb.DetachInternetGatewayResponse, error) {
	f.record(r)
	return &pb.DetachInternetGatewayResponse{}, nil
}

func (f *fakeCompute) DeleteInternetGateway(_ context.Context, r *pb.DeleteInternetGatewayRequest) (*pb.DeleteInternetGatewayResponse, error) {
	f.record(r)
	return &pb.DeleteInternetGatewayResponse{}, nil
}

func (f *fakeCompute) DescribeInternetGateways(_ context.Context, r *pb.DescribeInternetGatewaysRequest) (*pb.DescribeInternetGatewaysResponse, error) {
	f.record(r)
	return &pb.DescribeInternetGatewaysResponse{InternetGateways: []*pb.InternetGateway{sampleInternetGateway()}}, nil
}

func (f *fakeCompute) CreateRouteTable(_ context.Context, r *pb.CreateRouteTableRequest) (*pb.CreateRouteTableResponse, error) {
	f.record(r)
	return &pb.CreateRouteTableResponse{RouteTable: &pb.RouteTable{RouteTableId: sampleRTB, VpcId: r.GetVpcId(),
		OwnerId: "000000000001", Routes: []*pb.Route{{DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local",
			State: "active", Origin: "CreateRouteTable"}}}}, nil
}

func (f *fakeCompute) DeleteRouteTable(_ context.Context, r *pb.DeleteRouteTableRequest) (*pb.DeleteRouteTableResponse, error) {
	f.record(r)
	return &pb.DeleteRouteTableResponse{}, nil
}

func (f *fakeCompute) CreateRoute(_ context.Context, r *pb.CreateRouteRequest) (*pb.CreateRouteResponse, error) {
	f.record(r)
	if r.GetNatGatewayId() != "" {
		return nil, fakeErr(ec2err.UnsupportedOperation, "The parameter NatGatewayId is not supported")
	}
	return &pb.CreateRouteResponse{}, nil
}

func (f *fakeCompute) ReplaceRoute(_ context.Context, r *pb.ReplaceRouteRequest) (*pb.ReplaceRouteResponse, error) {
	f.record(r)
	return &pb.ReplaceRouteResponse{}, nil
}

func (f *fakeCompute) DeleteRoute(_ context.Context, r *pb.DeleteRouteRequest) (*pb.DeleteRouteResponse, error) {
	f.record(r)
	return &pb.DeleteRouteResponse{}, nil
}

func (f *fakeCompute) AssociateRouteTable(_ context.Context, r *pb.AssociateRouteTableRequest) (*pb.AssociateRouteTableResponse, error) {
	f.record(r)
	return &pb.AssociateRouteTableResponse{AssociationId: sampleAssoc,
		AssociationState: &pb.RouteTableAssociationState{State: "associated"}}, nil
}

func (f *fakeCompute) DisassociateRouteTable(_ context.Context, r *pb.DisassociateRouteTableRequest) (*pb.DisassociateRouteTableResponse, error) {
	f.record(r)
	return &pb.DisassociateRouteTableResponse{}, nil
}

func (f *fakeCompute) ReplaceRouteTableAssociation(_ context.Context, r *pb.ReplaceRouteTableAssociationRequest) (*pb.ReplaceRouteTableAssociationResponse, error) {
	f.record(r)
	return &pb.ReplaceRouteTableAssociationResponse{NewAssociationId: sampleAssoc,
		AssociationState: &pb.RouteTableAssociationState{State: "associated"}}, nil
}
