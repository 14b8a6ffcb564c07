package controller

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/store"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

var asgZones = []string{"lab-1a", "lab-1b", "lab-1c"}

// asgRig is a rig with three zones, a launch template "web" and the
// default subnets of the three zones (in zone order).
type asgRig struct {
	*rig
	subnets []string
	clock   time.Time
}

func newASGRig(t *testing.T) *asgRig {
	t.Helper()
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := Config{Region: "lab-1", VCPUQuota: 64, CPUOvercommit: 1, MemoryOvercommit: 1,
		InstanceTypes: []instancetypes.Type{{Name: "lab.tiny", Family: "general", VCPUs: 1, MemoryMiB: 256, Architectures: []string{"x86_64"}}}}
	for _, z := range asgZones {
		cfg.AvailabilityZones = append(cfg.AvailabilityZones, ZoneSpec{Name: z, Pool: filepath.Join(dir, z)})
	}
	svc, err := New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r := &asgRig{rig: &rig{svc: svc, agents: map[string]*fakeAgent{}}, clock: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	svc.now = func() time.Time { return r.clock }
	for _, z := range asgZones {
		ag := newFakeAgent()
		r.agents[z] = ag
		inv := &agentv1.Inventory{HostId: "h-" + z, AvailabilityZone: z, Vcpus: 16, MemoryMib: 16384, DomainType: "qemu"}
		if _, err := svc.AddHost(context.Background(), hostgrpc.InventoryFrom(inv), "fake", hostgrpc.New(ag)); err != nil {
			t.Fatal(err)
		}
	}
	r.ami = ids.New(ids.Image)
	img := Image{ID: r.ami, Owner: acct1, Name: "tiny", State: "available", Architecture: "x86_64", RootDeviceName: "/dev/xvda",
		Devices: []ImageDevice{{DeviceName: "/dev/xvda", SizeGiB: 1, VolumeType: "gp3", DeleteOnTermination: true}}, AZ: "lab-1a"}
	if err := put(context.Background(), st, prefixImage+img.ID, img); err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(acct1)
	if _, _, err := svc.CreateLaunchTemplate(ctx, CreateTemplateRequest{Name: "web",
		Data: LaunchTemplateData{ImageID: r.ami, InstanceType: "lab.tiny"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.ensureDefaultVPC(ctx, acct1); err != nil {
		t.Fatal(err)
	}
	subs, _, err := svc.DescribeSubnets(ctx, nil, nil, Page{})
	if err != nil || len(subs) != 3 {
		t.Fatalf("default subnets: %+v %v", subs, err)
	}
	for _, z := range asgZones {
		for _, sn := range subs {
			if sn.AZ == z {
				r.subnets = append(r.subnets, sn.ID)
			}
		}
	}
	return r
}

func intp(n int) *int { return &n }

func strp(s string) *string { return &s }

// create makes group name over the three subnets.
func (r *asgRig) create(t *testing.T, name string, min, max, desired int, tags ...GroupTag) {
	t.Helper()
	err := r.svc.CreateAutoScalingGroup(ctxFor(acct1), GroupRequest{Name: name, MinSize: intp(min), MaxSize: intp(max),
		DesiredCapacity: intp(desired), LaunchTemplate: &LaunchTemplateSpec{Name: "web", Version: "$Latest"},
		VPCZoneIdentifier: strp(r.subnets[0] + "," + r.subnets[1] + ", " + r.subnets[2]), Tags: tags,
		HealthCheckGracePeriod: intp(60)})
	if err != nil {
		t.Fatalf("CreateAutoScalingGroup: %v", err)
	}
}

func (r *asgRig) reconcile(t *testing.T, name string) AutoScalingGroup {
	t.Helper()
	if err := r.svc.reconcileGroup(context.Background(), asgKey(acct1, name)); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	g, _, err := store.GetJSON[AutoScalingGroup](context.Background(), r.svc.st, asgKey(acct1, name))
	if err != nil {
		return AutoScalingGroup{}
	}
	return g
}

// perZone counts the active members of g in each zone.
func perZone(g AutoScalingGroup) map[string]int {
	out := map[string]int{}
	for _, m := range g.active() {
		out[m.AZ]++
	}
	return out
}

// finishTerminations moves the group's terminating instances to
// terminated, as the instance reconciler would.
func (r *asgRig) finishTerminations(t *testing.T, g AutoScalingGroup) {
	t.Helper()
	for _, m := range g.Instances {
		if m.LifecycleState == LifecycleTerminating {
			if in := r.get(t, m.ID); in.State != StateShuttingDown {
				t.Errorf("terminating member %s is %s, want shutting-down", m.ID, in.State)
			}
			r.setState(t, m.ID, StateTerminated)
		}
	}
}

func (r *asgRig) activities(t *testing.T, name string) []ScalingActivity {
	t.Helper()
	acts, _, err := r.svc.DescribeScalingActivities(ctxFor(acct1), name, nil, Page{})
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

func (r *asgRig) ownInstances(t *testing.T) []*Instance {
	t.Helper()
	insts, err := r.svc.instancesBy(context.Background(), "owner", acct1)
	if err != nil {
		t.Fatal(err)
	}
	return insts
}

// TestASGConvergesAcrossZones: a group of 6 over three zones gets two
// instances in each, tagged with its name and its propagated tags, each
// launch a successful activity; scaling in to 2 keeps two zones of one,
// scaling out again fills the emptiest zones.
func TestASGConvergesAcrossZones(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 0, 6, 6, GroupTag{Key: "team", Value: "lab", PropagateAtLaunch: true}, GroupTag{Key: "cost", Value: "x"})
	g := r.reconcile(t, "web")
	if len(g.Instances) != 6 || perZone(g)["lab-1a"] != 2 || perZone(g)["lab-1b"] != 2 || perZone(g)["lab-1c"] != 2 {
		t.Fatalf("after convergence: %d members, per zone %v", len(g.Instances), perZone(g))
	}
	for _, m := range g.Instances {
		in := r.get(t, m.ID)
		tags := map[string]string{}
		for _, tg := range in.Tags {
			tags[tg.Key] = tg.Value
		}
		if tags[TagGroupName] != "web" || tags["team"] != "lab" || tags["cost"] != "" || tags[tagTemplateID] == "" || in.SubnetID != m.SubnetID || in.AZ != m.AZ {
			t.Errorf("instance %s: tags %v, subnet %s az %s, member %+v", in.ID, tags, in.SubnetID, in.AZ, m)
		}
		r.setState(t, m.ID, StateRunning)
	}
	acts := r.activities(t, "web")
	if len(acts) != 6 || acts[0].StatusCode != ActivitySuccessful || acts[0].EndTime.IsZero() || acts[0].Cause == "" {
		t.Fatalf("activities: %+v", acts)
	}
	g = r.reconcile(t, "web")
	for _, m := range g.Instances {
		if m.LifecycleState != LifecycleInService {
			t.Errorf("member %s is %s after its instance runs", m.ID, m.LifecycleState)
		}
	}
	if len(r.ownInstances(t)) != 6 {
		t.Fatalf("a second pass launched more")
	}

	// Scale in to 2: four terminations, the zones kept balanced.
	r.clock = r.clock.Add(time.Minute)
	if err := r.svc.SetDesiredCapacity(ctxFor(acct1), "web", 2); err != nil {
		t.Fatal(err)
	}
	g = r.reconcile(t, "web")
	if n := len(g.active()); n != 2 {
		t.Fatalf("active after scale-in: %d", n)
	}
	if z := perZone(g); len(z) != 2 {
		t.Errorf("the two left share a zone: %v", z)
	}
	r.finishTerminations(t, g)
	g = r.reconcile(t, "web")
	if len(g.Instances) != 2 {
		t.Fatalf("members after terminations: %+v", g.Instances)
	}
	acts = r.activities(t, "web")
	if len(acts) != 10 || acts[0].StatusCode != ActivitySuccessful || acts[0].Description[:len("Terminating")] != "Terminating" {
		t.Fatalf("activities after scale-in: %d, newest %+v", len(acts), acts[0])
	}

	// Scale out to 3: the empty zone gets the new one.
	r.clock = r.clock.Add(time.Minute)
	if err := r.svc.SetDesiredCapacity(ctxFor(acct1), "web", 3); err != nil {
		t.Fatal(err)
	}
	g = r.reconcile(t, "web")
	if z := perZone(g); len(g.active()) != 3 || len(z) != 3 {
		t.Fatalf("after scale-out: %v", z)
	}
}

// TestASGReplacesUnhealthy: a member terminated behind the group's back
// is replaced at once in its zone; a stopped one only after the grace
// period.
func TestASGReplacesUnhealthy(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 3, 3, 3)
	g := r.reconcile(t, "web")
	for _, m := range g.Instances {
		r.setState(t, m.ID, StateRunning)
	}
	gone := g.Instances[0]
	r.clock = r.clock.Add(time.Second)
	r.setState(t, gone.ID, StateTerminated)
	g = r.reconcile(t, "web")
	if len(g.Instances) != 3 || g.member(gone.ID) >= 0 || perZone(g)[gone.AZ] != 1 {
		t.Fatalf("after a terminated member: %+v", g.Instances)
	}
	found := false
	for _, a := range r.activities(t, "web") {
		found = found || (a.Description == "Terminating EC2 instance: "+gone.ID && a.StatusCode == ActivitySuccessful)
	}
	if !found {
		t.Fatalf("no successful termination activity for %s: %+v", gone.ID, r.activities(t, "web"))
	}

	stopped := g.Instances[1]
	r.setState(t, stopped.ID, StateStopped)
	if g = r.reconcile(t, "web"); g.Instances[g.member(stopped.ID)].LifecycleState == LifecycleTerminating {
		t.Fatal("stopped member replaced within the grace period")
	}
	r.clock = r.clock.Add(61 * time.Second)
	g = r.reconcile(t, "web")
	if m := g.Instances[g.member(stopped.ID)]; m.LifecycleState != LifecycleTerminating || m.HealthStatus != HealthUnhealthy {
		t.Fatalf("stopped member past grace: %+v", m)
	}
	if len(g.active()) != 3 {
		t.Fatalf("no replacement: %+v", g.Instances)
	}
	r.finishTerminations(t, g)
	if g = r.reconcile(t, "web"); len(g.Instances) != 3 {
		t.Fatalf("members: %+v", g.Instances)
	}
}

// TestASGLaunchReplayAfterCrash: a launch recorded and made, but not yet
// recorded as made (the controller stopped between), is replayed with its
// client token: the group gets the instance already launched, not a
// second one.
func TestASGLaunchReplayAfterCrash(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 1, 1, 1)
	g, _, _ := store.GetJSON[AutoScalingGroup](context.Background(), r.svc.st, asgKey(acct1, "web"))
	g, err := r.svc.recordLaunch(context.Background(), g)
	if err != nil || g.Launch == nil {
		t.Fatalf("recordLaunch: %+v %v", g.Launch, err)
	}
	req := g.Launch.Request
	req.systemTags = []Tag{{Key: TagGroupName, Value: "web"}}
	first, err := r.svc.RunInstances(ctxFor(acct1), req) // made; then the crash
	if err != nil {
		t.Fatal(err)
	}
	g = r.reconcile(t, "web")
	if len(g.Instances) != 1 || g.Instances[0].ID != first.Instances[0].ID || len(r.ownInstances(t)) != 1 || g.Launch != nil {
		t.Fatalf("after the replay: members %+v, %d instances", g.Instances, len(r.ownInstances(t)))
	}
}

// TestASGDelete: without ForceDelete a group with instances stays; with
// it, its instances are terminated and the group goes once they are gone.
func TestASGDelete(t *testing.T) {
	r := newASGRig(t)
	ctx := ctxFor(acct1)
	r.create(t, "web", 2, 2, 2)
	if g := r.reconcile(t, "web"); len(g.Instances) != 2 {
		t.Fatalf("members: %+v", g.Instances)
	}
	if err := r.svc.DeleteAutoScalingGroup(ctx, "web", false); errCode(err) != "ResourceInUse" {
		t.Fatalf("delete with instances: %v", err)
	}
	if err := r.svc.DeleteAutoScalingGroup(ctx, "web", true); err != nil {
		t.Fatal(err)
	}
	if gs, _, _ := r.svc.DescribeAutoScalingGroups(ctx, []string{"web"}, Page{}); len(gs) != 1 || !gs[0].Deleting {
		t.Fatalf("while deleting: %+v", gs)
	}
	if err := r.svc.SetDesiredCapacity(ctx, "web", 1); errCode(err) != "ScalingActivityInProgress" {
		t.Errorf("SetDesiredCapacity while deleting: %v", err)
	}
	g := r.reconcile(t, "web")
	if len(g.active()) != 0 {
		t.Fatalf("members not terminating: %+v", g.Instances)
	}
	r.finishTerminations(t, g)
	r.reconcile(t, "web")
	if gs, _, _ := r.svc.DescribeAutoScalingGroups(ctx, nil, Page{}); len(gs) != 0 {
		t.Fatalf("group left: %+v", gs)
	}

	r.create(t, "empty", 0, 2, 0)
	if err := r.svc.DeleteAutoScalingGroup(ctx, "empty", false); err != nil {
		t.Fatalf("delete an empty group: %v", err)
	}
	if err := r.svc.DeleteAutoScalingGroup(ctx, "empty", false); errCode(err) != "ValidationError" {
		t.Fatalf("delete again: %v", err)
	}
}

// TestASGTerminateInstance: TerminateInstanceInAutoScalingGroup with
// ShouldDecrementDesiredCapacity lowers the desired capacity; without it
// the group launches a replacement.
func TestASGTerminateInstance(t *testing.T) {
	r := newASGRig(t)
	ctx := ctxFor(acct1)
	r.create(t, "web", 1, 3, 3)
	g := r.reconcile(t, "web")
	a, err := r.svc.TerminateInstanceInAutoScalingGroup(ctx, g.Instances[0].ID, true)
	if err != nil || a.StatusCode != ActivityInProgress || a.Description != "Terminating EC2 instance: "+g.Instances[0].ID {
		t.Fatalf("terminate with decrement: %+v %v", a, err)
	}
	if g = r.reconcile(t, "web"); g.Desired != 2 || len(g.active()) != 2 {
		t.Fatalf("after decrement: desired %d, %d active", g.Desired, len(g.active()))
	}
	if _, err := r.svc.TerminateInstanceInAutoScalingGroup(ctx, g.active()[0].ID, false); err != nil {
		t.Fatal(err)
	}
	if g = r.reconcile(t, "web"); g.Desired != 2 || len(g.active()) != 2 || len(g.Instances) != 4 {
		t.Fatalf("after terminate without decrement: desired %d, %d active, %d members", g.Desired, len(g.active()), len(g.Instances))
	}
	if _, err := r.svc.TerminateInstanceInAutoScalingGroup(ctx, "i-00000000000000000", false); errCode(err) != "ValidationError" {
		t.Fatalf("unknown instance: %v", err)
	}
	if err := r.svc.UpdateAutoScalingGroup(ctx, GroupRequest{Name: "web", MinSize: intp(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.TerminateInstanceInAutoScalingGroup(ctx, g.active()[0].ID, true); errCode(err) != "ValidationError" {
		t.Fatalf("decrement below min: %v", err)
	}
}

// TestASGValidationChangesNothing: each refused create or update answers
// AWS's code and leaves the groups as they were.
func TestASGValidationChangesNothing(t *testing.T) {
	r := newASGRig(t)
	ctx := ctxFor(acct1)
	r.create(t, "web", 1, 3, 2)
	lt := &LaunchTemplateSpec{Name: "web"}
	subnets := strp(r.subnets[0])
	tests := []struct {
		name string
		req  GroupRequest
		code string
	}{
		{"name taken", GroupRequest{Name: "web", MinSize: intp(0), MaxSize: intp(1), LaunchTemplate: lt, VPCZoneIdentifier: subnets}, "AlreadyExists"},
		{"min over max", GroupRequest{Name: "b", MinSize: intp(3), MaxSize: intp(1), LaunchTemplate: lt, VPCZoneIdentifier: subnets}, "ValidationError"},
		{"desired over max", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), DesiredCapacity: intp(2), LaunchTemplate: lt, VPCZoneIdentifier: subnets}, "ValidationError"},
		{"no max", GroupRequest{Name: "b", MinSize: intp(0), LaunchTemplate: lt, VPCZoneIdentifier: subnets}, "ValidationError"},
		{"no template", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), VPCZoneIdentifier: subnets}, "ValidationError"},
		{"unknown template", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), LaunchTemplate: &LaunchTemplateSpec{Name: "nope"}, VPCZoneIdentifier: subnets}, "ValidationError"},
		{"unknown version", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), LaunchTemplate: &LaunchTemplateSpec{Name: "web", Version: "9"}, VPCZoneIdentifier: subnets}, "ValidationError"},
		{"unknown subnet", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), LaunchTemplate: lt, VPCZoneIdentifier: strp("subnet-00000000000000000")}, "ValidationError"},
		{"no subnet", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), LaunchTemplate: lt}, "ValidationError"},
		{"ELB health check", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), LaunchTemplate: lt, VPCZoneIdentifier: subnets, HealthCheckType: strp("ELB")}, "ValidationError"},
		{"aws: tag", GroupRequest{Name: "b", MinSize: intp(0), MaxSize: intp(1), LaunchTemplate: lt, VPCZoneIdentifier: subnets, Tags: []GroupTag{{Key: "aws:x"}}}, "ValidationError"},
	}
	for _, tc := range tests {
		if err := r.svc.CreateAutoScalingGroup(ctx, tc.req); errCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if err := r.svc.UpdateAutoScalingGroup(ctx, GroupRequest{Name: "web", MaxSize: intp(1), DesiredCapacity: intp(2)}); errCode(err) != "ValidationError" {
		t.Errorf("update desired over max: %v", err)
	}
	if err := r.svc.SetDesiredCapacity(ctx, "web", 4); errCode(err) != "ValidationError" {
		t.Errorf("SetDesiredCapacity over max: %v", err)
	}
	if err := r.svc.SetDesiredCapacity(ctx, "nope", 1); errCode(err) != "ValidationError" {
		t.Errorf("SetDesiredCapacity of no group: %v", err)
	}
	gs, _, err := r.svc.DescribeAutoScalingGroups(ctx, nil, Page{})
	if err != nil || len(gs) != 1 || gs[0].MinSize != 1 || gs[0].MaxSize != 3 || gs[0].Desired != 2 {
		t.Fatalf("groups after refusals: %+v %v", gs, err)
	}
	if gs, _, _ := r.svc.DescribeAutoScalingGroups(ctxFor(acct2), nil, Page{}); len(gs) != 0 {
		t.Errorf("another account sees %+v", gs)
	}
	// An update that lowers max moves the desired capacity down.
	if err := r.svc.UpdateAutoScalingGroup(ctx, GroupRequest{Name: "web", MaxSize: intp(1)}); err != nil {
		t.Fatal(err)
	}
	if gs, _, _ := r.svc.DescribeAutoScalingGroups(ctx, []string{"web"}, Page{}); gs[0].Desired != 1 {
		t.Errorf("desired after max 1: %d", gs[0].Desired)
	}
}

// TestASGDescribePaging: MaxRecords and NextToken walk the groups.
func TestASGDescribePaging(t *testing.T) {
	r := newASGRig(t)
	ctx := ctxFor(acct1)
	for _, n := range []string{"c", "a", "b"} {
		r.create(t, n, 0, 1, 0)
	}
	var got []string
	p := Page{MaxResults: 2}
	for {
		gs, next, err := r.svc.DescribeAutoScalingGroups(ctx, nil, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			got = append(got, g.Name)
		}
		if next == "" {
			break
		}
		p.NextToken = next
	}
	if len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Fatalf("pages: %v", got)
	}
	if _, _, err := r.svc.DescribeAutoScalingGroups(ctx, nil, Page{NextToken: "!!"}); errCode(err) != "InvalidNextToken" {
		t.Errorf("bad token: %v", err)
	}
	if _, _, err := r.svc.DescribeAutoScalingGroups(ctx, nil, Page{MaxResults: 101}); errCode(err) != "ValidationError" {
		t.Errorf("MaxRecords 101: %v", err)
	}
}
