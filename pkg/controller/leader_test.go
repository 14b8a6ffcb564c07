package controller

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/leader"
	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

// passCounter counts the reconciler's passes (an Observer).
type passCounter struct{ n atomic.Int64 }

func (p *passCounter) SweepDone(string, time.Duration, error) {}
func (p *passCounter) PassDone(time.Duration, bool)           { p.n.Add(1) }

// electedReplica is a rig whose reconciler runs under an etcd elector.
type electedReplica struct {
	rig    *rig
	st     *store.Etcd
	passes passCounter
	guard  atomic.Pointer[store.Guard]
	cancel context.CancelFunc
	done   chan struct{}
}

func startElected(t *testing.T, eps []string) *electedReplica {
	t.Helper()
	e := &electedReplica{st: openEtcdStore(t, eps), done: make(chan struct{})}
	e.rig = newRigOn(t, e.st, 64, hostSpec{8, 8192})
	e.rig.svc.SetObserver(&e.passes)
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	el := leader.NewEtcd(e.st, leader.EtcdOptions{TTL: 2, Log: e.rig.svc.log})
	go func() {
		defer close(e.done)
		_ = el.Run(ctx, func(lctx context.Context) {
			if g, ok := store.GuardFrom(lctx); ok {
				e.guard.Store(&g)
			}
			e.rig.svc.Run(lctx)
		})
	}()
	t.Cleanup(func() { cancel(); <-e.done })
	return e
}

// runsAlone waits until exactly one of rs makes reconciler passes and the
// others make none for a while; it returns that one and how long it took.
func runsAlone(t *testing.T, d time.Duration, rs ...*electedReplica) (*electedReplica, time.Duration) {
	t.Helper()
	start := time.Now()
	base := make([]int64, len(rs))
	for i, r := range rs {
		base[i] = r.passes.n.Load()
	}
	var got *electedReplica
	within(t, d, "one replica runs the reconciler", func() bool {
		for i, r := range rs {
			if r.passes.n.Load() > base[i] {
				got = r
				return true
			}
		}
		return false
	})
	took := time.Since(start)
	for i, r := range rs {
		base[i] = r.passes.n.Load()
	}
	time.Sleep(reconcileInterval + 500*time.Millisecond) // the leader passes at least once more
	for i, r := range rs {
		n := r.passes.n.Load() - base[i]
		if r == got && n == 0 {
			t.Fatal("the leader stopped passing")
		}
		if r != got && n != 0 {
			t.Fatalf("a follower made %d reconciler passes", n)
		}
	}
	return got, took
}

// TestOneReplicaReconciles: two Services on one etcd, each under an
// elector: only the leader runs its reconciler; when it stops, the other
// takes over at once, and a write on the deposed leader's guarded path
// fails and changes nothing; when the leader dies (its etcd client closes
// without resigning), the other takes over within the lease TTL.
func TestOneReplicaReconciles(t *testing.T) {
	eps := etcdtest.Start(t, 1).Endpoints()
	a, b := startElected(t, eps), startElected(t, eps)
	first, _ := runsAlone(t, 10*time.Second, a, b)
	second := map[*electedReplica]*electedReplica{a: b, b: a}[first]
	g := first.guard.Load()
	if g == nil {
		t.Fatal("the leader's reconciler ctx carries no guard")
	}

	first.cancel()
	<-first.done
	if got, took := runsAlone(t, 5*time.Second, a, b); got != second {
		t.Fatal("the stopped replica still reconciles")
	} else {
		t.Logf("failover after a clean stop: %v", took)
	}
	ids := first.rig.run(t, 1, "lab-1a") // the API path is unguarded: any replica writes
	key := prefixInstance + ids[0]
	before, err := first.st.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	guarded := store.WithGuard(context.Background(), *g)
	_, err = update(guarded, first.rig.svc.st, key, func(in *Instance) error {
		in.State = StateTerminated
		return nil
	})
	if !errors.Is(err, store.ErrFenced) {
		t.Fatalf("deposed leader's guarded write: %v, want ErrFenced", err)
	}
	if after, _ := first.st.Get(context.Background(), key); after.Revision != before.Revision {
		t.Fatalf("the fenced write changed %s", key)
	}
	if in := first.rig.get(t, ids[0]); in.State == StateTerminated {
		t.Fatal("the deposed leader reads back its fenced write")
	}

	c := startElected(t, eps) // a new follower
	killed := time.Now()
	second.st.Close()
	got, _ := runsAlone(t, 10*time.Second, second, c)
	if got != c {
		t.Fatal("the dead replica still reconciles")
	}
	took := time.Since(killed) - reconcileInterval - 500*time.Millisecond // runsAlone's quiet check
	t.Logf("failover after the leader died (TTL 2 s): %v", took)
	if took > 5*time.Second {
		t.Errorf("failover took %v, want within ~5 s", took)
	}
}
