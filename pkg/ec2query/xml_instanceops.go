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
