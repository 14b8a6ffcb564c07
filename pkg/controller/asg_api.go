package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// CreateAutoScalingGroup records a group; the sweep launches its
// instances.
func (s *Service) CreateAutoScalingGroup(ctx context.Context, req GroupRequest) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	g, err := s.newGroup(ctx, acct, req)
	if err != nil {
		return err
	}
	if n, err := s.st.List(ctx, prefixASG+acct+"/"); err == nil && len(n) >= maxGroupsPerAccount {
		return ec2err.New(ec2err.LimitExceeded, "You have reached the limit of %d Auto Scaling groups in this region.", maxGroupsPerAccount)
	}
	op, err := store.PutJSON(asgKey(acct, g.Name), g, store.MustNotExist)
	if err != nil {
		return err
	}
	if _, err := s.st.Txn(ctx, op); errors.Is(err, store.ErrConflict) {
		return groupExists(g.Name)
	} else if err != nil {
		return fmt.Errorf("record auto scaling group %s: %w", g.Name, err)
	}
	s.log.Info("auto scaling group created", "group", g.Name, "account", acct, "desired", g.Desired)
	s.Kick()
	return nil
}

func groupExists(name string) error {
	return ec2err.New(ec2err.AlreadyExists, "AutoScalingGroup by this name already exists - A group with the name %s already exists", name)
}

// newGroup checks a CreateAutoScalingGroup and builds the record.
func (s *Service) newGroup(ctx context.Context, acct string, req GroupRequest) (AutoScalingGroup, error) {
	if err := checkGroupName(req.Name); err != nil {
		return AutoScalingGroup{}, err
	}
	if req.MinSize == nil {
		return AutoScalingGroup{}, missingASGParam("minSize")
	}
	if req.MaxSize == nil {
		return AutoScalingGroup{}, missingASGParam("maxSize")
	}
	if req.LaunchTemplate == nil {
		return AutoScalingGroup{}, validationError("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
	}
	if _, err := s.st.Get(ctx, asgKey(acct, req.Name)); err == nil {
		return AutoScalingGroup{}, groupExists(req.Name)
	}
	now := s.now().UTC()
	g := AutoScalingGroup{Name: req.Name, Owner: acct, ARN: s.groupARN(acct, req.Name), CreatedTime: now,
		MinSize: *req.MinSize, MaxSize: *req.MaxSize, Desired: *req.MinSize, DefaultCooldown: defaultCooldown,
		HealthCheckType: HealthCheckEC2, TerminationPolicies: []string{PolicyDefault}, Tags: req.Tags}
	if req.DesiredCapacity != nil {
		g.Desired = *req.DesiredCapacity
	}
	g.DesiredCause = fmt.Sprintf("At %s a user request created an AutoScalingGroup changing the desired capacity from 0 to %d.", timestamp(now), g.Desired)
	if err := checkGroupTags(req.Tags); err != nil {
		return g, err
	}
	if err := s.applyGroupRequest(ctx, &g, req); err != nil {
		return g, err
	}
	return g, nil
}

// applyGroupRequest sets on g what req gives (beyond the sizes), checked.
func (s *Service) applyGroupRequest(ctx context.Context, g *AutoScalingGroup, req GroupRequest) error {
	if err := checkSizes(g.MinSize, g.MaxSize, g.Desired); err != nil {
		return err
	}
	if req.LaunchTemplate != nil {
		spec, err := s.checkGroupTemplate(ctx, g.Owner, *req.LaunchTemplate)
		if err != nil {
			return err
		}
		g.LaunchTemplate = spec
	}
	if req.VPCZoneIdentifier != nil || len(req.AvailabilityZones) > 0 {
		vpcZone := ""
		if req.VPCZoneIdentifier != nil {
			vpcZone = *req.VPCZoneIdentifier
		}
		subnets, zones, err := s.groupSubnets(ctx, g.Owner, vpcZone, req.AvailabilityZones)
		if err != nil {
			return err
		}
		g.Subnets, g.Zones = subnets, zones
	}
	if len(g.Subnets) == 0 {
		return validationError("At least one Availability Zone or VPC Subnet is required.")
	}
	if req.HealthCheckType != nil {
		g.HealthCheckType = *req.HealthCheckType
	}
	if req.HealthCheckGracePeriod != nil {
		g.HealthCheckGracePeriod = *req.HealthCheckGracePeriod
	}
	if err := checkHealthCheck(g.HealthCheckType, g.HealthCheckGracePeriod); err != nil {
		return err
	}
	if req.DefaultCooldown != nil {
		if *req.DefaultCooldown < 0 {
			return validationError("1 validation error detected: Value '%d' at 'defaultCooldown' failed to satisfy constraint: Member must have value greater than or equal to 0", *req.DefaultCooldown)
		}
		g.DefaultCooldown = *req.DefaultCooldown
	}
	if len(req.TerminationPolicies) > 0 {
		if err := checkTerminationPolicies(req.TerminationPolicies); err != nil {
			return err
		}
		g.TerminationPolicies = slices.Clone(req.TerminationPolicies)
	}
	return nil
}

// UpdateAutoScalingGroup changes a group. New bounds move the desired
// capacity into them when it is not given, as AWS does.
func (s *Service) UpdateAutoScalingGroup(ctx context.Context, req GroupRequest) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if _, _, err := s.ownASG(ctx, acct, req.Name); err != nil {
		return err
	}
	_, err = s.mutateGroup(ctx, asgKey(acct, req.Name), func(g *AutoScalingGroup) ([]ScalingActivity, error) {
		if g.Deleting {
			return nil, pendingDelete(g.Name)
		}
		before := g.Desired
		if req.MinSize != nil {
			g.MinSize = *req.MinSize
		}
		if req.MaxSize != nil {
			g.MaxSize = *req.MaxSize
		}
		if req.DesiredCapacity != nil {
			g.Desired = *req.DesiredCapacity
		} else if g.MinSize <= g.MaxSize {
			g.Desired = min(max(g.Desired, g.MinSize), g.MaxSize)
		}
		if err := s.applyGroupRequest(ctx, g, req); err != nil {
			return nil, err
		}
		if g.Desired != before {
			g.DesiredCause = fmt.Sprintf("At %s a user request update of AutoScalingGroup constraints to min: %d, max: %d, desired: %d changing the desired capacity from %d to %d.",
				timestamp(s.now()), g.MinSize, g.MaxSize, g.Desired, before, g.Desired)
		}
		g.Failures, g.RetryAt = 0, s.now()
		return nil, nil
	})
	if err == nil {
		s.Kick()
	}
	return err
}

func pendingDelete(name string) error {
	return ec2err.New(ec2err.ScalingActivityInProgress, "AutoScalingGroup %s is pending delete.", name)
}

// SetDesiredCapacity sets a group's desired capacity within its bounds.
func (s *Service) SetDesiredCapacity(ctx context.Context, name string, desired int) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if _, _, err := s.ownASG(ctx, acct, name); err != nil {
		return err
	}
	_, err = s.mutateGroup(ctx, asgKey(acct, name), func(g *AutoScalingGroup) ([]ScalingActivity, error) {
		switch {
		case g.Deleting:
			return nil, pendingDelete(g.Name)
		case desired > g.MaxSize:
			return nil, validationError("New SetDesiredCapacity value %d is above max value %d for the AutoScalingGroup.", desired, g.MaxSize)
		case desired < g.MinSize:
			return nil, validationError("New SetDesiredCapacity value %d is below min value %d for the AutoScalingGroup.", desired, g.MinSize)
		case desired == g.Desired:
			return nil, errNoChange
		}
		g.DesiredCause = fmt.Sprintf("At %s a user request explicitly set group desired capacity changing the desired capacity from %d to %d.",
			timestamp(s.now()), g.Desired, desired)
		g.Desired, g.Failures, g.RetryAt = desired, 0, s.now()
		return nil, nil
	})
	if err == nil {
		s.Kick()
	}
	return err
}

// DeleteAutoScalingGroup deletes a group without instances at once. With
// force it sets the group to nothing and the sweep terminates its
// instances, then deletes it; without, a group that still has instances or
// a launch in flight is refused.
func (s *Service) DeleteAutoScalingGroup(ctx context.Context, name string, force bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	g, rev, err := s.ownASG(ctx, acct, name)
	if err != nil {
		return err
	}
	if !force {
		switch {
		case g.Launch != nil:
			return ec2err.New(ec2err.ScalingActivityInProgress, "You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.")
		case len(g.Instances) > 0:
			return ec2err.New(ec2err.ResourceInUse, "You cannot delete an AutoScalingGroup while there are instances still in the group.")
		}
		op := store.Op{Key: asgKey(acct, name), Delete: true, ExpectRevision: rev}
		if _, err := s.st.Txn(ctx, op); errors.Is(err, store.ErrConflict) {
			return ec2err.New(ec2err.ResourceContention, "You already have a pending update to an Auto Scaling resource (for example, a group, instance, or load balancer).")
		} else if err != nil {
			return fmt.Errorf("delete auto scaling group %s: %w", name, err)
		}
		s.dropActivities(ctx, g)
		s.log.Info("auto scaling group deleted", "group", name, "account", acct)
		return nil
	}
	_, err = s.mutateGroup(ctx, asgKey(acct, name), func(g *AutoScalingGroup) ([]ScalingActivity, error) {
		if g.Deleting {
			return nil, errNoChange
		}
		g.DesiredCause = fmt.Sprintf("At %s a user request update of AutoScalingGroup constraints to min: 0, max: 0, desired: 0 changing the desired capacity from %d to 0.",
			timestamp(s.now()), g.Desired)
		g.Deleting, g.MinSize, g.MaxSize, g.Desired = true, 0, 0, 0
		return nil, nil
	})
	if err == nil {
		s.log.Info("auto scaling group deleting", "group", name, "account", acct, "instances", len(g.Instances))
		s.Kick()
	}
	return err
}

// dropActivities deletes the activities of a deleted group.
func (s *Service) dropActivities(ctx context.Context, g AutoScalingGroup) {
	kvs, err := s.st.List(ctx, activityPrefix(g.Owner, g.Name))
	if err != nil {
		return
	}
	ops := make([]store.Op, 0, len(kvs))
	for _, kv := range kvs {
		ops = append(ops, store.Op{Key: kv.Key, Delete: true, ExpectRevision: store.AnyRevision})
	}
	if len(ops) > 0 {
		if _, err := s.st.Txn(ctx, ops...); err != nil {
			s.log.Warn("drop scaling activities", "group", g.Name, "err", err)
		}
	}
}

// TerminateInstanceInAutoScalingGroup takes an instance out of its group
// and terminates it; with decrement the desired capacity drops by one,
// else the sweep launches a replacement.
func (s *Service) TerminateInstanceInAutoScalingGroup(ctx context.Context, instanceID string, decrement bool) (ScalingActivity, error) {
	acct, err := account(ctx)
	if err != nil {
		return ScalingActivity{}, err
	}
	if instanceID == "" {
		return ScalingActivity{}, missingASGParam("instanceId")
	}
	g, ok := s.groupOf(ctx, acct, instanceID)
	if !ok {
		return ScalingActivity{}, validationError("Instance Id not found - No managed instance found for instance ID: %s", instanceID)
	}
	var act ScalingActivity
	g, err = s.mutateGroup(ctx, asgKey(acct, g.Name), func(g *AutoScalingGroup) ([]ScalingActivity, error) {
		i := g.member(instanceID)
		if i < 0 {
			return nil, validationError("Instance Id not found - No managed instance found for instance ID: %s", instanceID)
		}
		m := &g.Instances[i]
		if m.LifecycleState == LifecycleTerminating { // asked again: the same activity
			act, _ = s.activity(ctx, *g, m.Activity)
			return nil, errNoChange
		}
		cause := fmt.Sprintf("At %s instance %s was taken out of service in response to a user request.", timestamp(s.now()), instanceID)
		if decrement {
			if g.Desired <= g.MinSize {
				return nil, validationError("Currently, desiredSize equals minSize (%d). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.", g.MinSize)
			}
			cause = fmt.Sprintf("At %s instance %s was taken out of service in response to a user request, shrinking the capacity from %d to %d.",
				timestamp(s.now()), instanceID, g.Desired, g.Desired-1)
			g.Desired--
			g.DesiredCause = cause
		}
		act = s.newActivity(*g, "Terminating EC2 instance: "+instanceID, cause, s.memberDetails(*m))
		m.LifecycleState, m.Activity = LifecycleTerminating, act.ID
		return []ScalingActivity{act}, nil
	})
	if err != nil {
		return ScalingActivity{}, err
	}
	s.terminateMembers(ctx, g, []string{instanceID})
	s.Kick()
	return act, nil
}

// groupOf finds the caller's group that has instance id.
func (s *Service) groupOf(ctx context.Context, acct, id string) (AutoScalingGroup, bool) {
	gs, err := store.ListJSON[AutoScalingGroup](ctx, s.st, prefixASG+acct+"/")
	if err != nil {
		return AutoScalingGroup{}, false
	}
	for _, g := range gs {
		if g.member(id) >= 0 {
			return g, true
		}
	}
	return AutoScalingGroup{}, false
}
