package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// ValidationError is one thing a launch with a template version's data
// would fail on (EC2's ValidationError in a ValidationWarning): the code
// and message RunInstances would answer.
type ValidationError struct {
	Code, Message string
}

// templateWarnings looks up, as RunInstances would, the resources d names
// and the combinations it makes, and lists what a launch would fail on.
// EC2 records a version all the same and warns: the resources may exist
// by the time the template is used.
func (s *Service) templateWarnings(ctx context.Context, acct string, d LaunchTemplateData) []ValidationError {
	var out []ValidationError
	note := func(err error) {
		if err == nil {
			return
		}
		e, ok := ec2err.As(err)
		if !ok {
			e = &ec2err.Error{Code: ec2err.InternalError, Message: err.Error()}
		}
		out = append(out, ValidationError{Code: e.Code, Message: e.Message})
	}
	if d.ImageID != "" {
		_, err := s.launchableImage(ctx, acct, d.ImageID)
		note(err)
	}
	if d.KeyName != "" {
		if _, _, err := store.GetJSON[KeyPair](ctx, s.st, keyPairKey(acct, d.KeyName)); err != nil {
			note(ec2err.New(ec2err.InvalidKeyPairNotFound, "The key pair '%s' does not exist", d.KeyName))
		}
	}
	for _, err := range s.templateGroupProblems(ctx, acct, d) {
		note(err)
	}
	for _, dev := range d.BlockDevices {
		if dev.EBS != nil && dev.EBS.SnapshotID != "" {
			_, err := s.visibleSnapshot(ctx, acct, dev.EBS.SnapshotID)
			note(err)
		}
	}
	if p := d.Placement; p != nil {
		if _, ok := s.cfg.Zone(p.AZ); p.AZ != "" && !ok {
			note(ec2err.New(ec2err.InvalidParameterValue, "Invalid availability zone: [%s]", p.AZ))
		}
		if _, _, err := store.GetJSON[PlacementGroup](ctx, s.st, placementGroupKey(acct, p.GroupName)); p.GroupName != "" && err != nil {
			note(placementGroupUnknown(p.GroupName))
		}
	}
	return out
}

// templateGroupProblems looks up the security groups and subnet d names.
func (s *Service) templateGroupProblems(ctx context.Context, acct string, d LaunchTemplateData) []error {
	var out []error
	for _, g := range d.SecurityGroupIDs {
		if _, _, err := s.ownGroup(ctx, acct, g); err != nil {
			out = append(out, err)
		}
	}
	for _, n := range d.SecurityGroups {
		if _, _, err := s.groupByIDOrName(ctx, acct, "", n); err != nil {
			out = append(out, err)
		}
	}
	for _, ni := range d.NetworkInterfaces {
		if ni.SubnetID != "" {
			if _, _, err := s.ownSubnet(ctx, acct, ni.SubnetID); err != nil {
				out = append(out, err)
			}
		}
		for _, g := range ni.Groups {
			if _, _, err := s.ownGroup(ctx, acct, g); err != nil {
				out = append(out, err)
			}
		}
	}
	if len(d.NetworkInterfaces) > 0 && (len(d.SecurityGroupIDs) > 0 || len(d.SecurityGroups) > 0) {
		out = append(out, errInterfacesAndGroups())
	}
	return out
}

func errInterfacesAndGroups() error {
	return ec2err.New(ec2err.InvalidParameterCombination,
		"Network interfaces and an instance-level security groups may not be specified on the same request")
}
