package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// DescribeInstanceTypeOfferings, ModifyInstanceCreditSpecification and
// GetInstanceUefiData answers (botocore's shapes).

type instanceTypeOfferingXML struct {
	InstanceType string `xml:"instanceType"`
	LocationType string `xml:"locationType"`
	Location     string `xml:"location"`
}

type describeInstanceTypeOfferingsBody struct {
	meta
	Set struct {
		Items []instanceTypeOfferingXML `xml:"item"`
	} `xml:"instanceTypeOfferingSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeInstanceTypeOfferingsXML(r *ec2labv1.DescribeInstanceTypeOfferingsResponse) body {
	b := &describeInstanceTypeOfferingsBody{NextToken: r.GetNextToken()}
	for _, o := range r.GetInstanceTypeOfferings() {
		b.Set.Items = append(b.Set.Items, instanceTypeOfferingXML{o.GetInstanceType(), o.GetLocationType(), o.GetLocation()})
	}
	return b
}

type creditSpecErrorXML struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type successfulCreditSpecXML struct {
	InstanceID string `xml:"instanceId"`
}

type unsuccessfulCreditSpecXML struct {
	InstanceID string             `xml:"instanceId"`
	Error      creditSpecErrorXML `xml:"error"`
}

type modifyCreditSpecsBody struct {
	meta
	Successful struct {
		Items []successfulCreditSpecXML `xml:"item"`
	} `xml:"successfulInstanceCreditSpecificationSet"`
	Unsuccessful struct {
		Items []unsuccessfulCreditSpecXML `xml:"item"`
	} `xml:"unsuccessfulInstanceCreditSpecificationSet"`
}

func modifyCreditSpecsXML(r *ec2labv1.ModifyInstanceCreditSpecificationResponse) body {
	b := &modifyCreditSpecsBody{}
	for _, s := range r.GetSuccessfulInstanceCreditSpecifications() {
		b.Successful.Items = append(b.Successful.Items, successfulCreditSpecXML{s.GetInstanceId()})
	}
	for _, u := range r.GetUnsuccessfulInstanceCreditSpecifications() {
		b.Unsuccessful.Items = append(b.Unsuccessful.Items, unsuccessfulCreditSpecXML{u.GetInstanceId(),
			creditSpecErrorXML{u.GetError().GetCode(), u.GetError().GetMessage()}})
	}
	return b
}

type uefiDataBody struct {
	meta
	InstanceID string `xml:"instanceId"`
	UefiData   string `xml:"uefiData"`
}

func uefiDataXML(r *ec2labv1.GetInstanceUefiDataResponse) body {
	return &uefiDataBody{InstanceID: r.GetInstanceId(), UefiData: r.GetUefiData()}
}

type instanceTopologyXML struct {
	InstanceID       string   `xml:"instanceId"`
	InstanceType     string   `xml:"instanceType"`
	GroupName        string   `xml:"groupName,omitempty"`
	NetworkNodes     []string `xml:"networkNodeSet>item"`
	AvailabilityZone string   `xml:"availabilityZone"`
	ZoneID           string   `xml:"zoneId"`
}

type describeInstanceTopologyBody struct {
	meta
	Set struct {
		Items []instanceTopologyXML `xml:"item"`
	} `xml:"instanceSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeInstanceTopologyXML(r *ec2labv1.DescribeInstanceTopologyResponse) body {
	b := &describeInstanceTopologyBody{NextToken: r.GetNextToken()}
	for _, it := range r.GetInstances() {
		b.Set.Items = append(b.Set.Items, instanceTopologyXML{InstanceID: it.GetInstanceId(), InstanceType: it.GetInstanceType(),
			GroupName: it.GetGroupName(), NetworkNodes: it.GetNetworkNodes(), AvailabilityZone: it.GetAvailabilityZone(),
			ZoneID: it.GetZoneId()})
	}
	return b
}
