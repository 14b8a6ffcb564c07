package ec2query

import (
	"encoding/xml"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeImageAttribute's answer (botocore: ImageAttribute): imageId and
// one element named after the attribute asked for, holding <value> or, for
// launchPermission and productCodes, a list of items.

type launchPermissionXML struct {
	UserID string `xml:"userId,omitempty"`
	Group  string `xml:"group,omitempty"`
}

// imageAttrXML is <attribute>…</attribute>, named after the attribute.
type imageAttrXML struct {
	name  string
	Value string                `xml:"value,omitempty"`
	Items []launchPermissionXML `xml:"item"`
}

// MarshalXML names the element after the attribute (in the document's
// namespace: an XMLName field would add xmlns="").
func (a *imageAttrXML) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Name = xml.Name{Local: a.name}
	type plain imageAttrXML
	return e.EncodeElement((*plain)(a), start)
}

type imageAttributeBody struct {
	meta
	ImageID string        `xml:"imageId"`
	Attr    *imageAttrXML `xml:",omitempty"`
}

func imageAttributeXML(r *ec2labv1.ImageAttribute) body {
	a := &imageAttrXML{name: r.GetAttribute(), Value: r.GetValue()}
	switch r.GetAttribute() {
	case "bootMode":
		a.Value = bootMode(a.Value)
	case "launchPermission":
		for _, p := range r.GetLaunchPermissions() {
			a.Items = append(a.Items, launchPermissionXML{UserID: p.GetUserId(), Group: p.GetGroup()})
		}
	}
	b := &imageAttributeBody{ImageID: r.GetImageId()}
	if r.GetAttribute() != "" {
		b.Attr = a
	}
	return b
}
