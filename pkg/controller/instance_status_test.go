package controller

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/host"
)

// clockRig is a rig whose clock the test moves.
type clockRig struct {
	*rig
	now time.Time
}

func newClockRig(t *testing.T) *clockRig {
	r := &clockRig{rig: newRig(t, 64, hostSpec{vcpus: 8, mem: 8192}), now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	r.svc.now = func() time.Time { return r.now }
	return r
}

// beat sends hostID's heartbeat listing domains (instance ID → state); a
// "+" after the state says the guest was seen.
func (r *clockRig) beat(t *testing.T, hostID string, domains map[string]string) {
	t.Helper()
	var list []host.InstanceStatus
	for id, st := range domains {
		seen := len(st) > 0 && st[len(st)-1] == '+'
		if seen {
			st = st[:len(st)-1]
		}
		list = append(list, host.InstanceStatus{InstanceID: id, State: st, GuestSeen: seen})
	}
	if err := r.svc.Heartbeat(context.Background(), hostID, nil, list); err != nil {
		t.Fatal(err)
	}
}

// status is the one instance's status (IncludeAll).
func (r *clockRig) status(t *testing.T, id string) InstanceStatus {
	t.Helper()
	list, _, err := r.svc.DescribeInstanceStatus(ctxFor(acct1), StatusQuery{IDs: []string{id}, IncludeAll: true})
	if err != nil || len(list) != 1 {
		t.Fatalf("DescribeInstanceStatus %s: %v %v", id, list, err)
	}
	return list[0]
}

func checkIs(t *testing.T, what string, got StatusCheck, status, reach string) {
	t.Helper()
	if got.Status != status || got.Reachability != reach {
		t.Errorf("%s: %s/%s, want %s/%s", what, got.Status, got.Reachability, status, reach)
	}
}

// TestInstanceStatusChecks walks one instance through what its host and
// guest report: no report yet, a report that may predate the start, the
// domain running, the guest reaching its metadata service, the domain
// paused, the host gone silent, and a controller restart.
func TestInstanceStatusChecks(t *testing.T) {
	r := newClockRig(t)
	in := r.launched(t, RunRequest{})
	st := r.status(t, in.ID)
	if st.AZ != "lab-1a" || st.State != StateRunning {
		t.Errorf("status names %s in %s", st.State, st.AZ)
	}
	checkIs(t, "system before any heartbeat", st.System, StatusInsufficientData, StatusInsufficientData)
	checkIs(t, "instance before any heartbeat", st.Instance, StatusInsufficientData, StatusInsufficientData)

	r.beat(t, in.HostID, map[string]string{in.ID: "running+"}) // at once: the list may predate the start
	st = r.status(t, in.ID)
	checkIs(t, "system, domain running", st.System, StatusOK, CheckPassed)
	checkIs(t, "instance, guest not yet counted", st.Instance, StatusInitializing, StatusInitializing)

	r.now = r.now.Add(heartbeatLag)
	r.beat(t, in.HostID, map[string]string{in.ID: "running+"})
	checkIs(t, "instance, guest seen", r.status(t, in.ID).Instance, StatusOK, CheckPassed)

	r.now = r.now.Add(time.Second)
	pausedAt := r.now
	r.beat(t, in.HostID, map[string]string{in.ID: "paused"})
	r.now = r.now.Add(5 * time.Second)
	r.beat(t, in.HostID, map[string]string{in.ID: "paused"})
	st = r.status(t, in.ID)
	checkIs(t, "system, domain paused", st.System, StatusImpaired, CheckFailed)
	checkIs(t, "instance, domain paused", st.Instance, StatusImpaired, CheckFailed)
	if !st.System.ImpairedSince.Equal(pausedAt) {
		t.Errorf("impaired since %v, want the first report of the pause %v", st.System.ImpairedSince, pausedAt)
	}

	r.beat(t, in.HostID, map[string]string{in.ID: "running"})
	lastBeat := r.now
	r.now = r.now.Add(r.svc.cfg.HeartbeatTimeout.Duration + time.Second)
	r.svc.checkHostHealth(context.Background())
	st = r.status(t, in.ID)
	checkIs(t, "system, host silent", st.System, StatusImpaired, CheckFailed)
	checkIs(t, "instance, host silent", st.Instance, StatusInsufficientData, StatusInsufficientData)
	if !st.System.ImpairedSince.Equal(lastBeat) {
		t.Errorf("impaired since %v, want the host's last heartbeat %v", st.System.ImpairedSince, lastBeat)
	}

	r.beat(t, in.HostID, map[string]string{in.ID: "running"}) // back; the guest stays seen
	again, err := New(r.svc.cfg, r.svc.cache.Store, r.svc.log)
	if err != nil {
		t.Fatal(err)
	}
	r.svc.st, r.svc.cache, r.svc.reports = again.st, again.cache, hostReports{} // a restarted controller
	checkIs(t, "system after a restart", r.status(t, in.ID).System, StatusInsufficientData, StatusInsufficientData)
	r.beat(t, in.HostID, map[string]string{in.ID: "running"})
	st = r.status(t, in.ID)
	checkIs(t, "system after a restart and a heartbeat", st.System, StatusOK, CheckPassed)
	checkIs(t, "instance after a restart and a heartbeat", st.Instance, StatusOK, CheckPassed)
}

// TestInstanceStatusGuestNeverSeen: a guest that never reaches the network
// fails its check once the grace period is over; stopping and starting
// the instance makes an earlier sighting count no more.
func TestInstanceStatusGuestNeverSeen(t *testing.T) {
	r := newClockRig(t)
	in := r.launched(t, RunRequest{})
	r.now = r.now.Add(guestCheckGrace - time.Second)
	r.beat(t, in.HostID, map[string]string{in.ID: "running"})
	checkIs(t, "instance within the grace period", r.status(t, in.ID).Instance, StatusInitializing, StatusInitializing)
	r.now = r.now.Add(2 * time.Second)
	st := r.status(t, in.ID)
	checkIs(t, "instance after the grace period", st.Instance, StatusImpaired, CheckFailed)
	if want := in.StateChangedAt.Add(guestCheckGrace); !st.Instance.ImpairedSince.Equal(want) {
		t.Errorf("impaired since %v, want %v", st.Instance.ImpairedSince, want)
	}
	r.beat(t, in.HostID, map[string]string{in.ID: "running+"})
	checkIs(t, "instance once seen", r.status(t, in.ID).Instance, StatusOK, CheckPassed)

	r.stopped(t, in.ID)
	st = r.status(t, in.ID)
	checkIs(t, "system of a stopped instance", st.System, StatusNotApplicable, "")
	checkIs(t, "instance of a stopped instance", st.Instance, StatusNotApplicable, "")
	r.now = r.now.Add(time.Minute)
	if _, err := r.svc.StartInstances(ctxFor(acct1), []string{in.ID}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(in.ID)
	r.now = r.now.Add(heartbeatLag)
	r.beat(t, in.HostID, map[string]string{in.ID: "running"})
	checkIs(t, "instance after a restart of the guest", r.status(t, in.ID).Instance, StatusInitializing, StatusInitializing)
}

// TestDescribeInstanceStatusSelection: running instances only unless all
// are asked for, EC2's filters, paging and its errors.
func TestDescribeInstanceStatusSelection(t *testing.T) {
	r := newClockRig(t)
	var running []string
	for range 6 {
		running = append(running, r.launched(t, RunRequest{}).ID)
	}
	stopped := r.launched(t, RunRequest{}).ID
	r.stopped(t, stopped)
	r.now = r.now.Add(heartbeatLag)
	domains := map[string]string{running[0]: "running+"}
	for _, id := range running[1:] {
		domains[id] = "running"
	}
	r.beat(t, "h-lab-1a", domains)
	ctx := ctxFor(acct1)
	count := func(q StatusQuery) int {
		t.Helper()
		list, _, err := r.svc.DescribeInstanceStatus(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		return len(list)
	}
	f := func(name string, values ...string) []Filter { return []Filter{{Name: name, Values: values}} }
	tests := []struct {
		name string
		q    StatusQuery
		want int
	}{
		{"running only", StatusQuery{}, 6},
		{"all", StatusQuery{IncludeAll: true}, 7},
		{"a stopped one by ID", StatusQuery{IDs: []string{stopped}}, 0},
		{"a stopped one by ID, all", StatusQuery{IDs: []string{stopped}, IncludeAll: true}, 1},
		{"instance ok", StatusQuery{Filters: f("instance-status.status", "ok")}, 1},
		{"instance initializing", StatusQuery{Filters: f("instance-status.reachability", "initializing")}, 5},
		{"system passed", StatusQuery{Filters: f("system-status.reachability", "passed")}, 6},
		{"system ok", StatusQuery{Filters: f("system-status.status", "ok")}, 6},
		{"not applicable", StatusQuery{IncludeAll: true, Filters: f("system-status.status", "not-applicable")}, 1},
		{"state name", StatusQuery{IncludeAll: true, Filters: f("instance-state-name", "stopped")}, 1},
		{"state code", StatusQuery{IncludeAll: true, Filters: f("instance-state-code", "16")}, 6},
		{"zone", StatusQuery{Filters: f("availability-zone", "lab-1b")}, 0},
		{"event code", StatusQuery{Filters: f("event.code", "*")}, 0},
	}
	for _, tt := range tests {
		if got := count(tt.q); got != tt.want {
			t.Errorf("%s: %d statuses, want %d", tt.name, got, tt.want)
		}
	}
	page, next, err := r.svc.DescribeInstanceStatus(ctx, StatusQuery{Page: Page{MaxResults: 5}})
	if err != nil || len(page) != 5 || next == "" {
		t.Fatalf("first page: %d, next %q, %v", len(page), next, err)
	}
	rest, next2, err := r.svc.DescribeInstanceStatus(ctx, StatusQuery{Page: Page{MaxResults: 5, NextToken: next}})
	if err != nil || len(rest) != 1 || next2 != "" || rest[0].InstanceID <= page[4].InstanceID {
		t.Errorf("second page: %v, next %q, %v", rest, next2, err)
	}
	for _, c := range []struct {
		name string
		q    StatusQuery
		code string
	}{
		{"bad filter", StatusQuery{Filters: f("color", "red")}, "InvalidParameterValue"},
		{"max results too small", StatusQuery{Page: Page{MaxResults: 4}}, "InvalidParameterValue"},
		{"max results with IDs", StatusQuery{IDs: running[:1], Page: Page{MaxResults: 5}}, "InvalidParameterCombination"},
		{"unknown instance", StatusQuery{IDs: []string{"i-0000000000000dead"}}, "InvalidInstanceID.NotFound"},
		{"malformed instance", StatusQuery{IDs: []string{"vol-1"}}, "InvalidInstanceID.Malformed"},
		{"dry run", StatusQuery{DryRun: true}, "DryRunOperation"},
	} {
		if _, _, err := r.svc.DescribeInstanceStatus(ctx, c.q); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if list, _, err := r.svc.DescribeInstanceStatus(ctxFor(acct2), StatusQuery{IncludeAll: true}); err != nil || len(list) != 0 {
		t.Errorf("another account sees %d statuses (%v)", len(list), err)
	}
}
