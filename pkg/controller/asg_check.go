package controller

import (
	"context"
	"slices"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// GroupRequest is CreateAutoScalingGroup's and UpdateAutoScalingGroup's
// input; nil and empty fields are not given (an update keeps them).
type GroupRequest struct {
	Name                   string
	LaunchTemplate         *LaunchTemplateSpec
	MinSize, MaxSize       *int
	DesiredCapacity        *int
	DefaultCooldown        *int
	AvailabilityZones      []string
	VPCZoneIdentifier      *string
	HealthCheckType        *string
	HealthCheckGracePeriod *int
	TerminationPolicies    []string
	Tags                   []GroupTag // create only
}

// Limits of groups (AWS's defaults).
const (
	maxGroupsPerAccount = 200
	maxGroupTags        = 50
	defaultCooldown     = 300
)

// Termination policies served (asg_scale.go).
const (
	PolicyDefault        = "Default"
	PolicyNewestInstance = "NewestInstance"
	PolicyOldestInstance = "OldestInstance"
)

// HealthCheckEC2 is the one health check served: an instance that is
// stopped or terminated is replaced.
const HealthCheckEC2 = "EC2"

func validationError(format string, args ...any) error {
	return ec2err.New(ec2err.ValidationError, format, args...)
}

// checkName checks a group name (1 to 255 characters).
func checkGroupName(name string) error {
	if name == "" {
		return missingASGParam("autoScalingGroupName")
	}
	if len(name) > 255 || strings.ContainsAny(name, "\x00\n") {
		return validationError("1 validation error detected: Value '%s' at 'autoScalingGroupName' failed to satisfy constraint: Member must have length less than or equal to 255", name)
	}
	return nil
}

// checkSizes checks the bounds and the desired capacity between them.
func checkSizes(min, max, desired int) error {
	switch {
	case min < 0:
		return validationError("1 validation error detected: Value '%d' at 'minSize' failed to satisfy constraint: Member must have value greater than or equal to 0", min)
	case max < 0:
		return validationError("1 validation error detected: Value '%d' at 'maxSize' failed to satisfy constraint: Member must have value greater than or equal to 0", max)
	case min > max:
		return validationError("Max bound, %d, must be greater than or equal to min bound, %d", max, min)
	case desired < min || desired > max:
		return validationError("Desired capacity:%d must be between the specified min size:%d and max size:%d", desired, min, max)
	}
	return nil
}

// checkGroupTemplate resolves the template a group names (by ID or name)
// and checks that its version exists; the spec returned names it by ID
// and name, with the version as given ($Default when none).
func (s *Service) checkGroupTemplate(ctx context.Context, acct string, spec LaunchTemplateSpec) (LaunchTemplateSpec, error) {
	if (spec.ID == "") == (spec.Name == "") {
		return spec, validationError("Valid requests must contain either launchTemplateId or LaunchTemplateName")
	}
	t, _, err := s.ownTemplate(ctx, acct, spec.ID, spec.Name)
	if err != nil {
		return spec, templateValidation(err)
	}
	if spec.Version == "" {
		spec.Version = "$Default"
	}
	if _, _, err := s.templateVersion(ctx, t, spec.Version); err != nil {
		return spec, templateValidation(err)
	}
	return LaunchTemplateSpec{ID: t.ID, Name: t.Name, Version: spec.Version}, nil
}

// templateValidation is EC2's answer about a template as Auto Scaling
// words it: a ValidationError with EC2's message.
func templateValidation(err error) error {
	if e, ok := ec2err.As(err); ok {
		return validationError("You must use a valid fully-formed launch template. %s", e.Message)
	}
	return err
}

// groupSubnets resolves VPCZoneIdentifier (comma-separated subnet IDs) or,
// without it, the default subnets of zones; it returns the subnets in the
// order given and their zones, sorted.
func (s *Service) groupSubnets(ctx context.Context, acct, vpcZoneID string, zones []string) ([]string, []string, error) {
	var subnets []string
	for _, id := range strings.Split(vpcZoneID, ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(subnets, id) {
			subnets = append(subnets, id)
		}
	}
	if len(subnets) == 0 && len(zones) == 0 {
		return nil, nil, validationError("At least one Availability Zone or VPC Subnet is required.")
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, nil, err
	}
	if len(subnets) == 0 {
		return s.defaultGroupSubnets(ctx, acct, zones)
	}
	var got []string
	for _, id := range subnets {
		sn, _, err := s.ownSubnet(ctx, acct, id)
		if err != nil {
			return nil, nil, validationError("The subnet ID '%s' does not exist", id)
		}
		if !slices.Contains(got, sn.AZ) {
			got = append(got, sn.AZ)
		}
	}
	slices.Sort(got)
	if len(zones) > 0 {
		want := slices.Clone(zones)
		slices.Sort(want)
		if !slices.Equal(slices.Compact(want), got) {
			return nil, nil, validationError("The availability zones of the specified subnets and the Auto Scaling group do not match")
		}
	}
	return subnets, got, nil
}

// defaultGroupSubnets are the account's default subnets of zones.
func (s *Service) defaultGroupSubnets(ctx context.Context, acct string, zones []string) ([]string, []string, error) {
	all, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, nil, err
	}
	var subnets, got []string
	for _, z := range zones {
		if _, ok := s.cfg.Zone(z); !ok {
			return nil, nil, validationError("The availability zone '%s' is not legal in region %s", z, s.cfg.Region)
		}
		if slices.Contains(got, z) {
			continue
		}
		i := slices.IndexFunc(all, func(sn Subnet) bool { return sn.Owner == acct && sn.AZ == z && sn.DefaultForAZ })
		if i < 0 {
			return nil, nil, validationError("No default subnet for availability zone '%s'; give VPCZoneIdentifier", z)
		}
		subnets, got = append(subnets, all[i].ID), append(got, z)
	}
	slices.Sort(got)
	return subnets, got, nil
}

func checkHealthCheck(typ string, grace int) error {
	switch typ {
	case HealthCheckEC2:
	case "ELB", "VPC_LATTICE", "EBS":
		return validationError("Health check type %s is not supported by ec2lab (it has no load balancers); use EC2", typ)
	default:
		return validationError("Invalid health check type '%s'; valid values are EC2, ELB, VPC_LATTICE and EBS", typ)
	}
	if grace < 0 {
		return validationError("1 validation error detected: Value '%d' at 'healthCheckGracePeriod' failed to satisfy constraint: Member must have value greater than or equal to 0", grace)
	}
	return nil
}

func checkTerminationPolicies(ps []string) error {
	for _, p := range ps {
		switch p {
		case PolicyDefault, PolicyNewestInstance, PolicyOldestInstance:
		case "OldestLaunchTemplate", "OldestLaunchConfiguration", "ClosestToNextInstanceHour", "AllocationStrategy":
			return validationError("Termination policy %s is not supported by ec2lab; use Default, NewestInstance or OldestInstance", p)
		default:
			return validationError("Termination policy %s is not valid", p)
		}
	}
	return nil
}

func checkGroupTags(tags []GroupTag) error {
	if len(tags) > maxGroupTags {
		return ec2err.New(ec2err.LimitExceeded, "The number of tags (%d) exceeds the limit of %d per Auto Scaling group", len(tags), maxGroupTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case t.Key == "" || len(t.Key) > 128:
			return validationError("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
		case len(t.Value) > 256:
			return validationError("1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return validationError("Tag keys starting with 'aws:' are reserved for internal use: %s", t.Key)
		case seen[t.Key]:
			return validationError("Duplicate tag key %s", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}
