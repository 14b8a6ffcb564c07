package controller

import (
	"context"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// NetworkInterfaceAttributes are the attributes of
// DescribeNetworkInterfaceAttribute (botocore's NetworkInterfaceAttribute).
var NetworkInterfaceAttributes = []string{"description", "groupSet", "sourceDestCheck", "attachment", "associatePublicIpAddress"}

// DescribeNetworkInterfaceAttribute answers the caller's interface id; the
// edges show only attribute of it.
func (s *Service) DescribeNetworkInterfaceAttribute(ctx context.Context, id, attribute string, dryRun bool) (NetworkInterface, error) {
	acct, err := account(ctx)
	if err != nil {
		return NetworkInterface{}, err
	}
	if attribute == "" {
		return NetworkInterface{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Attribute")
	}
	if !slices.Contains(NetworkInterfaceAttributes, attribute) {
		return NetworkInterface{}, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Unknown network interface attribute", attribute)
	}
	ni, err := s.ownNetworkInterface(ctx, acct, id)
	if err != nil {
		return NetworkInterface{}, err
	}
	if dryRun {
		return NetworkInterface{}, DryRun()
	}
	return ni, nil
}

// NetworkInterfaceChange is ModifyNetworkInterfaceAttribute's input: one
// attribute per call, as EC2 takes it.
type NetworkInterfaceChange struct {
	NetworkInterfaceID string
	Description        *string
	SourceDestCheck    *bool
	Groups             []string
	Attachment         *InterfaceAttachmentChange
	DryRun             bool
}

// InterfaceAttachmentChange changes DeleteOnTermination of an attachment.
type InterfaceAttachmentChange struct {
	AttachmentID        string
	DeleteOnTermination *bool
}

// given names the attributes c sets.
func (c NetworkInterfaceChange) given() []string {
	var out []string
	for _, a := range []struct {
		name string
		set  bool
	}{{"description", c.Description != nil}, {"sourceDestCheck", c.SourceDestCheck != nil},
		{"groupSet", len(c.Groups) > 0}, {"attachment", c.Attachment != nil}} {
		if a.set {
			out = append(out, a.name)
		}
	}
	return out
}

// ModifyNetworkInterfaceAttribute changes one attribute of the caller's
// interface. Its groups and source/destination check are the instance's,
// changed through ModifyInstanceAttribute so the hosts' firewalls follow;
// its description is recorded on the instance. The primary interface is
// always deleted with its instance: DeleteOnTermination false is refused.
func (s *Service) ModifyNetworkInterfaceAttribute(ctx context.Context, c NetworkInterfaceChange) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	given := c.given()
	switch {
	case len(given) == 0:
		return ec2err.New(ec2err.MissingParameter,
			"The request must contain one of the parameters Description, SourceDestCheck, SecurityGroupId or Attachment")
	case len(given) > 1:
		return ec2err.New(ec2err.InvalidParameterCombination, "Fields for multiple attribute types specified: %s, %s", given[0], given[1])
	}
	ni, err := s.ownNetworkInterface(ctx, acct, c.NetworkInterfaceID)
	if err != nil {
		return err
	}
	inst := ni.Attachment.InstanceID
	switch given[0] {
	case "sourceDestCheck":
		return s.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: inst, SourceDestCheck: c.SourceDestCheck, DryRun: c.DryRun})
	case "groupSet":
		return s.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: inst, Groups: c.Groups, DryRun: c.DryRun})
	case "attachment":
		return checkAttachmentChange(ni, *c.Attachment, c.DryRun)
	}
	return s.describeInterface(ctx, ni, *c.Description, c.DryRun)
}

// checkAttachmentChange accepts what the primary attachment already is:
// DeleteOnTermination true. ec2lab cannot keep an instance's primary
// interface once the instance is gone.
func checkAttachmentChange(ni NetworkInterface, a InterfaceAttachmentChange, dryRun bool) error {
	if a.AttachmentID == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Attachment.AttachmentId")
	}
	if a.AttachmentID != ni.Attachment.ID {
		return ec2err.New(ec2err.InvalidAttachmentIDNotFound,
			"The attachment ID '%s' is not an attachment of network interface %s", a.AttachmentID, ni.ID)
	}
	if a.DeleteOnTermination != nil && !*a.DeleteOnTermination {
		return ec2err.New(ec2err.UnsupportedOperation,
			"DeleteOnTermination cannot be false for %s: ec2lab's only interface is the instance's primary one, deleted with its instance", ni.ID)
	}
	if dryRun {
		return DryRun()
	}
	return nil
}

// describeInterface records the interface's description on its instance.
func (s *Service) describeInterface(ctx context.Context, ni NetworkInterface, desc string, dryRun bool) error {
	if len(desc) > 255 {
		return ec2err.New(ec2err.InvalidParameterValue, "Value for parameter Description is invalid: longer than 255 characters")
	}
	if dryRun {
		return DryRun()
	}
	id := ni.Attachment.InstanceID
	_, err := update(ctx, s.st, prefixInstance+id, func(in *Instance) error {
		if in.State == StateTerminated {
			return eniNotFound(ni.ID)
		}
		in.ENIDescription = desc
		return nil
	})
	if err != nil {
		return fmt.Errorf("describe interface %s: %w", ni.ID, err)
	}
	s.log.Info("network interface description modified", "interface", ni.ID, "instance", id)
	return nil
}

// ResetNetworkInterfaceAttribute turns the interface's source/destination
// check back on, the one attribute EC2 resets.
func (s *Service) ResetNetworkInterfaceAttribute(ctx context.Context, id, sourceDestCheck string, dryRun bool) error {
	if sourceDestCheck == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter SourceDestCheck")
	}
	on := true
	return s.ModifyNetworkInterfaceAttribute(ctx, NetworkInterfaceChange{NetworkInterfaceID: id, SourceDestCheck: &on, DryRun: dryRun})
}
