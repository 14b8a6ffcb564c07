package controller

import (
	"context"
	"strings"
	"testing"
	"time"
)

// loseHost marks zone z's host unhealthy and its instances impaired, as
// the host sweep does when its heartbeats stop (up: it reports again), its
// last heartbeat now.
func (r *asgRig) loseHost(t *testing.T, z string, lost bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := update(ctx, r.svc.st, prefixHost+"h-"+z, func(h *HostRecord) error {
		h.Healthy, h.LastHeartbeat = !lost, r.clock
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.svc.setImpaired(ctx, "h-"+z, lost)
}

// TestASGReplacesMemberOfLostHost: a member whose host stops reporting
// (system status check impaired) stays in service within the grace
// period and until its check has failed for impairedFor, then is
// terminated as unhealthy with AWS's status-check cause, and its
// replacement goes to a zone with a live host.
func TestASGReplacesMemberOfLostHost(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 0, 5, 3)
	g := r.reconcile(t, "web")
	for _, m := range g.Instances {
		r.setState(t, m.ID, StateRunning)
	}
	g = r.reconcile(t, "web")
	lost := g.Instances[g.member(memberIn(t, g, "lab-1c"))]
	r.clock = r.clock.Add(20 * time.Second)
	r.loseHost(t, "lab-1c", true)
	r.clock = r.clock.Add(30 * time.Second)
	if g = r.reconcile(t, "web"); g.Instances[g.member(lost.ID)].LifecycleState != LifecycleInService {
		t.Fatalf("member of the lost host replaced within the grace period: %+v", g.Instances)
	}
	r.clock = r.clock.Add(20 * time.Second) // past the 60 s grace period; impaired for 50 s
	if g = r.reconcile(t, "web"); g.Instances[g.member(lost.ID)].LifecycleState != LifecycleInService {
		t.Fatalf("member replaced after its host was silent for 50 s (< impairedFor): %+v", g.Instances)
	}
	r.clock = r.clock.Add(11 * time.Second) // impaired for 61 s
	g = r.reconcile(t, "web")
	if m := g.Instances[g.member(lost.ID)]; m.LifecycleState != LifecycleTerminating || m.HealthStatus != HealthUnhealthy {
		t.Fatalf("member of the lost host past grace: %+v", m)
	}
	if z := perZone(g); len(g.active()) != 3 || z["lab-1c"] != 0 || z["lab-1a"] != 2 || z["lab-1b"] != 1 {
		t.Fatalf("replacement: %d active, per zone %v", len(g.active()), z)
	}
	var term, launch *ScalingActivity
	for _, a := range r.activities(t, "web") {
		switch {
		case a.Description == "Terminating EC2 instance: "+lost.ID:
			term = &a
		case strings.HasPrefix(a.Description, "Launching a new EC2 instance") && launch == nil:
			launch = &a // the newest launch
		}
	}
	if term == nil || !strings.Contains(term.Cause, "an instance was taken out of service in response to an EC2 instance status checks failure") {
		t.Fatalf("termination activity: %+v", term)
	}
	if launch == nil || launch.StatusCode != ActivitySuccessful || !strings.Contains(launch.Details, `"lab-1a"`) {
		t.Fatalf("replacement launch activity: %+v", launch)
	}
	if in := r.get(t, lost.ID); in.State != StateShuttingDown {
		t.Errorf("lost member's instance is %s, want shutting-down", in.State)
	}
}

// TestASGKeepsMembersAcrossRestart: after ec2d was down for longer than
// the heartbeat timeout, every host looks silent at its first pass; the
// members stay in service while their agents reconnect (impairedFor from
// the first health check of the new process), and nothing is replaced.
func TestASGKeepsMembersAcrossRestart(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 0, 5, 3)
	g := r.reconcile(t, "web")
	for _, m := range g.Instances {
		r.setState(t, m.ID, StateRunning)
	}
	r.clock = r.clock.Add(10 * time.Minute)
	g = r.reconcile(t, "web")
	for _, z := range []string{"lab-1a", "lab-1b", "lab-1c"} {
		r.loseHost(t, z, true) // silent since the old process stopped
	}
	r.svc.asgHealth = healthWatch{} // a new process
	r.clock = r.clock.Add(20 * time.Minute)
	for _, step := range []time.Duration{0, 30 * time.Second, 29 * time.Second} {
		r.clock = r.clock.Add(step)
		if g = r.reconcile(t, "web"); len(g.active()) != 3 || len(g.Instances) != 3 {
			t.Fatalf("%v after the restart's first pass: %+v", step, g.Instances)
		}
	}
	for _, z := range []string{"lab-1a", "lab-1b", "lab-1c"} {
		r.loseHost(t, z, false) // the agents reconnected
	}
	r.clock = r.clock.Add(time.Minute)
	if g = r.reconcile(t, "web"); len(g.Instances) != 3 {
		t.Fatalf("after the agents reconnected: %+v", g.Instances)
	}
	for _, m := range g.Instances {
		if in := r.get(t, m.ID); in.State != StateRunning || m.HealthStatus != HealthHealthy {
			t.Errorf("%s: %s, %s after a restart", m.ID, in.State, m.HealthStatus)
		}
	}
}

// TestASGLaunchesAvoidZonesWithoutHosts: a group made while one of its
// zones has no live host spreads over the others, with no failed launch;
// when the zone recovers, nothing moves, and the next launch fills it.
func TestASGLaunchesAvoidZonesWithoutHosts(t *testing.T) {
	r := newASGRig(t)
	r.loseHost(t, "lab-1c", true)
	r.create(t, "web", 0, 5, 3)
	g := r.reconcile(t, "web")
	if z := perZone(g); len(g.active()) != 3 || z["lab-1c"] != 0 || z["lab-1a"] != 2 || z["lab-1b"] != 1 {
		t.Fatalf("with lab-1c down: %d active, per zone %v", len(g.active()), z)
	}
	for _, a := range r.activities(t, "web") {
		if a.StatusCode != ActivitySuccessful {
			t.Errorf("activity %s: %s %s", a.Description, a.StatusCode, a.StatusMessage)
		}
	}
	r.loseHost(t, "lab-1c", false)
	r.clock = r.clock.Add(time.Minute)
	if g = r.reconcile(t, "web"); len(g.Instances) != 3 || perZone(g)["lab-1c"] != 0 {
		t.Fatalf("recovery moved instances: %+v", g.Instances)
	}
	if err := r.svc.SetDesiredCapacity(ctxFor(acct1), "web", 4); err != nil {
		t.Fatal(err)
	}
	if g = r.reconcile(t, "web"); perZone(g)["lab-1c"] != 1 {
		t.Fatalf("scale-out after recovery: per zone %v", perZone(g))
	}
}

// memberIn is the ID of g's first member in zone z.
func memberIn(t *testing.T, g AutoScalingGroup, z string) string {
	t.Helper()
	for _, m := range g.Instances {
		if m.AZ == z {
			return m.ID
		}
	}
	t.Fatalf("no member in %s: %+v", z, g.Instances)
	return ""
}

// TestASGActivitiesOfSlashedNames: a group named "web" neither lists nor,
// deleted, deletes the activities of a group named "web/blue".
func TestASGActivitiesOfSlashedNames(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 0, 5, 0)
	r.create(t, "web/blue", 0, 5, 1)
	r.reconcile(t, "web/blue")
	if acts := r.activities(t, "web"); len(acts) != 0 {
		t.Fatalf("activities of web: %+v, want none (web/blue's are its own)", acts)
	}
	if err := r.svc.DeleteAutoScalingGroup(ctxFor(acct1), "web", false); err != nil {
		t.Fatal(err)
	}
	if acts := r.activities(t, "web/blue"); len(acts) != 1 {
		t.Fatalf("activities of web/blue after deleting web: %+v, want its launch", acts)
	}
}
