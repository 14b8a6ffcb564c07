package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// asgLab is an Auto Scaling group of the 3-AZ region under test.
type asgLab struct {
	r    *region
	l    *regionLab
	as   v1.AutoScalingClient
	name string
}

// autoScalingAcrossZones: a group of 3 over the three zones gets one
// instance in each, running as a domain on its zone's host; when lab-1c's
// host dies its member is replaced in another zone; scaling out to 5 and
// in to 2 launches and terminates, each a described activity; ForceDelete
// leaves no domain. The region must have no instances on entry.
func autoScalingAcrossZones(t *testing.T, r *region, l *regionLab, ami string) {
	ctx := context.Background()
	start := time.Now()
	g := &asgLab{r: r, l: l, as: v1.NewAutoScalingClient(r.conn), name: "web-" + l.tag}
	// launches skip zones without a live host: make sure all three have one
	waitZones(t, r, map[string]string{"lab-1a": "available", "lab-1b": "available", "lab-1c": "available"})
	if _, err := r.Client.CreateLaunchTemplate(ctx, &v1.CreateLaunchTemplateRequest{LaunchTemplateName: g.name,
		LaunchTemplateData: &v1.LaunchTemplateData{ImageId: ami, InstanceType: "lab.tiny"}}); err != nil {
		t.Fatalf("CreateLaunchTemplate: %v", err)
	}
	if _, err := g.as.CreateAutoScalingGroup(ctx, &v1.CreateAutoScalingGroupRequest{AutoScalingGroupName: g.name,
		LaunchTemplate: &v1.AutoScalingLaunchTemplate{LaunchTemplateName: g.name, Version: "$Latest"},
		MinSize:        ptr(int32(0)), MaxSize: ptr(int32(5)), DesiredCapacity: ptr(int32(3)),
		AvailabilityZones: zones, HealthCheckGracePeriod: ptr(int32(5))}); err != nil {
		t.Fatalf("CreateAutoScalingGroup: %v", err)
	}
	every := map[string]bool{} // every member ever, for the final check
	first := g.waitInService(t, 3)
	g.checkPlacement(t, first, every)
	if z := zonesOf(first); fmt.Sprint(z) != "[lab-1a lab-1b lab-1c]" {
		t.Fatalf("members per zone %v, want one in each", z)
	}
	t.Logf("3 members in service, one per zone, after %s", time.Since(start).Round(time.Millisecond))

	// lab-1c's host dies: its member fails its system status check and,
	// once that has lasted a minute (impairedFor), is replaced in a zone
	// with a live host.
	lost := first["lab-1c"][0]
	killWait(l.agent)
	killed := time.Now()
	var lostState string
	replacedMs := g.waitMembers(t, 3*time.Minute, "the lost member replaced", func(ms []*v1.AutoScalingInstance) bool {
		lostState = ""
		n := 0
		for _, m := range ms {
			switch {
			case m.GetInstanceId() == lost:
				lostState = m.GetLifecycleState() + "/" + m.GetHealthStatus()
			case m.GetLifecycleState() == "InService":
				n++
			}
		}
		return n == 3 && (lostState == "" || lostState == "Terminating/Unhealthy")
	})
	replaced := map[string][]string{}
	for _, m := range replacedMs {
		if m.GetInstanceId() != lost {
			replaced[m.GetAvailabilityZone()] = append(replaced[m.GetAvailabilityZone()], m.GetInstanceId())
		}
	}
	byZone := g.checkPlacement(t, replaced, every)
	if len(byZone["lab-1c"]) != 0 || len(byZone["lab-1a"])+len(byZone["lab-1b"]) != 3 {
		t.Fatalf("after lab-1c was lost: members per zone %v", byZone)
	}
	g.wantActivity(t, "Terminating EC2 instance: "+lost, "in response to an EC2 instance status checks failure", false)
	t.Logf("lost member %s replaced %s after the host was killed", lost, time.Since(killed).Round(time.Millisecond))

	// The host comes back: the lost member's domain goes, lab-1c launches again.
	l.startAgent(t)
	waitZones(t, r, map[string]string{"lab-1a": "available", "lab-1b": "available", "lab-1c": "available"})
	r.waitState(t, "terminated", lost)
	g.waitNoDomain(t, lost)

	if _, err := g.as.SetDesiredCapacity(ctx, &v1.SetDesiredCapacityRequest{AutoScalingGroupName: g.name, DesiredCapacity: ptr(int32(5))}); err != nil {
		t.Fatalf("SetDesiredCapacity 5: %v", err)
	}
	five := g.checkPlacement(t, g.waitInService(t, 5), every)
	if len(five["lab-1c"]) == 0 {
		t.Errorf("scale-out after recovery left lab-1c empty: %v", five)
	}
	for _, ids := range five {
		for _, id := range ids {
			if !inZones(replaced, id) {
				g.wantActivity(t, "Launching a new EC2 instance: "+id, "increasing the capacity from", true)
			}
		}
	}
	t.Logf("scaled out to 5 (%v) after %s", zonesOf(five), time.Since(start).Round(time.Millisecond))

	if _, err := g.as.SetDesiredCapacity(ctx, &v1.SetDesiredCapacityRequest{AutoScalingGroupName: g.name, DesiredCapacity: ptr(int32(2))}); err != nil {
		t.Fatalf("SetDesiredCapacity 2: %v", err)
	}
	two := g.waitInService(t, 2)
	for _, ids := range five {
		for _, id := range ids {
			if !inZones(two, id) {
				g.wantActivity(t, "Terminating EC2 instance: "+id, "shrinking the capacity from", true)
				r.waitState(t, "terminated", id)
				g.waitNoDomain(t, id)
			}
		}
	}
	t.Logf("scaled in to 2 (%v) after %s", zonesOf(two), time.Since(start).Round(time.Millisecond))

	if _, err := g.as.DeleteAutoScalingGroup(ctx, &v1.DeleteAutoScalingGroupRequest{AutoScalingGroupName: g.name, ForceDelete: true}); err != nil {
		t.Fatalf("DeleteAutoScalingGroup ForceDelete: %v", err)
	}
	g.waitGone(t)
	var all []string
	for id := range every {
		all = append(all, id)
	}
	r.waitState(t, "terminated", all...)
	g.waitNoDomain(t, all...)
	t.Logf("group force-deleted, %d instances terminated, after %s", len(all), time.Since(start).Round(time.Millisecond))
}

func ptr[T any](v T) *T { return &v }

// waitInService waits until the group has exactly n members, all
// InService and Healthy, and answers their IDs by zone (as the group
// reports them).
func (g *asgLab) waitInService(t *testing.T, n int) map[string][]string {
	t.Helper()
	ms := g.waitMembers(t, 2*time.Minute, fmt.Sprintf("%d members in service", n), func(ms []*v1.AutoScalingInstance) bool {
		for _, m := range ms {
			if m.GetLifecycleState() != "InService" || m.GetHealthStatus() != "Healthy" {
				return false
			}
		}
		return len(ms) == n
	})
	out := map[string][]string{}
	for _, m := range ms {
		out[m.GetAvailabilityZone()] = append(out[m.GetAvailabilityZone()], m.GetInstanceId())
	}
	return out
}

// waitMembers polls DescribeAutoScalingGroups until ok holds for the
// group's members.
func (g *asgLab) waitMembers(t *testing.T, d time.Duration, what string, ok func([]*v1.AutoScalingInstance) bool) []*v1.AutoScalingInstance {
	t.Helper()
	deadline := time.Now().Add(d)
	var last []*v1.AutoScalingInstance
	for time.Now().Before(deadline) {
		out, err := g.as.DescribeAutoScalingGroups(context.Background(), &v1.DescribeAutoScalingGroupsRequest{AutoScalingGroupNames: []string{g.name}})
		if err == nil && len(out.GetAutoScalingGroups()) == 1 {
			if last = out.GetAutoScalingGroups()[0].GetInstances(); ok(last) {
				return last
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	var states []string
	for _, m := range last {
		states = append(states, fmt.Sprintf("%s %s %s %s", m.GetInstanceId(), m.GetAvailabilityZone(), m.GetLifecycleState(), m.GetHealthStatus()))
	}
	t.Fatalf("group %s: never %s; last members %v\nactivities:\n%s\nec2d log tail:\n%s", g.name, what, states,
		g.describeActivities(t), tail(g.r.log.String(), 3000))
	return nil
}

// checkPlacement checks that each member (by zone) is in the group's
// DescribeAutoScalingInstances, runs in that zone (DescribeInstances) and
// has its domain on that zone's host, and adds it to every.
func (g *asgLab) checkPlacement(t *testing.T, byZone map[string][]string, every map[string]bool) map[string][]string {
	t.Helper()
	var ids []string
	for _, zs := range byZone {
		ids = append(ids, zs...)
	}
	asi, err := g.as.DescribeAutoScalingInstances(context.Background(), &v1.DescribeAutoScalingInstancesRequest{InstanceIds: ids})
	if err != nil || len(asi.GetAutoScalingInstances()) != len(ids) {
		t.Fatalf("DescribeAutoScalingInstances %v: %v %v", ids, asi, err)
	}
	for _, m := range asi.GetAutoScalingInstances() {
		if m.GetAutoScalingGroupName() != g.name {
			t.Errorf("%s is in group %q", m.GetInstanceId(), m.GetAutoScalingGroupName())
		}
	}
	for _, in := range g.r.waitState(t, "running", ids...) {
		id, z := in.GetInstanceId(), in.GetPlacement().GetAvailabilityZone()
		every[id] = true
		if !contains(byZone[z], id) {
			t.Errorf("%s runs in %s, the group says %v", id, z, byZone)
		}
		if d := virshDomains(t, g.l.prefixes[z]+id); len(d) != 1 {
			t.Errorf("%s (%s): domains %v on its zone's host", id, z, d)
		}
	}
	return byZone
}

// wantActivity checks that the group has a Successful activity with that
// description whose cause contains cause (a termination of an unhealthy
// member may still be in progress when done is false).
func (g *asgLab) wantActivity(t *testing.T, desc, cause string, done bool) {
	t.Helper()
	out, err := g.as.DescribeScalingActivities(context.Background(), &v1.DescribeScalingActivitiesRequest{AutoScalingGroupName: g.name})
	if err != nil {
		t.Fatalf("DescribeScalingActivities: %v", err)
	}
	for _, a := range out.GetActivities() {
		if a.GetDescription() == desc && strings.Contains(a.GetCause(), cause) &&
			(a.GetStatusCode() == "Successful" || (!done && a.GetStatusCode() == "InProgress")) {
			return
		}
	}
	t.Errorf("no activity %q with cause %q; activities:\n%s", desc, cause, g.describeActivities(t))
}

func (g *asgLab) describeActivities(t *testing.T) string {
	out, err := g.as.DescribeScalingActivities(context.Background(), &v1.DescribeScalingActivitiesRequest{AutoScalingGroupName: g.name})
	if err != nil {
		return err.Error()
	}
	var lines []string
	for _, a := range out.GetActivities() {
		lines = append(lines, fmt.Sprintf("  %s [%s] %s", a.GetDescription(), a.GetStatusCode(), a.GetCause()))
	}
	return strings.Join(lines, "\n")
}

// waitGone waits until the group is no longer described.
func (g *asgLab) waitGone(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		out, err := g.as.DescribeAutoScalingGroups(context.Background(), &v1.DescribeAutoScalingGroupsRequest{AutoScalingGroupNames: []string{g.name}})
		if err == nil && len(out.GetAutoScalingGroups()) == 0 {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("group %s still described after ForceDelete\nec2d log tail:\n%s", g.name, tail(g.r.log.String(), 3000))
}

// waitNoDomain waits until libvirt runs no domain of any of the instances.
func (g *asgLab) waitNoDomain(t *testing.T, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var left []string
	for time.Now().Before(deadline) {
		left = nil
		for _, d := range virshDomains(t, g.l.tag) {
			for _, id := range ids {
				if strings.HasSuffix(d, id) {
					left = append(left, d)
				}
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("domains left: %v\nec2d log tail:\n%s", left, tail(g.r.log.String(), 3000))
}

// zonesOf lists the zones of byZone with members, one entry per member, sorted.
func zonesOf(byZone map[string][]string) []string {
	var out []string
	for z, ids := range byZone {
		for range ids {
			out = append(out, z)
		}
	}
	sort.Strings(out)
	return out
}

func inZones(byZone map[string][]string, id string) bool {
	for _, ids := range byZone {
		if contains(ids, id) {
			return true
		}
	}
	return false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
