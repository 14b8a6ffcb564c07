package controller

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestStartMovesOffDeadHost: a stopped instance whose host stopped
// reporting starts on another healthy host of its AZ (its volumes are
// AZ-scoped), and on no host of another AZ.
func TestStartMovesOffDeadHost(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	second := newFakeAgent()
	inv := &agentv1.Inventory{HostId: "h-lab-1a-2", AvailabilityZone: "lab-1a", Vcpus: 8, MemoryMib: 8192, DomainType: "qemu"}
	if _, err := r.svc.AddHost(context.Background(), hostgrpc.InventoryFrom(inv), "fake", hostgrpc.New(second)); err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(acct1)
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	if _, err := r.svc.StopInstances(ctx, []string{id}, false, false); err != nil {
		t.Fatal(err)
	}
	r.drive(id)
	first := r.get(t, id)
	if first.State != StateStopped {
		t.Fatalf("state %s, want stopped", first.State)
	}
	// Every host but the instance's keeps reporting.
	base := time.Now()
	r.svc.now = func() time.Time { return base.Add(time.Minute) }
	for _, h := range []string{"h-lab-1a", "h-lab-1a-2", "h-lab-1b"} {
		if h == first.HostID {
			continue
		}
		if err := r.svc.Heartbeat(context.Background(), h, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	r.svc.checkHostHealth(context.Background())
	if _, err := r.svc.StartInstances(ctx, []string{id}, false); err != nil {
		t.Fatalf("StartInstances: %v", err)
	}
	r.drive(id)
	moved := r.get(t, id)
	if moved.State != StateRunning {
		t.Fatalf("state after start %s, want running", moved.State)
	}
	if moved.HostID == first.HostID || moved.AZ != "lab-1a" || moved.HostID == "h-lab-1b" {
		t.Fatalf("instance started on %s in %s; it was on dead host %s in lab-1a", moved.HostID, moved.AZ, first.HostID)
	}
}
