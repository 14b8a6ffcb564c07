package controller

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// EdgeRig is what the tests of package controller_test drive through both
// API edges: a Service whose hosts are fake agents reached over real gRPC
// (overWire), with one running instance and one available volume of
// Acct1 in lab-1a.
type EdgeRig struct {
	Svc              *Service
	Instance, Volume string
	AMI              string // acct1's image, launchable on the rig
	Acct1, Acct2     string
	failAttach       func(error)
}

// NewEdgeRig builds an EdgeRig.
func NewEdgeRig(t *testing.T) *EdgeRig {
	t.Helper()
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192}).wired(t)
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	if in := r.get(t, id); in.State != StateRunning {
		t.Fatalf("instance %s is %s, want running", id, in.State)
	}
	v, err := r.svc.CreateVolume(ctxFor(acct1), VolumeRequest{AZ: "lab-1a", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	r.svc.driveVolume(context.Background(), v.ID, r.svc.createVolume)
	if got, _, _ := r.svc.DescribeVolumes(ctxFor(acct1), []string{v.ID}, nil, Page{}); len(got) != 1 || got[0].State != "available" {
		t.Fatalf("volume %s: %+v, want available", v.ID, got)
	}
	return &EdgeRig{Svc: r.svc, Instance: id, Volume: v.ID, AMI: r.ami, Acct1: acct1, Acct2: acct2,
		failAttach: func(err error) {
			r.agents["lab-1a"].mu.Lock()
			r.agents["lab-1a"].attachErr = err
			r.agents["lab-1a"].mu.Unlock()
		}}
}

// SetElasticIPPool gives the region the Elastic IP pool specs.
func (e *EdgeRig) SetElasticIPPool(t *testing.T, specs ...string) {
	t.Helper()
	p, err := ParseElasticIPPool(specs)
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.eipPool = p
}

// SetQuotas replaces the service's quotas section.
func (e *EdgeRig) SetQuotas(q QuotaConfig) { e.Svc.cfg.Quotas = q }

// FailAttach makes the lab-1a agent's AttachVolume fail with err.
func (e *EdgeRig) FailAttach(err error) { e.failAttach(err) }

// CompletedSnapshot stores a completed 1 GiB snapshot of owner in lab-1a
// (the fake agents take no snapshots) and returns its ID.
func (e *EdgeRig) CompletedSnapshot(t *testing.T, owner string) string {
	t.Helper()
	sn := Snapshot{ID: ids.New(ids.Snapshot), Owner: owner, VolumeID: e.Volume, AZ: "lab-1a", State: "completed",
		Progress: "100%", SizeGiB: 1, StartTime: e.Svc.now().UTC()}
	sn.Layer = sn.ID + ".qcow2"
	if err := put(context.Background(), e.Svc.st, prefixSnapshot+sn.ID, sn); err != nil {
		t.Fatal(err)
	}
	return sn.ID
}

// ReconcileGroups runs the Auto Scaling sweep once.
func (e *EdgeRig) ReconcileGroups() { e.Svc.reconcileGroups(context.Background()) }

// Reconcile runs one reconciler pass.
func (e *EdgeRig) Reconcile() { e.Svc.reconcileOnce(context.Background()) }

// Heartbeat records a heartbeat of every host now, as the agents would
// (the fake ones send none): a test that ran past the heartbeat timeout
// finds its hosts healthy on the next pass.
func (e *EdgeRig) Heartbeat(t *testing.T) {
	t.Helper()
	for _, az := range []string{"lab-1a", "lab-1b"} {
		if _, err := update(context.Background(), e.Svc.st, prefixHost+"h-"+az, func(h *HostRecord) error {
			h.LastHeartbeat, h.Healthy = e.Svc.now(), true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// StaleZone makes the host of az (h-AZ) look as if its heartbeats stopped
// an hour ago.
func (e *EdgeRig) StaleZone(t *testing.T, az string) {
	t.Helper()
	if _, err := update(context.Background(), e.Svc.st, prefixHost+"h-"+az, func(h *HostRecord) error {
		h.LastHeartbeat = e.Svc.now().Add(-time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// FailStore makes every write to the backing store fail with err.
func (e *EdgeRig) FailStore(err error) {
	e.Svc.cache.Store = txnFailingStore{Store: e.Svc.cache.Store, err: err}
}

type txnFailingStore struct {
	store.Store
	err error
}

func (f txnFailingStore) Txn(context.Context, ...store.Op) (int64, error) { return 0, f.err }

// Ctx1 is a context signed in as Acct1.
func (e *EdgeRig) Ctx1() context.Context { return ctxFor(e.Acct1) }

// Records are every key in the rig's store and its value, for tests that
// check a call wrote nothing.
func (e *EdgeRig) Records(t *testing.T) map[string]string {
	t.Helper()
	kvs, err := e.Svc.st.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[kv.Key] = string(kv.Value)
	}
	return out
}
