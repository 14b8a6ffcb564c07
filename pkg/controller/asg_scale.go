package controller

import (
	"context"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/crashpoint"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// launchMember records the launch of one instance, in the zone with the
// fewest of the group's instances, then makes it (finishLaunch). The
// record comes first: the RunInstances request, with its activity's
// client token, is kept in the group, so that a controller that stops
// between the two replays the same request and gets the same instance.
func (s *Service) launchMember(ctx context.Context, g AutoScalingGroup) (AutoScalingGroup, error) {
	g, err := s.recordLaunch(ctx, g)
	if err != nil || g.Launch == nil {
		return g, err
	}
	crashpoint.Hit("asg-launch-recorded")
	return s.finishLaunch(ctx, g)
}

// recordLaunch records the next launch of g and its activity (g.Launch
// stays nil when none is needed, or the template cannot launch).
func (s *Service) recordLaunch(ctx context.Context, g AutoScalingGroup) (AutoScalingGroup, error) {
	sn, err := s.pickSubnet(ctx, g)
	if err != nil {
		return g, err
	}
	t, _, err := s.ownTemplate(ctx, g.Owner, g.LaunchTemplate.ID, "")
	if err != nil {
		return s.failLaunchEarly(ctx, g, err)
	}
	v, _, err := s.templateVersion(ctx, t, g.LaunchTemplate.Version)
	if err != nil {
		return s.failLaunchEarly(ctx, g, err)
	}
	return s.mutateGroup(ctx, asgKey(g.Owner, g.Name), func(cur *AutoScalingGroup) ([]ScalingActivity, error) {
		if cur.Launch != nil || len(cur.active()) >= cur.Desired {
			return nil, errNoChange
		}
		a := s.newActivity(*cur, "Launching a new EC2 instance", s.launchCause(*cur), fmt.Sprintf(`{"Subnet ID":"%s","Availability Zone":"%s"}`, sn.ID, sn.AZ))
		req := RunRequest{MinCount: 1, MaxCount: 1, SubnetID: sn.ID, ClientToken: "asg-" + a.ID,
			LaunchTemplate: &LaunchTemplateSpec{ID: t.ID, Version: fmt.Sprint(v.Number)}}
		if tags := propagated(cur.Tags); len(tags) > 0 {
			req.Tags = map[string][]Tag{"instance": tags}
		}
		cur.Launch = &pendingLaunch{Activity: a.ID, Request: req, AZ: sn.AZ, Version: v.Number}
		return []ScalingActivity{a}, nil
	})
}

// launchCause is the cause of a launch towards the desired capacity.
func (s *Service) launchCause(g AutoScalingGroup) string {
	n := len(g.active())
	cause := fmt.Sprintf("At %s an instance was started in response to a difference between desired and actual capacity, increasing the capacity from %d to %d.",
		timestamp(s.now()), n, n+1)
	if g.DesiredCause != "" {
		cause = g.DesiredCause + "  " + cause
	}
	return cause
}

// propagated are the group's tags that go to its instances.
func propagated(tags []GroupTag) []Tag {
	var out []Tag
	for _, t := range tags {
		if t.PropagateAtLaunch {
			out = append(out, Tag{Key: t.Key, Value: t.Value})
		}
	}
	return out
}

// finishLaunch makes the launch g records. RunInstances with the
// activity's token launches once, however often it is called; its answer
// ends the activity. An EC2 refusal (no capacity, a quota, a template that
// no longer launches) fails the activity and spaces out the next try; any
// other error leaves the launch recorded for the next sweep.
func (s *Service) finishLaunch(ctx context.Context, g AutoScalingGroup) (AutoScalingGroup, error) {
	l := *g.Launch
	req := l.Request
	req.systemTags = []Tag{{Key: TagGroupName, Value: g.Name}}
	res, err := s.RunInstances(asAccount(ctx, g.Owner), req)
	crashpoint.Hit("asg-launched")
	if _, isEC2 := ec2err.As(err); err != nil && !isEC2 {
		return g, fmt.Errorf("launch for activity %s: %w", l.Activity, err)
	}
	return s.mutateGroup(ctx, asgKey(g.Owner, g.Name), func(cur *AutoScalingGroup) ([]ScalingActivity, error) {
		if cur.Launch == nil || cur.Launch.Activity != l.Activity {
			return nil, errNoChange
		}
		cur.Launch = nil
		a, ok := s.activity(ctx, *cur, l.Activity)
		if !ok {
			a = s.newActivity(*cur, "Launching a new EC2 instance", s.launchCause(*cur), "")
			a.ID = l.Activity
		}
		if err != nil {
			s.finishActivity(&a, ActivityFailed, launchFailure(err))
			a.Description = "Launching a new EC2 instance.  Status Reason: " + launchFailure(err)
			cur.Failures++
			cur.RetryAt = s.now().Add(retryBackoff(cur.Failures))
			return []ScalingActivity{a}, nil
		}
		cur.Failures = 0
		for _, in := range res.Instances {
			if cur.member(in.ID) >= 0 {
				continue
			}
			cur.Instances = append(cur.Instances, GroupMember{ID: in.ID, AZ: in.AZ, SubnetID: in.SubnetID, Type: in.Type,
				ImageID: in.ImageID, LaunchTemplate: cur.LaunchTemplate, TemplateVersion: l.Version,
				LifecycleState: LifecyclePending, HealthStatus: HealthHealthy, LaunchTime: in.LaunchTime})
			a.Description = "Launching a new EC2 instance: " + in.ID
		}
		s.finishActivity(&a, ActivitySuccessful, "")
		return []ScalingActivity{a}, nil
	})
}

func launchFailure(err error) string {
	if e, ok := ec2err.As(err); ok {
		return e.Message + " Launching EC2 instance failed."
	}
	return err.Error()
}

// failLaunchEarly records a launch that could not even be asked for (the
// template is gone): a failed activity, and the next try later.
func (s *Service) failLaunchEarly(ctx context.Context, g AutoScalingGroup, cause error) (AutoScalingGroup, error) {
	return s.mutateGroup(ctx, asgKey(g.Owner, g.Name), func(cur *AutoScalingGroup) ([]ScalingActivity, error) {
		a := s.newActivity(*cur, "Launching a new EC2 instance.  Status Reason: "+launchFailure(cause), s.launchCause(*cur), "")
		s.finishActivity(&a, ActivityFailed, launchFailure(cause))
		cur.Failures++
		cur.RetryAt = s.now().Add(retryBackoff(cur.Failures))
		return []ScalingActivity{a}, nil
	})
}

// pickSubnet is where the next instance goes: among the zones of the
// group's subnets with a healthy host (all of them when none has one: the
// launch then fails as a recorded activity), the zone with the fewest
// active instances (ties: the first zone by name), and in it the group's
// subnet with the fewest. A zone that lost its hosts gets its share in the
// others; when it recovers, later launches fill it first, but nothing is
// terminated to move instances back (see README: no AZRebalance).
func (s *Service) pickSubnet(ctx context.Context, g AutoScalingGroup) (Subnet, error) {
	var subnets, live []Subnet
	up := s.liveZones(ctx)
	for _, id := range g.Subnets {
		sn, _, err := s.ownSubnet(ctx, g.Owner, id)
		if err != nil {
			continue // deleted since: the others take the instances
		}
		subnets = append(subnets, sn)
		if up[sn.AZ] {
			live = append(live, sn)
		}
	}
	if len(live) > 0 {
		subnets = live
	}
	if len(subnets) == 0 {
		return Subnet{}, fmt.Errorf("group %s: none of its subnets exists", g.Name)
	}
	return emptiestSubnet(g, subnets), nil
}

// emptiestSubnet is the subnet of the zone with the fewest of g's active
// instances (ties: the first zone by name), and in it the one with the
// fewest.
func emptiestSubnet(g AutoScalingGroup, subnets []Subnet) Subnet {
	inZone, inSubnet := map[string]int{}, map[string]int{}
	for _, m := range g.active() {
		inZone[m.AZ]++
		inSubnet[m.SubnetID]++
	}
	best := subnets[0]
	for _, sn := range subnets[1:] {
		if inZone[sn.AZ] < inZone[best.AZ] ||
			(inZone[sn.AZ] == inZone[best.AZ] && (sn.AZ < best.AZ || (sn.AZ == best.AZ && inSubnet[sn.ID] < inSubnet[best.ID]))) {
			best = sn
		}
	}
	return best
}

// liveZones are the zones with a healthy host (DescribeAvailabilityZones'
// available ones).
func (s *Service) liveZones(ctx context.Context) map[string]bool {
	hs, _ := s.Hosts(ctx)
	up := map[string]bool{}
	for _, h := range hs {
		if h.Healthy {
			up[h.AZ] = true
		}
	}
	return up
}

// scaleIn terminates n of the group's instances, chosen by its
// termination policy (victims), each a recorded activity.
func (s *Service) scaleIn(ctx context.Context, g AutoScalingGroup, n int) error {
	var kill []string
	g, err := s.mutateGroup(ctx, asgKey(g.Owner, g.Name), func(cur *AutoScalingGroup) ([]ScalingActivity, error) {
		kill = kill[:0]
		extra := len(cur.active()) - cur.Desired
		if extra <= 0 {
			return nil, errNoChange
		}
		var acts []ScalingActivity
		for _, id := range victims(*cur, min(n, extra)) {
			i := cur.member(id)
			size := len(cur.active())
			cause := fmt.Sprintf("At %s an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from %d to %d.",
				timestamp(s.now()), size, size-1)
			if cur.DesiredCause != "" {
				cause = cur.DesiredCause + "  " + cause
			}
			a := s.newActivity(*cur, "Terminating EC2 instance: "+id, cause, s.memberDetails(cur.Instances[i]))
			cur.Instances[i].LifecycleState, cur.Instances[i].Activity = LifecycleTerminating, a.ID
			acts, kill = append(acts, a), append(kill, id)
		}
		return acts, nil
	})
	if err != nil {
		return err
	}
	s.terminateMembers(ctx, g, kill)
	return nil
}

// victims chooses n active members to terminate: AWS's default policy
// first balances the zones (a member of the zone with the most), then
// prefers members launched from another template version than the
// group's, then (Default and NewestInstance) the newest or (OldestInstance)
// the oldest.
func victims(g AutoScalingGroup, n int) []string {
	active := g.active()
	inZone := map[string]int{}
	for _, m := range active {
		inZone[m.AZ]++
	}
	current := int64(0)
	for _, m := range active { // the version the latest launch used stands for the group's
		if m.LaunchTemplate == g.LaunchTemplate && m.TemplateVersion > current {
			current = m.TemplateVersion
		}
	}
	// a member of another template than the group's (it was switched), or
	// of another version, is out of date
	outdated := func(m GroupMember) bool { return m.LaunchTemplate != g.LaunchTemplate || m.TemplateVersion != current }
	oldest := slices.Contains(g.TerminationPolicies, PolicyOldestInstance)
	var out []string
	for range n {
		slices.SortStableFunc(active, func(a, b GroupMember) int {
			if inZone[a.AZ] != inZone[b.AZ] {
				return inZone[b.AZ] - inZone[a.AZ]
			}
			aOld, bOld := outdated(a), outdated(b)
			if aOld != bOld {
				if aOld {
					return -1
				}
				return 1
			}
			c := b.LaunchTime.Compare(a.LaunchTime)
			if oldest {
				c = -c
			}
			if c == 0 {
				c = compareStrings(b.ID, a.ID)
			}
			return c
		})
		if len(active) == 0 {
			break
		}
		v := active[0]
		out = append(out, v.ID)
		inZone[v.AZ]--
		active = active[1:]
	}
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
