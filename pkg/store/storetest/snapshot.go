package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

func testSnapshot(t *testing.T, s store.Store) {
	mustTxn(t, s, put("a/2", "x", store.AnyRevision), put("b/1", "y", store.AnyRevision), put("c/1", "z", store.AnyRevision))
	mustTxn(t, s, put("a/1", "w", store.AnyRevision))
	kvs, rev, err := s.Snapshot(ctxT(t), "b/", "a/")
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if want := mustRev(t, s); rev != want {
		t.Errorf("snapshot revision %d, store at %d", rev, want)
	}
	var got []string
	for _, kv := range kvs {
		got = append(got, kv.Key+"="+string(kv.Value))
		if kv.Revision != mustGet(t, s, kv.Key).Revision {
			t.Errorf("%s: revision %d, Get says %d", kv.Key, kv.Revision, mustGet(t, s, kv.Key).Revision)
		}
	}
	want := []string{"b/1=y", "a/1=w", "a/2=x"}
	if len(got) != len(want) {
		t.Fatalf("snapshot = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("snapshot = %v, want %v", got, want)
		}
	}
}

// testWatchFrom: a watch from a snapshot's revision delivers exactly the
// commits after it.
func testWatchFrom(t *testing.T, s store.Store) {
	mustTxn(t, s, put("f/old", "1", store.AnyRevision))
	_, rev, err := s.Snapshot(ctxT(t), "f/")
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	ch, err := s.WatchFrom(ctxT(t), "f/", rev)
	if err != nil {
		t.Fatalf("watch from %d: %v", rev, err)
	}
	r1 := mustTxn(t, s, put("f/new", "2", store.AnyRevision))
	r2 := mustTxn(t, s, del("f/old", store.AnyRevision))
	for _, w := range []store.Event{
		{Type: store.EventPut, KV: store.KV{Key: "f/new", Revision: r1}},
		{Type: store.EventDelete, KV: store.KV{Key: "f/old", Revision: r2}},
	} {
		got := next(t, ch)
		if got.Type != w.Type || got.KV.Key != w.KV.Key || got.KV.Revision != w.KV.Revision {
			t.Fatalf("event %s %s@%d, want %s %s@%d", got.Type, got.KV.Key, got.KV.Revision, w.Type, w.KV.Key, w.KV.Revision)
		}
	}
	select {
	case ev := <-ch:
		t.Fatalf("unexpected extra event %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
}

// testWatchFromOlder: a watch from a revision with commits after it either
// replays them first or refuses with ErrCompacted; it never skips them.
func testWatchFromOlder(t *testing.T, s store.Store) {
	_, rev, err := s.Snapshot(ctxT(t), "o/")
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	r1 := mustTxn(t, s, put("o/a", "1", store.AnyRevision))
	ch, err := s.WatchFrom(ctxT(t), "o/", rev)
	if errors.Is(err, store.ErrCompacted) {
		return // Bolt: no history
	}
	if err != nil {
		t.Fatalf("watch from %d: %v", rev, err)
	}
	if got := next(t, ch); got.KV.Key != "o/a" || got.KV.Revision != r1 {
		t.Fatalf("first event %s@%d, want o/a@%d", got.KV.Key, got.KV.Revision, r1)
	}
}
