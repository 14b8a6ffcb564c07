package controller

import (
	"context"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// resettable are the attributes ResetInstanceAttribute takes (EC2's rule).
var resettable = []string{"kernel", "ramdisk", "sourceDestCheck"}

// ResetInstanceAttribute resets an attribute of one of the caller's
// instances to its default, under EC2's rules: kernel and ramdisk only
// while the instance is stopped, sourceDestCheck running or stopped. The
// kernel and ramdisk are always the image's (ModifyInstanceAttribute
// refuses to change them), so their reset, once allowed, changes nothing;
// sourceDestCheck's turns the check back on, on the host's firewall too.
func (s *Service) ResetInstanceAttribute(ctx context.Context, id, attr string, dryRun bool) error {
	if attr == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter attribute")
	}
	if !slices.Contains(InstanceAttributeNames, attr) {
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	if !slices.Contains(resettable, attr) {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Only kernel, ramdisk and sourceDestCheck can be reset.", attr)
	}
	in, err := s.instance(ctx, id)
	if err != nil {
		return err
	}
	if err := checkReset(in, attr); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	if attr == "sourceDestCheck" && in.SourceDestCheckOff {
		if _, err := update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error {
			if err := checkReset(*r, attr); err != nil {
				return err
			}
			r.SourceDestCheckOff = false
			return nil
		}); err != nil {
			return fmt.Errorf("reset %s of %s: %w", attr, in.ID, err)
		}
		s.firewallChanged(ctx)
	}
	s.log.Info("instance attribute reset", "instance", in.ID, "attribute", attr)
	return nil
}

// checkReset holds a reset to the instance's state.
func checkReset(in Instance, attr string) error {
	if in.State == StateTerminated || in.State == StateShuttingDown {
		return ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is not in a state from which its attributes can be reset (state: %s).", in.ID, in.State)
	}
	if attr != "sourceDestCheck" && in.State != StateStopped {
		return ec2err.New(ec2err.IncorrectInstanceState, "The instance '%s' is not in the 'stopped' state.", in.ID)
	}
	return nil
}
