package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// The EC2 shape of NAT gateways (NatGateway).

type natGatewayAddressXML struct {
	AllocationID       string `xml:"allocationId,omitempty"`
	NetworkInterfaceID string `xml:"networkInterfaceId,omitempty"`
	PrivateIP          string `xml:"privateIp,omitempty"`
	PublicIP           string `xml:"publicIp,omitempty"`
	AssociationID      string `xml:"associationId,omitempty"`
	IsPrimary          bool   `xml:"isPrimary"`
	Status             string `xml:"status,omitempty"`
}

type natGatewayXML struct {
	CreateTime           string                 `xml:"createTime"`
	DeleteTime           string                 `xml:"deleteTime,omitempty"`
	FailureCode          string                 `xml:"failureCode,omitempty"`
	FailureMessage       string                 `xml:"failureMessage,omitempty"`
	NatGatewayAddressSet []natGatewayAddressXML `xml:"natGatewayAddressSet>item"`
	NatGatewayID         string                 `xml:"natGatewayId"`
	State                string                 `xml:"state"`
	SubnetID             string                 `xml:"subnetId"`
	VpcID                string                 `xml:"vpcId"`
	TagSet               *tagSetXML             `xml:"tagSet,omitempty"`
	ConnectivityType     string                 `xml:"connectivityType"`
}

func natGateway(g *ec2labv1.NatGateway) natGatewayXML {
	x := natGatewayXML{CreateTime: xmlTime(g.GetCreateTime()), FailureCode: g.GetFailureCode(),
		FailureMessage: g.GetFailureMessage(), NatGatewayID: g.GetNatGatewayId(), State: g.GetState(), SubnetID: g.GetSubnetId(),
		VpcID: g.GetVpcId(), TagSet: tagsXML(g.GetTags()), ConnectivityType: g.GetConnectivityType()}
	if g.GetDeleteTime() != nil {
		x.DeleteTime = xmlTime(g.GetDeleteTime())
	}
	for _, a := range g.GetNatGatewayAddresses() {
		x.NatGatewayAddressSet = append(x.NatGatewayAddressSet, natGatewayAddressXML{AllocationID: a.GetAllocationId(),
			NetworkInterfaceID: a.GetNetworkInterfaceId(), PrivateIP: a.GetPrivateIp(), PublicIP: a.GetPublicIp(),
			AssociationID: a.GetAssociationId(), IsPrimary: a.GetIsPrimary(), Status: a.GetStatus()})
	}
	return x
}

type createNatGatewayBody struct {
	meta
	ClientToken string        `xml:"clientToken,omitempty"`
	NatGateway  natGatewayXML `xml:"natGateway"`
}

func createNatGatewayXML(r *ec2labv1.CreateNatGatewayResponse) body {
	return &createNatGatewayBody{ClientToken: r.GetClientToken(), NatGateway: natGateway(r.GetNatGateway())}
}

type describeNatGatewaysBody struct {
	meta
	NatGatewaySet struct {
		Items []natGatewayXML `xml:"item"`
	} `xml:"natGatewaySet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeNatGatewaysXML(r *ec2labv1.DescribeNatGatewaysResponse) body {
	b := &describeNatGatewaysBody{NextToken: r.GetNextToken()}
	for _, g := range r.GetNatGateways() {
		b.NatGatewaySet.Items = append(b.NatGatewaySet.Items, natGateway(g))
	}
	return b
}

type deleteNatGatewayBody struct {
	meta
	NatGatewayID string `xml:"natGatewayId"`
}

func deleteNatGatewayXML(r *ec2labv1.DeleteNatGatewayResponse) body {
	return &deleteNatGatewayBody{NatGatewayID: r.GetNatGatewayId()}
}
