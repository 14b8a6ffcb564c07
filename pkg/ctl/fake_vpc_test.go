package ctl

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// VPC, subnet and VPC attribute answers of fakeCompute: one VPC with a
// secondary block and one subnet. Each call records its request in lastReq
// and refuses what the controller refuses, with its codes and native
// errors, so that the same fake serves the Query API (awscli_parity_test.go).

const (
	sampleVpcID    = "vpc-0123456789abcdef0"
	sampleSubnetID = "subnet-0123456789abcdef0"
	sampleAssocID  = "vpc-cidr-assoc-0bbbbbbbbbbbbbbb2"
)

func sampleVpc() *pb.Vpc {
	return &pb.Vpc{VpcId: sampleVpcID, OwnerId: "000000000001", CidrBlock: "10.0.0.0/16", State: "available",
		Tags: []*pb.Tag{{Key: "Name", Value: "lab"}},
		CidrBlockAssociations: []*pb.VpcCidrBlockAssociation{
			{AssociationId: "vpc-cidr-assoc-0aaaaaaaaaaaaaaa1", CidrBlock: "10.0.0.0/16", State: "associated"},
			{AssociationId: sampleAssocID, CidrBlock: "10.1.0.0/16", State: "associated"}}}
}

func sampleSubnet() *pb.Subnet {
	return &pb.Subnet{SubnetId: sampleSubnetID, VpcId: sampleVpcID, OwnerId: "000000000001",
		CidrBlock: "10.0.1.0/24", AvailableIpAddressCount: 251, AvailabilityZone: "lab-1a",
		AvailabilityZoneId: "lab1-az1", State: "available", MapPublicIpOnLaunch: true,
		SubnetArn:              "arn:aws:ec2:lab-1:000000000001:subnet/" + sampleSubnetID,
		PrivateDnsHostnameType: "ip-name"}
}

func (f *fakeCompute) record(req proto.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = proto.Clone(req)
}

// fakeErr is an EC2 error as pkg/api returns it (the gRPC server's
// interceptor makes it a status; the Query API encodes it as EC2 does).
func fakeErr(code, format string, args ...any) error {
	return ec2err.New(code, format, args...)
}

func (f *fakeCompute) DescribeVpcs(_ context.Context, req *pb.DescribeVpcsRequest) (*pb.DescribeVpcsResponse, error) {
	f.record(req)
	return &pb.DescribeVpcsResponse{Vpcs: []*pb.Vpc{sampleVpc()}}, nil
}

func (f *fakeCompute) DescribeSubnets(_ context.Context, req *pb.DescribeSubnetsRequest) (*pb.DescribeSubnetsResponse, error) {
	f.record(req)
	return &pb.DescribeSubnetsResponse{Subnets: []*pb.Subnet{sampleSubnet()}}, nil
}

func (f *fakeCompute) DescribeVpcAttribute(_ context.Context, req *pb.DescribeVpcAttributeRequest) (*pb.VpcAttribute, error) {
	f.record(req)
	switch req.GetAttribute() {
	case "enableDnsSupport", "enableDnsHostnames", "enableNetworkAddressUsageMetrics":
	default:
		return nil, fakeErr(ec2err.InvalidParameterValue, "Value (%s) for parameter attribute is invalid. Unknown attribute.", req.GetAttribute())
	}
	return &pb.VpcAttribute{VpcId: req.GetVpcId(), Attribute: req.GetAttribute(),
		Value: req.GetAttribute() == "enableDnsSupport"}, nil
}

func (f *fakeCompute) ModifyVpcAttribute(_ context.Context, req *pb.ModifyVpcAttributeRequest) (*pb.ModifyVpcAttributeResponse, error) {
	f.record(req)
	named := 0
	for _, v := range []*pb.AttributeBooleanValue{req.EnableDnsSupport, req.EnableDnsHostnames, req.EnableNetworkAddressUsageMetrics} {
		if v != nil {
			named++
		}
	}
	switch {
	case named == 0:
		return nil, fakeErr(ec2err.MissingParameter, "The request must contain one of the parameters EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics")
	case named > 1:
		return nil, fakeErr(ec2err.InvalidParameterCombination, "Fields for multiple attribute types specified: only one attribute can be modified at a time")
	}
	return &pb.ModifyVpcAttributeResponse{}, nil
}

func (f *fakeCompute) AssociateVpcCidrBlock(_ context.Context, req *pb.AssociateVpcCidrBlockRequest) (*pb.VpcCidrBlockResponse, error) {
	f.record(req)
	if req.GetIpv6CidrBlock() != "" || req.GetAmazonProvidedIpv6CidrBlock() || req.GetIpv4IpamPoolId() != "" {
		return nil, fakeErr(ec2err.UnsupportedOperation, "The parameter Ipv6CidrBlock is not supported: ec2lab VPCs have IPv4 blocks given by CidrBlock only.")
	}
	return &pb.VpcCidrBlockResponse{VpcId: req.GetVpcId(), CidrBlockAssociation: &pb.VpcCidrBlockAssociation{
		AssociationId: "vpc-cidr-assoc-0ccccccccccccccc3", CidrBlock: req.GetCidrBlock(), State: "associated"}}, nil
}

func (f *fakeCompute) DisassociateVpcCidrBlock(_ context.Context, req *pb.DisassociateVpcCidrBlockRequest) (*pb.VpcCidrBlockResponse, error) {
	f.record(req)
	if req.GetAssociationId() != sampleAssocID {
		return nil, fakeErr(ec2err.InvalidVpcCidrAssocNotFound, "The vpc CIDR block association ID '%s' does not exist", req.GetAssociationId())
	}
	return &pb.VpcCidrBlockResponse{VpcId: sampleVpcID, CidrBlockAssociation: &pb.VpcCidrBlockAssociation{
		AssociationId: sampleAssocID, CidrBlock: "10.1.0.0/16", State: "disassociated"}}, nil
}

func (f *fakeCompute) DescribeVpcClassicLink(_ context.Context, req *pb.DescribeVpcClassicLinkRequest) (*pb.DescribeVpcClassicLinkResponse, error) {
	f.record(req)
	return &pb.DescribeVpcClassicLinkResponse{Vpcs: []*pb.VpcClassicLink{
		{VpcId: sampleVpcID, Tags: []*pb.Tag{{Key: "Name", Value: "lab"}}}}}, nil
}

// DescribeVpcClassicLinkDnsSupport pages two VPCs one at a time when asked
// for MaxResults.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) DescribeVpcClassicLinkDnsSupport(_ context.Context, req *pb.DescribeVpcClassicLinkDnsSupportRequest) (*pb.DescribeVpcClassicLinkDnsSupportResponse, error) {
	f.record(req)
	all := []*pb.ClassicLinkDnsSupport{{VpcId: sampleVpcID}, {VpcId: "vpc-0fedcba9876543210"}}
	switch {
	case req.GetNextToken() == "2":
		return &pb.DescribeVpcClassicLinkDnsSupportResponse{Vpcs: all[1:]}, nil
	case req.GetMaxResults() > 0:
		return &pb.DescribeVpcClassicLinkDnsSupportResponse{Vpcs: all[:1], NextToken: "2"}, nil
	}
	return &pb.DescribeVpcClassicLinkDnsSupportResponse{Vpcs: all}, nil
}

func (f *fakeCompute) ModifySubnetAttribute(_ context.Context, req *pb.ModifySubnetAttributeRequest) (*pb.ModifySubnetAttributeResponse, error) {
	f.record(req)
	if v := req.GetEnableDns64(); v != nil && v.Value {
		return nil, fakeErr(ec2err.UnsupportedOperation, "EnableDns64 true is not supported: ec2lab subnets have no IPv6")
	}
	return &pb.ModifySubnetAttributeResponse{}, nil
}

// DescribeAccountAttributes answers as the controller does for an account
// whose default VPC is sampleVpc and whose vCPU quota is 256.
func (f *fakeCompute) DescribeAccountAttributes(_ context.Context, req *pb.DescribeAccountAttributesRequest) (*pb.DescribeAccountAttributesResponse, error) {
	f.record(req)
	values := map[string]string{"supported-platforms": "VPC", "default-vpc": sampleVpcID, "max-instances": "256"}
	names := req.GetAttributeNames()
	for _, n := range names {
		if _, ok := values[n]; !ok {
			return nil, fakeErr(ec2err.InvalidParameterValue, "Value (%s) for parameter attributeName is invalid", n)
		}
	}
	if len(names) == 0 {
		names = []string{"supported-platforms", "default-vpc", "max-instances"}
	}
	out := &pb.DescribeAccountAttributesResponse{}
	for _, n := range names {
		out.AccountAttributes = append(out.AccountAttributes, &pb.AccountAttribute{AttributeName: n, AttributeValues: []string{values[n]}})
	}
	return out, nil
}
