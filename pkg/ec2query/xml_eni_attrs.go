package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// describeNetworkInterfaceAttributeBody is EC2's
// DescribeNetworkInterfaceAttributeResult: the interface and the one
// attribute asked for.
type describeNetworkInterfaceAttributeBody struct {
	meta
	Attachment               *networkInterfaceAttachmentXML `xml:"attachment,omitempty"`
	Description              *attrValue                     `xml:"description,omitempty"`
	GroupSet                 *groupSetXML                   `xml:"groupSet,omitempty"`
	NetworkInterfaceID       string                         `xml:"networkInterfaceId"`
	SourceDestCheck          *boolValue                     `xml:"sourceDestCheck,omitempty"`
	AssociatePublicIPAddress *bool                          `xml:"associatePublicIpAddress,omitempty"`
}

func networkInterfaceAttributeXML(r *ec2labv1.DescribeNetworkInterfaceAttributeResponse) body {
	b := &describeNetworkInterfaceAttributeBody{NetworkInterfaceID: r.GetNetworkInterfaceId(),
		Description:     text(r.GetDescription()),
		SourceDestCheck: flag(r.GetSourceDestCheck()), AssociatePublicIPAddress: r.AssociatePublicIpAddress}
	if a := r.GetAttachment(); a != nil {
		b.Attachment = &networkInterfaceAttachmentXML{AttachTime: xmlTime(a.GetAttachTime()), AttachmentID: a.GetAttachmentId(),
			DeleteOnTermination: a.GetDeleteOnTermination(), DeviceIndex: a.GetDeviceIndex(),
			NetworkCardIndex: a.GetNetworkCardIndex(), InstanceID: a.GetInstanceId(),
			InstanceOwnerID: a.GetInstanceOwnerId(), Status: a.GetStatus()}
	}
	if r.GetAttribute() == "groupSet" {
		gs := groupSet(r.GetGroups())
		b.GroupSet = &gs
	}
	return b
}
