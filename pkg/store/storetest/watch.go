package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

func next(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed early")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	return store.Event{}
}

func testWatchOrder(t *testing.T, s store.Store) {
	mustTxn(t, s, put("w/before", "x", store.AnyRevision))
	ch, err := s.Watch(ctxT(t), "w/")
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	r1 := mustTxn(t, s, put("w/a", "1", store.AnyRevision))
	mustTxn(t, s, put("other/a", "1", store.AnyRevision))
	r2 := mustTxn(t, s, del("w/a", store.AnyRevision))
	r3 := mustTxn(t, s, put("w/b", "2", store.AnyRevision), put("w/c", "3", store.AnyRevision))
	want := []store.Event{
		{Type: store.EventPut, KV: store.KV{Key: "w/a", Value: []byte("1"), Revision: r1}},
		{Type: store.EventDelete, KV: store.KV{Key: "w/a", Revision: r2}},
		{Type: store.EventPut, KV: store.KV{Key: "w/b", Value: []byte("2"), Revision: r3}},
		{Type: store.EventPut, KV: store.KV{Key: "w/c", Value: []byte("3"), Revision: r3}},
	}
	for i, w := range want {
		got := next(t, ch)
		if got.Type != w.Type || got.KV.Key != w.KV.Key || string(got.KV.Value) != string(w.KV.Value) || got.KV.Revision != w.KV.Revision {
			t.Fatalf("event %d = %s %s=%q@%d, want %s %s=%q@%d", i,
				got.Type, got.KV.Key, got.KV.Value, got.KV.Revision, w.Type, w.KV.Key, w.KV.Value, w.KV.Revision)
		}
	}
	select {
	case ev := <-ch:
		t.Fatalf("unexpected extra event %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
}

// testWatchMany checks order under concurrent commits from several writers
// with a reader that starts late (events must queue, not drop).
func testWatchMany(t *testing.T, s store.Store) {
	ch, err := s.Watch(ctxT(t), "n/")
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	const n = 200
	done := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := range n / 4 {
				if _, err := s.Txn(ctxT(t), put(fmt.Sprintf("n/%d/%d", w, i), "v", store.AnyRevision)); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	var last int64
	for i := range n {
		ev := next(t, ch)
		if ev.KV.Revision <= last {
			t.Fatalf("event %d revision %d after %d: out of order", i, ev.KV.Revision, last)
		}
		last = ev.KV.Revision
	}
	if rev := mustRev(t, s); last != rev {
		t.Fatalf("last event revision %d, store revision %d", last, rev)
	}
}

func testWatchCancel(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(ctxT(t))
	ch, err := s.Watch(ctx, "")
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	cancel()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				mustTxn(t, s, put("after", "x", store.AnyRevision)) // must not block or panic
				return
			}
		case <-deadline:
			t.Fatal("watch channel not closed after ctx cancel")
		}
	}
}
