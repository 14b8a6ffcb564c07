package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeNetworkInterfaceAttribute answers one attribute of an interface.
func (c *Compute) DescribeNetworkInterfaceAttribute(ctx context.Context, r *v1.DescribeNetworkInterfaceAttributeRequest) (*v1.DescribeNetworkInterfaceAttributeResponse, error) {
	ni, err := c.svc.DescribeNetworkInterfaceAttribute(ctx, r.GetNetworkInterfaceId(), r.GetAttribute(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	full := networkInterfaceOut(ni)
	out := &v1.DescribeNetworkInterfaceAttributeResponse{NetworkInterfaceId: ni.ID, Attribute: r.GetAttribute()}
	switch r.GetAttribute() {
	case "description":
		out.Description = &v1.AttributeValue{Value: ni.Description}
	case "groupSet":
		out.Groups = full.GetGroups()
	case "sourceDestCheck":
		out.SourceDestCheck = &v1.AttributeBooleanValue{Value: ni.SourceDestCheck}
	case "attachment":
		out.Attachment = full.GetAttachment()
	case "associatePublicIpAddress":
		out.AssociatePublicIpAddress = &ni.AssociatePublicIP
	}
	return out, nil
}

// ModifyNetworkInterfaceAttribute changes one attribute of an interface;
// the members ec2lab cannot honour are refused, naming why.
func (c *Compute) ModifyNetworkInterfaceAttribute(ctx context.Context, r *v1.ModifyNetworkInterfaceAttributeRequest) (*v1.ModifyNetworkInterfaceAttributeResponse, error) {
	if err := modifyInterfaceUnsupported(r); err != nil {
		return nil, err
	}
	ch := controller.NetworkInterfaceChange{NetworkInterfaceID: r.GetNetworkInterfaceId(), Description: text(r.GetDescription()),
		SourceDestCheck: flag(r.GetSourceDestCheck()), Groups: r.GetGroups(), DryRun: r.GetDryRun()}
	if a := r.GetAttachment(); a != nil {
		ch.Attachment = &controller.InterfaceAttachmentChange{AttachmentID: a.GetAttachmentId(), DeleteOnTermination: a.DeleteOnTermination}
	}
	if err := c.svc.ModifyNetworkInterfaceAttribute(ctx, ch); err != nil {
		return nil, err
	}
	return &v1.ModifyNetworkInterfaceAttributeResponse{}, nil
}

// modifyInterfaceUnsupported refuses the members of
// ModifyNetworkInterfaceAttribute beyond description, groups,
// source/destination check and DeleteOnTermination.
func modifyInterfaceUnsupported(r *v1.ModifyNetworkInterfaceAttributeRequest) error {
	a := r.GetAttachment()
	return refuse(
		unsupportedParam{"AssociatePublicIpAddress", r.AssociatePublicIpAddress != nil,
			"ec2lab gives an interface its public IPv4 address at launch only"},
		unsupportedParam{"EnablePrimaryIpv6", r.EnablePrimaryIpv6 != nil, "ec2lab interfaces have no IPv6 addresses"},
		unsupportedParam{"AssociatedSubnetId", len(r.GetAssociatedSubnetIds()) > 0, "ec2lab interfaces are in one subnet"},
		unsupportedParam{"EnaSrdSpecification", r.EnaSrdSpecification != nil, "ec2lab has no ENA Express"},
		unsupportedParam{"ConnectionTrackingSpecification", r.ConnectionTrackingSpecification != nil,
			"ec2lab's firewall keeps its own connection tracking timeouts"},
		unsupportedParam{"Attachment.EnaQueueCount", a != nil && (a.EnaQueueCount != nil || a.DefaultEnaQueueCount != nil),
			"ec2lab interfaces are virtio devices without ENA queues"},
	)
}

// ResetNetworkInterfaceAttribute turns source/destination checking back on.
func (c *Compute) ResetNetworkInterfaceAttribute(ctx context.Context, r *v1.ResetNetworkInterfaceAttributeRequest) (*v1.ResetNetworkInterfaceAttributeResponse, error) {
	if err := c.svc.ResetNetworkInterfaceAttribute(ctx, r.GetNetworkInterfaceId(), r.GetSourceDestCheck(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ResetNetworkInterfaceAttributeResponse{}, nil
}
