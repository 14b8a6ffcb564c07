package controller

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestGuestPowerOffIsAStop: a guest that powers itself off is stopped
// through its agent like a user stop (so the agent releases and wipes
// what a stop does: instance-store disks), keeps EC2's instance-initiated
// reason, and can be started again.
func TestGuestPowerOffIsAStop(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	in := r.get(t, id)
	if in.State != StateRunning {
		t.Fatalf("state %s after launch", in.State)
	}
	ag := r.agents["lab-1a"]
	ag.mu.Lock()
	ag.domains[id] = "stopped" // the guest ran poweroff
	ag.mu.Unlock()

	r.svc.observe(context.Background(), in.HostID, id, "stopped", "shutdown by guest", seenByEvent)
	deadline := time.Now().Add(5 * time.Second)
	for r.get(t, id).State != StateStopped && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := r.get(t, id)
	if got.State != StateStopped || got.StateReasonCode != "Client.InstanceInitiatedShutdown" || got.Op != "" {
		t.Fatalf("after the guest's poweroff: state %s, reason %q, op %q; want stopped, Client.InstanceInitiatedShutdown, no op",
			got.State, got.StateReasonCode, got.Op)
	}
	ag.mu.Lock()
	stops := slices.Clone(ag.stops)
	ag.mu.Unlock()
	if !slices.Equal(stops, []string{id + "/force"}) {
		t.Errorf("agent StopInstance calls %v, want one forced stop of %s (it releases the instance store)", stops, id)
	}

	if _, err := r.svc.StartInstances(ctxFor(acct1), []string{id}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(id)
	if st := r.get(t, id).State; st != StateRunning {
		t.Errorf("start after the guest's poweroff: %s", st)
	}
}

// TestHeartbeatStopIsNotStale: a heartbeat's list may predate the latest
// start, so a "stopped" in it right after the instance became running
// changes nothing; once heartbeatLag has passed it stops the instance as an
// event would (it catches what events missed).
func TestHeartbeatStopIsNotStale(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	base := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	now := base
	r.svc.now = func() time.Time { return now }
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	in := r.get(t, id)
	r.svc.observe(context.Background(), in.HostID, id, "stopped", "shutdown by guest", seenByHeartbeat)
	if st := r.get(t, id).State; st != StateRunning {
		t.Fatalf("a heartbeat right after the start stopped the instance: %s", st)
	}
	now = now.Add(heartbeatLag + time.Second)
	r.svc.observe(context.Background(), in.HostID, id, "stopped", "shutdown by guest", seenByHeartbeat)
	deadline := time.Now().Add(5 * time.Second)
	for r.get(t, id).State != StateStopped && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := r.get(t, id); got.State != StateStopped || got.StateReasonCode != "Client.InstanceInitiatedShutdown" {
		t.Errorf("a heartbeat %v after the start: state %s reason %q, want stopped by the guest", heartbeatLag, got.State, got.StateReasonCode)
	}
}
