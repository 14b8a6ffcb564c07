package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// reconcileGroups brings every group to its desired capacity (asg.go).
func (s *Service) reconcileGroups(ctx context.Context) {
	gs, err := store.ListJSON[AutoScalingGroup](ctx, s.st, prefixASG)
	if err != nil {
		s.log.Error("list auto scaling groups", "err", err)
		return
	}
	for _, g := range gs {
		if err := s.reconcileGroup(ctx, asgKey(g.Owner, g.Name)); err != nil {
			s.log.Warn("auto scaling group", "group", g.Name, "account", g.Owner, "err", err)
		}
	}
	s.pruneActivities(ctx, gs)
}

// reconcileGroup takes one group a step towards its desired capacity: it
// finishes a launch in flight, follows its instances (health, the end of
// terminations), then launches or terminates what the difference calls
// for, each a recorded activity.
func (s *Service) reconcileGroup(ctx context.Context, key string) error {
	unlock, ok := s.lockResource("asg:" + key)
	if !ok {
		return nil
	}
	defer unlock()
	g, _, err := store.GetJSON[AutoScalingGroup](ctx, s.st, key)
	if err != nil {
		return nil // deleted meanwhile
	}
	if g.Launch != nil {
		if g, err = s.finishLaunch(ctx, g); err != nil {
			return err
		}
	}
	if g, err = s.followMembers(ctx, g); err != nil {
		return err
	}
	if g.Deleting && len(g.Instances) == 0 {
		return s.removeGroup(ctx, g)
	}
	active := len(g.active())
	for ; active < g.Desired && !s.now().Before(g.RetryAt); active++ {
		if g, err = s.launchMember(ctx, g); err != nil {
			return err
		}
		if g.Failures > 0 {
			break
		}
	}
	if active > g.Desired {
		return s.scaleIn(ctx, g, active-g.Desired)
	}
	return nil
}

// removeGroup deletes a force-deleted group once it is empty.
func (s *Service) removeGroup(ctx context.Context, g AutoScalingGroup) error {
	cur, rev, err := store.GetJSON[AutoScalingGroup](ctx, s.st, asgKey(g.Owner, g.Name))
	if err != nil || len(cur.Instances) > 0 || cur.Launch != nil {
		return nil
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: asgKey(g.Owner, g.Name), Delete: true, ExpectRevision: rev}); err != nil {
		return err
	}
	s.dropActivities(ctx, g)
	s.log.Info("auto scaling group deleted", "group", g.Name, "account", g.Owner)
	return nil
}

// followMembers reads each member's instance: a pending one that runs is
// InService; one terminated (or gone) leaves the group, its termination
// activity done; one stopped past the grace period, or failing its system
// status check past it (its host lost), or terminated by someone else, or
// in a subnet the group no longer uses, is Unhealthy and terminated. A Terminating member whose instance still runs (a crash
// between the record and the call) is terminated again.
func (s *Service) followMembers(ctx context.Context, g AutoScalingGroup) (AutoScalingGroup, error) {
	var kill []string
	hosts := s.hostsByID(ctx)
	g, err := s.mutateGroup(ctx, asgKey(g.Owner, g.Name), func(g *AutoScalingGroup) ([]ScalingActivity, error) {
		kill = kill[:0]
		var acts []ScalingActivity
		keep := g.Instances[:0:0]
		changed := false
		for _, m := range g.Instances {
			in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+m.ID)
			gone := err != nil || in.State == StateTerminated
			switch {
			case gone && m.LifecycleState == LifecycleTerminating:
				if a, ok := s.activity(ctx, *g, m.Activity); ok {
					s.finishActivity(&a, ActivitySuccessful, "")
					acts = append(acts, a)
				}
				changed = true
				continue
			case m.LifecycleState == LifecycleTerminating:
				if in.State != StateShuttingDown {
					kill = append(kill, m.ID)
				}
			case gone || in.State == StateShuttingDown || s.unhealthy(*g, m, in, hosts) != healthOK:
				a := s.newActivity(*g, "Terminating EC2 instance: "+m.ID, s.healthCause(*g, m, in, hosts), s.memberDetails(m))
				m.LifecycleState, m.HealthStatus, m.Activity = LifecycleTerminating, HealthUnhealthy, a.ID
				if gone {
					s.finishActivity(&a, ActivitySuccessful, "")
					acts = append(acts, a)
					changed = true
					continue
				}
				acts, changed = append(acts, a), true
				if in.State != StateShuttingDown {
					kill = append(kill, m.ID)
				}
			case m.LifecycleState == LifecyclePending && in.State == StateRunning:
				m.LifecycleState, changed = LifecycleInService, true
			}
			keep = append(keep, m)
		}
		if !changed {
			return nil, errNoChange
		}
		g.Instances = keep
		return acts, nil
	})
	if err != nil {
		return g, err
	}
	s.terminateMembers(ctx, g, kill)
	return g, nil
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// memberDetails are an activity's details: the instance's subnet and zone.
func (s *Service) memberDetails(m GroupMember) string {
	return fmt.Sprintf(`{"Subnet ID":"%s","Availability Zone":"%s"}`, m.SubnetID, m.AZ)
}

// terminateMembers terminates a group's instances as its owner. The
// group's own terminations ignore DisableApiTermination, as AWS's do. A
// failure is logged: the member stays Terminating and the next sweep tries
// again.
func (s *Service) terminateMembers(ctx context.Context, g AutoScalingGroup, ids []string) {
	if len(ids) == 0 {
		return
	}
	t := terminateT
	t.check = nil
	if _, err := s.apply(asAccount(ctx, g.Owner), ids, false, t, nil); err != nil {
		if e, ok := ec2err.As(err); !ok || e.Code != ec2err.InvalidInstanceIDNotFound {
			s.log.Warn("auto scaling: terminate", "group", g.Name, "instances", ids, "err", err)
		}
		return
	}
	s.Kick()
}
