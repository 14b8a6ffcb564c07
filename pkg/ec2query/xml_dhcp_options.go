package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// The EC2 shape of DHCP option sets (DhcpOptions).

type dhcpValueXML struct {
	Value string `xml:"value"`
}

type dhcpConfigurationXML struct {
	Key      string         `xml:"key"`
	ValueSet []dhcpValueXML `xml:"valueSet>item"`
}

type dhcpOptionsXML struct {
	DhcpConfigurationSet []dhcpConfigurationXML `xml:"dhcpConfigurationSet>item"`
	DhcpOptionsID        string                 `xml:"dhcpOptionsId"`
	OwnerID              string                 `xml:"ownerId"`
	TagSet               *tagSetXML             `xml:"tagSet,omitempty"`
}

func dhcpOptions(d *ec2labv1.DhcpOptions) dhcpOptionsXML {
	x := dhcpOptionsXML{DhcpOptionsID: d.GetDhcpOptionsId(), OwnerID: d.GetOwnerId(), TagSet: tagsXML(d.GetTags())}
	for _, c := range d.GetDhcpConfigurations() {
		xc := dhcpConfigurationXML{Key: c.GetKey()}
		for _, v := range c.GetValues() {
			xc.ValueSet = append(xc.ValueSet, dhcpValueXML{Value: v})
		}
		x.DhcpConfigurationSet = append(x.DhcpConfigurationSet, xc)
	}
	return x
}

type createDhcpOptionsBody struct {
	meta
	DhcpOptions dhcpOptionsXML `xml:"dhcpOptions"`
}

func createDhcpOptionsXML(r *ec2labv1.CreateDhcpOptionsResponse) body {
	return &createDhcpOptionsBody{DhcpOptions: dhcpOptions(r.GetDhcpOptions())}
}

type describeDhcpOptionsBody struct {
	meta
	DhcpOptionsSet struct {
		Items []dhcpOptionsXML `xml:"item"`
	} `xml:"dhcpOptionsSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeDhcpOptionsXML(r *ec2labv1.DescribeDhcpOptionsResponse) body {
	b := &describeDhcpOptionsBody{NextToken: r.GetNextToken()}
	for _, d := range r.GetDhcpOptions() {
		b.DhcpOptionsSet.Items = append(b.DhcpOptionsSet.Items, dhcpOptions(d))
	}
	return b
}
