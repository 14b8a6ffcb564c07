package ec2query

import (
	"encoding/xml"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestInternetGatewayParams decodes the internet gateway and route table
// actions as the AWS CLI sends them; targets ec2lab refuses are read, not
// dropped (pkg/api refuses them by name).
func TestInternetGatewayParams(t *testing.T) {
	tests := []struct {
		name, in  string
		got, want proto.Message
	}{
		{"CreateInternetGateway", "TagSpecification.1.ResourceType=internet-gateway&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=gw",
			&ec2labv1.CreateInternetGatewayRequest{}, &ec2labv1.CreateInternetGatewayRequest{TagSpecifications: []*ec2labv1.TagSpecification{
				{ResourceType: "internet-gateway", Tags: []*ec2labv1.Tag{{Key: "Name", Value: "gw"}}}}}},
		{"AttachInternetGateway", "InternetGatewayId=igw-1&VpcId=vpc-1",
			&ec2labv1.AttachInternetGatewayRequest{}, &ec2labv1.AttachInternetGatewayRequest{InternetGatewayId: "igw-1", VpcId: "vpc-1"}},
		{"DescribeInternetGateways", "InternetGatewayId.1=igw-1&Filter.1.Name=attachment.state&Filter.1.Value.1=available&MaxResults=5",
			&ec2labv1.DescribeInternetGatewaysRequest{}, &ec2labv1.DescribeInternetGatewaysRequest{InternetGatewayIds: []string{"igw-1"},
				Filters: []*ec2labv1.Filter{{Name: "attachment.state", Values: []string{"available"}}}, MaxResults: 5}},
		{"CreateRoute with every target", "RouteTableId=rtb-1&DestinationCidrBlock=0.0.0.0/0&GatewayId=igw-1&NatGatewayId=nat-1&NetworkInterfaceId=eni-1&InstanceId=i-1&VpcPeeringConnectionId=pcx-1&TransitGatewayId=tgw-1&DestinationIpv6CidrBlock=::/0&DestinationPrefixListId=pl-1&EgressOnlyInternetGatewayId=eigw-1&LocalGatewayId=lgw-1&CarrierGatewayId=cagw-1&VpcEndpointId=vpce-1&CoreNetworkArn=arn&OdbNetworkArn=odb",
			&ec2labv1.CreateRouteRequest{}, &ec2labv1.CreateRouteRequest{RouteTableId: "rtb-1", DestinationCidrBlock: "0.0.0.0/0",
				GatewayId: "igw-1", NatGatewayId: "nat-1", NetworkInterfaceId: "eni-1", InstanceId: "i-1", VpcPeeringConnectionId: "pcx-1",
				TransitGatewayId: "tgw-1", DestinationIpv6CidrBlock: "::/0", DestinationPrefixListId: "pl-1",
				EgressOnlyInternetGatewayId: "eigw-1", LocalGatewayId: "lgw-1", CarrierGatewayId: "cagw-1", VpcEndpointId: "vpce-1",
				CoreNetworkArn: "arn", OdbNetworkArn: "odb"}},
		{"ReplaceRoute LocalTarget", "RouteTableId=rtb-1&DestinationCidrBlock=10.0.0.0/16&LocalTarget=true",
			&ec2labv1.ReplaceRouteRequest{}, &ec2labv1.ReplaceRouteRequest{RouteTableId: "rtb-1", DestinationCidrBlock: "10.0.0.0/16", LocalTarget: true}},
		{"AssociateRouteTable", "RouteTableId=rtb-1&SubnetId=subnet-1",
			&ec2labv1.AssociateRouteTableRequest{}, &ec2labv1.AssociateRouteTableRequest{RouteTableId: "rtb-1", SubnetId: "subnet-1"}},
		{"ReplaceRouteTableAssociation", "AssociationId=rtbassoc-1&RouteTableId=rtb-1",
			&ec2labv1.ReplaceRouteTableAssociationRequest{}, &ec2labv1.ReplaceRouteTableAssociationRequest{AssociationId: "rtbassoc-1", RouteTableId: "rtb-1"}},
	}
	for _, tt := range tests {
		p := form(t, tt.in)
		if err := decodeMessage(p, "", tt.got.ProtoReflect()); err != nil {
			t.Errorf("%s: decode: %v", tt.name, err)
			continue
		}
		if !proto.Equal(tt.got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, tt.got, tt.want)
		}
		if k := p.unread(); k != "" {
			t.Errorf("%s: %s left unread", tt.name, k)
		}
	}
}

// TestInternetGatewayXML checks the element names botocore reads.
func TestInternetGatewayXML(t *testing.T) {
	gw := &ec2labv1.InternetGateway{InternetGatewayId: "igw-0123456789abcdef0", OwnerId: "123456789012",
		Attachments: []*ec2labv1.InternetGatewayAttachment{{VpcId: "vpc-0123456789abcdef0", State: "available"}},
		Tags:        []*ec2labv1.Tag{{Key: "Name", Value: "gw"}}}
	state := &ec2labv1.RouteTableAssociationState{State: "associated"}
	tests := []struct {
		b    body
		want string
	}{
		{describeInternetGatewaysXML(&ec2labv1.DescribeInternetGatewaysResponse{InternetGateways: []*ec2labv1.InternetGateway{gw}, NextToken: "n"}),
			"<internetGatewaySet><item><attachmentSet><item><state>available</state><vpcId>vpc-0123456789abcdef0</vpcId></item></attachmentSet>" +
				"<internetGatewayId>igw-0123456789abcdef0</internetGatewayId><ownerId>123456789012</ownerId>" +
				"<tagSet><item><key>Name</key><value>gw</value></item></tagSet></item></internetGatewaySet><nextToken>n</nextToken>"},
		{createInternetGatewayXML(&ec2labv1.CreateInternetGatewayResponse{InternetGateway: &ec2labv1.InternetGateway{
			InternetGatewayId: "igw-0123456789abcdef0", OwnerId: "123456789012"}}),
			"<internetGateway><attachmentSet></attachmentSet><internetGatewayId>igw-0123456789abcdef0</internetGatewayId><ownerId>123456789012</ownerId><tagSet></tagSet></internetGateway>"},
		{createRouteTableXML(&ec2labv1.CreateRouteTableResponse{RouteTable: &ec2labv1.RouteTable{RouteTableId: "rtb-1", VpcId: "vpc-1", OwnerId: "1"}}),
			"<routeTable><routeTableId>rtb-1</routeTableId><vpcId>vpc-1</vpcId><ownerId>1</ownerId>"},
		{associateRouteTableXML(&ec2labv1.AssociateRouteTableResponse{AssociationId: "rtbassoc-1", AssociationState: state}),
			"<associationId>rtbassoc-1</associationId><associationState><state>associated</state></associationState>"},
		{replaceRouteTableAssociationXML(&ec2labv1.ReplaceRouteTableAssociationResponse{NewAssociationId: "rtbassoc-2", AssociationState: state}),
			"<newAssociationId>rtbassoc-2</newAssociationId><associationState><state>associated</state></associationState>"},
	}
	for _, tt := range tests {
		out, err := xml.Marshal(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), tt.want) {
			t.Errorf("missing %s\nin %s", tt.want, out)
		}
	}
}
