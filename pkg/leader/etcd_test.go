package leader_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/leader"
	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

// replica is one elector on its own store client, recording its terms.
type replica struct {
	st     *store.Etcd
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	leads  bool
	guard  store.Guard
	terms  int
}

func startReplica(t *testing.T, eps []string, name string) *replica {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.OpenEtcd(ctx, store.EtcdConfig{Endpoints: eps, Prefix: "/lab-1/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &replica{st: st, done: make(chan struct{})}
	run, stop := context.WithCancel(context.Background())
	r.cancel = stop
	el := leader.NewEtcd(st, leader.EtcdOptions{Name: name, TTL: 2, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	go func() {
		defer close(r.done)
		_ = el.Run(run, func(lctx context.Context) {
			g, _ := store.GuardFrom(lctx)
			r.mu.Lock()
			r.leads, r.guard, r.terms = true, g, r.terms+1
			r.mu.Unlock()
			<-lctx.Done()
			r.mu.Lock()
			r.leads = false
			r.mu.Unlock()
		})
	}()
	t.Cleanup(func() { stop(); <-r.done })
	return r
}

func (r *replica) leading() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.leads
}

// waitOne waits until exactly one replica leads and returns it and how long
// that took; it fails after d.
func waitOne(t *testing.T, d time.Duration, rs ...*replica) (*replica, time.Duration) {
	t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		var leaders []*replica
		for _, r := range rs {
			if r.leading() {
				leaders = append(leaders, r)
			}
		}
		if len(leaders) > 1 {
			t.Fatalf("%d replicas lead at once", len(leaders))
		}
		if len(leaders) == 1 {
			return leaders[0], time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no leader within %v", d)
	return nil, 0
}

// TestEtcdElection: of two replicas exactly one leads; when it stops, the
// other leads at once (the lease is revoked), and the stopped one's guard
// fences its writes; when the leader dies (its client closes without
// revoking), the other leads within the lease TTL (2 s here).
func TestEtcdElection(t *testing.T) {
	eps := etcdtest.Start(t, 1).Endpoints()
	a, b := startReplica(t, eps, "a"), startReplica(t, eps, "b")
	first, _ := waitOne(t, 10*time.Second, a, b)
	second := map[*replica]*replica{a: b, b: a}[first]
	time.Sleep(500 * time.Millisecond)
	if second.leading() {
		t.Fatal("both replicas lead")
	}
	first.mu.Lock()
	guard := first.guard
	first.mu.Unlock()
	if guard.Key == "" {
		t.Fatal("the leader's ctx carries no guard")
	}
	ctx := context.Background()
	if _, err := first.st.Txn(store.WithGuard(ctx, guard), store.Op{Key: "rec", Value: []byte("1"), ExpectRevision: store.AnyRevision}); err != nil {
		t.Fatalf("leader's guarded write: %v", err)
	}

	first.cancel() // stops cleanly: resigns
	<-first.done
	got, took := waitOne(t, 5*time.Second, a, b)
	if got != second {
		t.Fatal("the stopped replica leads")
	}
	t.Logf("failover after a clean stop: %v", took)
	before, _ := first.st.Revision(ctx)
	_, err := first.st.Txn(store.WithGuard(ctx, guard), store.Op{Key: "rec", Value: []byte("deposed"), ExpectRevision: store.AnyRevision})
	if !errors.Is(err, store.ErrFenced) {
		t.Fatalf("deposed leader's guarded write: %v, want ErrFenced", err)
	}
	if kv, _ := first.st.Get(ctx, "rec"); string(kv.Value) != "1" {
		t.Fatalf("fenced write changed rec to %q", kv.Value)
	}
	if after, _ := first.st.Revision(ctx); after != before {
		t.Fatalf("fenced write moved the revision %d → %d", before, after)
	}

	c := startReplica(t, eps, "c") // a follower while second leads
	time.Sleep(500 * time.Millisecond)
	if c.leading() {
		t.Fatal("a new replica leads while another does")
	}
	killed := time.Now()
	second.st.Close() // dies: no resign, the lease expires after its TTL
	got, _ = waitOne(t, 10*time.Second, second, c)
	took = time.Since(killed)
	if got != c {
		t.Fatal("the dead replica still leads")
	}
	t.Logf("failover after the leader died (TTL 2 s): %v", took)
	if took > 5*time.Second {
		t.Errorf("failover took %v, want within ~5 s", took)
	}
}

// TestAlways: a lone ec2d leads at once, with no guard, until ctx ends.
func TestAlways(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	led := make(chan bool, 1)
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	if err := (leader.Always{}).Run(ctx, func(lctx context.Context) {
		_, guarded := store.GuardFrom(lctx)
		<-lctx.Done()
		led <- !guarded
	}); err != nil {
		t.Fatal(err)
	}
	if !<-led {
		t.Fatal("Always's ctx carries a guard")
	}
}
