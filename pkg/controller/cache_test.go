package controller

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// openCache is a record cache over a fresh bbolt store in t's temp dir.
func openCache(t *testing.T) (*recordCache, *Service, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := newRecordCache(context.Background(), st, usageOf(instancetypes.Default()))
	if err != nil {
		t.Fatal(err)
	}
	return c, &Service{st: c, cache: c}, path
}

func putInstance(t *testing.T, st store.Store, in Instance, rev int64) {
	t.Helper()
	op, err := store.PutJSON(prefixInstance+in.ID, in, rev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Txn(context.Background(), op); err != nil {
		t.Fatal(err)
	}
}

func idsOf(list []*Instance) []string {
	out := []string{}
	for _, in := range list {
		out = append(out, in.ID)
	}
	return out
}

// TestRecordCacheFollowsCommits: every commit through the cache shows in
// its indexes at once, and a cache reloaded from the store agrees.
func TestRecordCacheFollowsCommits(t *testing.T) {
	c, s, _ := openCache(t)
	ctx := context.Background()
	putInstance(t, c, Instance{ID: "i-2", Owner: "a", HostID: "h1"}, 0)
	putInstance(t, c, Instance{ID: "i-1", Owner: "a", HostID: "h2"}, 0)
	putInstance(t, c, Instance{ID: "i-3", Owner: "b", HostID: "h1"}, 0)
	if _, err := update(ctx, c, prefixInstance+"i-2", func(in *Instance) error { in.HostID = "h2"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Txn(ctx, store.Op{Key: prefixInstance + "i-3", Delete: true, ExpectRevision: store.AnyRevision}); err != nil {
		t.Fatal(err)
	}
	stale, _ := store.PutJSON(prefixInstance+"i-1", Instance{ID: "i-1", Owner: "z"}, 1) // wrong revision
	if _, err := c.Txn(ctx, stale); err == nil {
		t.Fatal("conflicting txn committed")
	}
	check := func(name string, s *Service) {
		for _, tc := range []struct{ key, val string }{{"owner", "a"}, {"host", "h2"}} {
			got, err := s.instancesBy(ctx, tc.key, tc.val)
			if err != nil || !slices.Equal(idsOf(got), []string{"i-1", "i-2"}) {
				t.Errorf("%s: instances by %s %s = %v, %v; want [i-1 i-2]", name, tc.key, tc.val, idsOf(got), err)
			}
		}
		for _, tc := range []struct{ key, val string }{{"owner", "b"}, {"host", "h1"}} {
			if got, _ := s.instancesBy(ctx, tc.key, tc.val); len(got) != 0 {
				t.Errorf("%s: instances by %s %s = %v, want none", name, tc.key, tc.val, idsOf(got))
			}
		}
	}
	check("live", s)
	c2, err := newRecordCache(ctx, c.Store, c.use.of)
	if err != nil {
		t.Fatal(err)
	}
	check("reloaded", &Service{st: c2, cache: c2})
}

// TestRecordCacheReloadsAfterFailedCommit: a commit that fails other than
// by a conflict may have happened, so the next read reloads from the store
// (here it also picks up a write that bypassed the cache).
func TestRecordCacheReloadsAfterFailedCommit(t *testing.T) {
	c, s, _ := openCache(t)
	putInstance(t, c.Store, Instance{ID: "i-1", Owner: "a"}, 0) // bypasses the cache
	if got, _ := s.instances(context.Background()); len(got) != 0 {
		t.Fatalf("cache saw a bypassing write without a reload: %v", idsOf(got))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	op, _ := store.PutJSON(prefixInstance+"i-2", Instance{ID: "i-2", Owner: "a"}, 0)
	if _, err := c.Txn(ctx, op); err == nil {
		t.Fatal("txn with a cancelled context succeeded")
	}
	got, err := s.instances(context.Background())
	if err != nil || !slices.Equal(idsOf(got), []string{"i-1"}) {
		t.Fatalf("after failed commit: %v, %v; want [i-1]", idsOf(got), err)
	}
}

// TestRecordCacheConcurrentUpdates: racing read-modify-write updates and
// readers leave the cache equal to the store.
func TestRecordCacheConcurrentUpdates(t *testing.T) {
	c, s, _ := openCache(t)
	ctx := context.Background()
	for i := range 8 {
		putInstance(t, c, Instance{ID: fmt.Sprintf("i-%d", i), Owner: "a", HostID: "h0"}, 0)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 20 {
				id := fmt.Sprintf("%si-%d", prefixInstance, (w+n)%8)
				_, _ = update(ctx, c, id, func(in *Instance) error { in.Attempts++; in.HostID = fmt.Sprint("h", n%3); return nil })
				_, _ = s.instancesBy(ctx, "host", "h1")
			}
		}()
	}
	wg.Wait()
	want, err := store.ListJSON[Instance](ctx, c.Store, prefixInstance)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.instances(ctx)
	total := 0
	for i, in := range got {
		if in.Attempts != want[i].Attempts || in.HostID != want[i].HostID {
			t.Errorf("%s: cache %d/%s, store %d/%s", in.ID, in.Attempts, in.HostID, want[i].Attempts, want[i].HostID)
		}
		total += in.Attempts
	}
	if len(got) != 8 || total != 80 {
		t.Errorf("cache holds %d instances with %d updates, want 8 and 80", len(got), total)
	}
}

// TestRecordCacheUsage: per-host and per-account usage follow launches,
// state changes, host moves and deletions (t3.nano: 2 vCPUs, 512 MiB).
func TestRecordCacheUsage(t *testing.T) {
	c, s, _ := openCache(t)
	ctx := context.Background()
	setState := func(id, state, host string) {
		if _, err := update(ctx, c, prefixInstance+id, func(in *Instance) error { in.State, in.HostID = state, host; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name      string
		do        func()
		acctA, h1 int // vCPUs held by account a, on host h1
		h2Mem     int64
	}{
		{"launch", func() {
			for i, h := range []string{"h1", "h1", "h2"} {
				putInstance(t, c, Instance{ID: fmt.Sprint("i-", i), Owner: "a", HostID: h, Type: "t3.nano", State: StatePending}, 0)
			}
			putInstance(t, c, Instance{ID: "i-9", Owner: "b", HostID: "h1", Type: "t3.nano", State: StateRunning}, 0)
		}, 6, 6, 512},
		{"stop frees capacity", func() { setState("i-0", StateStopped, "h1") }, 4, 4, 512},
		{"start on another host", func() { setState("i-0", StatePending, "h2") }, 6, 4, 1024},
		{"terminated", func() { setState("i-2", StateTerminated, "h2") }, 4, 4, 512},
		{"deleted", func() {
			for _, id := range []string{"i-0", "i-9"} {
				if _, err := c.Txn(ctx, store.Op{Key: prefixInstance + id, Delete: true, ExpectRevision: store.AnyRevision}); err != nil {
					t.Fatal(err)
				}
			}
		}, 2, 2, 0},
	}
	for _, st := range steps {
		st.do()
		a, _ := s.accountUsage(ctx, "a")
		hosts, _, err := s.schedulerUsage(ctx)
		if err != nil || a.VCPUs != st.acctA || hosts["h1"].VCPUs != st.h1 || hosts["h2"].MemoryMiB != st.h2Mem {
			t.Errorf("%s: account a %d vCPUs, h1 %d vCPUs, h2 %d MiB (%v); want %d, %d, %d",
				st.name, a.VCPUs, hosts["h1"].VCPUs, hosts["h2"].MemoryMiB, err, st.acctA, st.h1, st.h2Mem)
		}
	}
	reloaded, err := newRecordCache(ctx, c.Store, c.use.of)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"h1", "h2"} {
		if got, want := c.use.byHost[h], reloaded.use.byHost[h]; got != want {
			t.Errorf("host %s: live usage %+v, reloaded %+v", h, got, want)
		}
	}
}
