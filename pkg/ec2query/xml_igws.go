package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// The EC2 shapes of internet gateways (InternetGateway) and of the route
// table writes (CreateRouteTable, AssociateRouteTable,
// ReplaceRouteTableAssociation).

type internetGatewayAttachmentXML struct {
	State string `xml:"state"`
	VpcID string `xml:"vpcId"`
}

type internetGatewayXML struct {
	AttachmentSet     []internetGatewayAttachmentXML `xml:"attachmentSet>item"`
	InternetGatewayID string                         `xml:"internetGatewayId"`
	OwnerID           string                         `xml:"ownerId"`
	TagSet            *tagSetXML                     `xml:"tagSet,omitempty"`
}

func internetGateway(g *ec2labv1.InternetGateway) internetGatewayXML {
	x := internetGatewayXML{InternetGatewayID: g.GetInternetGatewayId(), OwnerID: g.GetOwnerId(), TagSet: tagsXML(g.GetTags())}
	for _, a := range g.GetAttachments() {
		x.AttachmentSet = append(x.AttachmentSet, internetGatewayAttachmentXML{State: a.GetState(), VpcID: a.GetVpcId()})
	}
	return x
}

type createInternetGatewayBody struct {
	meta
	InternetGateway internetGatewayXML `xml:"internetGateway"`
}

func createInternetGatewayXML(r *ec2labv1.CreateInternetGatewayResponse) body {
	return &createInternetGatewayBody{InternetGateway: internetGateway(r.GetInternetGateway())}
}

type describeInternetGatewaysBody struct {
	meta
	InternetGatewaySet struct {
		Items []internetGatewayXML `xml:"item"`
	} `xml:"internetGatewaySet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeInternetGatewaysXML(r *ec2labv1.DescribeInternetGatewaysResponse) body {
	b := &describeInternetGatewaysBody{NextToken: r.GetNextToken()}
	for _, g := range r.GetInternetGateways() {
		b.InternetGatewaySet.Items = append(b.InternetGatewaySet.Items, internetGateway(g))
	}
	return b
}

type createRouteTableBody struct {
	meta
	RouteTable  routeTableXML `xml:"routeTable"`
	ClientToken string        `xml:"clientToken,omitempty"`
}

func createRouteTableXML(r *ec2labv1.CreateRouteTableResponse) body {
	return &createRouteTableBody{RouteTable: routeTable(r.GetRouteTable()), ClientToken: r.GetClientToken()}
}

type associateRouteTableBody struct {
	meta
	AssociationID    string              `xml:"associationId"`
	AssociationState associationStateXML `xml:"associationState"`
}

func associateRouteTableXML(r *ec2labv1.AssociateRouteTableResponse) body {
	return &associateRouteTableBody{AssociationID: r.GetAssociationId(),
		AssociationState: associationStateXML{r.GetAssociationState().GetState()}}
}

type replaceRouteTableAssociationBody struct {
	meta
	NewAssociationID string              `xml:"newAssociationId"`
	AssociationState associationStateXML `xml:"associationState"`
}

func replaceRouteTableAssociationXML(r *ec2labv1.ReplaceRouteTableAssociationResponse) body {
	return &replaceRouteTableAssociationBody{NewAssociationID: r.GetNewAssociationId(),
		AssociationState: associationStateXML{r.GetAssociationState().GetState()}}
}
