package ctl

import (
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// TestInternetGatewayAndRouteTableVerbs: each verb sends the request its
// aws ec2 flags say and prints what the AWS CLI prints.
func TestInternetGatewayAndRouteTableVerbs(t *testing.T) {
	const vpc, subnet = "vpc-0123456789abcdef0", "subnet-0123456789abcdef0"
	cases := []struct {
		args []string
		req  proto.Message
		out  string // the --output json document, whitespace squeezed ("": nothing printed)
	}{
		{[]string{"create-internet-gateway", "--tag-specifications", "ResourceType=internet-gateway,Tags=[{Key=Name,Value=gw}]"},
			&pb.CreateInternetGatewayRequest{TagSpecifications: []*pb.TagSpecification{{ResourceType: "internet-gateway",
				Tags: []*pb.Tag{{Key: "Name", Value: "gw"}}}}},
			`{ "InternetGateway": { "Attachments": [], "InternetGatewayId": "igw-0123456789abcdef0", "OwnerId": "000000000001", "Tags": [ { "Key": "Name", "Value": "gw" } ] } }`},
		{[]string{"attach-internet-gateway", "--internet-gateway-id", sampleIGW, "--vpc-id", vpc},
			&pb.AttachInternetGatewayRequest{InternetGatewayId: sampleIGW, VpcId: vpc}, ""},
		{[]string{"detach-internet-gateway", "--internet-gateway-id", sampleIGW, "--vpc-id", vpc, "--dry-run"},
			&pb.DetachInternetGatewayRequest{InternetGatewayId: sampleIGW, VpcId: vpc, DryRun: true}, ""},
		{[]string{"delete-internet-gateway", "--internet-gateway-id", sampleIGW},
			&pb.DeleteInternetGatewayRequest{InternetGatewayId: sampleIGW}, ""},
		{[]string{"describe-internet-gateways", "--internet-gateway-ids", sampleIGW, "--filters", "Name=attachment.vpc-id,Values=" + vpc},
			&pb.DescribeInternetGatewaysRequest{InternetGatewayIds: []string{sampleIGW},
				Filters: []*pb.Filter{{Name: "attachment.vpc-id", Values: []string{vpc}}}},
			`{ "InternetGateways": [ { "Attachments": [ { "State": "available", "VpcId": "vpc-0123456789abcdef0" } ], "InternetGatewayId": "igw-0123456789abcdef0", "OwnerId": "000000000001", "Tags": [ { "Key": "Name", "Value": "gw" } ] } ] }`},
		{[]string{"create-route-table", "--vpc-id", vpc},
			&pb.CreateRouteTableRequest{VpcId: vpc},
			`{ "RouteTable": { "Associations": [], "PropagatingVgws": [], "RouteTableId": "rtb-0123456789abcdef1", "Routes": [ { "DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active" } ], "Tags": [], "VpcId": "vpc-0123456789abcdef0", "OwnerId": "000000000001" } }`},
		{[]string{"delete-route-table", "--route-table-id", sampleRTB}, &pb.DeleteRouteTableRequest{RouteTableId: sampleRTB}, ""},
		{[]string{"create-route", "--route-table-id", sampleRTB, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", sampleIGW},
			&pb.CreateRouteRequest{RouteTableId: sampleRTB, DestinationCidrBlock: "0.0.0.0/0", GatewayId: sampleIGW},
			`{ "Return": true }`},
		{[]string{"replace-route", "--route-table-id", sampleRTB, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", sampleIGW},
			&pb.ReplaceRouteRequest{RouteTableId: sampleRTB, DestinationCidrBlock: "0.0.0.0/0", GatewayId: sampleIGW}, ""},
		{[]string{"delete-route", "--route-table-id", sampleRTB, "--destination-cidr-block", "0.0.0.0/0"},
			&pb.DeleteRouteRequest{RouteTableId: sampleRTB, DestinationCidrBlock: "0.0.0.0/0"}, ""},
		{[]string{"associate-route-table", "--route-table-id", sampleRTB, "--subnet-id", subnet},
			&pb.AssociateRouteTableRequest{RouteTableId: sampleRTB, SubnetId: subnet},
			`{ "AssociationId": "rtbassoc-0123456789abcdef0", "AssociationState": { "State": "associated" } }`},
		{[]string{"disassociate-route-table", "--association-id", sampleAssoc},
			&pb.DisassociateRouteTableRequest{AssociationId: sampleAssoc}, ""},
		{[]string{"replace-route-table-association", "--association-id", sampleAssoc, "--route-table-id", sampleRTB},
			&pb.ReplaceRouteTableAssociationRequest{AssociationId: sampleAssoc, RouteTableId: sampleRTB},
			`{ "NewAssociationId": "rtbassoc-0123456789abcdef0", "AssociationState": { "State": "associated" } }`},
	}
	for _, c := range cases {
		h := newHarness(t)
		out, errOut, code := h.run(append(c.args, "--output", "json")...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", c.args[0], code, errOut)
			continue
		}
		if !proto.Equal(h.fake.lastReq, c.req) {
			t.Errorf("%s: request %v, want %v", c.args[0], h.fake.lastReq, c.req)
		}
		if got := strings.Join(strings.Fields(out), " "); got != c.out {
			t.Errorf("%s: printed\n%s\nwant\n%s", c.args[0], got, c.out)
		}
	}
}

// TestRouteVerbErrors: a refused target and an EC2 error print as the
// AWS CLI prints them, with its exit status.
func TestRouteVerbErrors(t *testing.T) {
	h := newHarness(t)
	_, errOut, code := h.run("create-route", "--route-table-id", sampleRTB, "--destination-cidr-block", "0.0.0.0/0",
		"--nat-gateway-id", "nat-0123456789abcdef0")
	if code != 254 || !strings.Contains(errOut, "(UnsupportedOperation) when calling the CreateRoute operation") {
		t.Errorf("nat gateway target: exit %d: %s", code, errOut)
	}
	if r, ok := h.fake.lastReq.(*pb.CreateRouteRequest); !ok || r.GetNatGatewayId() != "nat-0123456789abcdef0" {
		t.Errorf("request %v", h.fake.lastReq)
	}
	_, errOut, code = h.run("attach-internet-gateway", "--internet-gateway-id", sampleIGW, "--vpc-id", "vpc-00000000000000000")
	if code != 254 || !strings.Contains(errOut, "InvalidVpcID.NotFound") {
		t.Errorf("unknown VPC: exit %d: %s", code, errOut)
	}
}
