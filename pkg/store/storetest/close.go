package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// testCloseEndsWatches: Close closes open watch channels, and Get, Txn and
// Watch after it fail with ErrClosed.
func testCloseEndsWatches(t *testing.T, s store.Store) {
	ch, err := s.Watch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("event after close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch channel still open after Close")
	}
	ctx := context.Background()
	if _, err := s.Get(ctx, "k"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("get after close: %v, want ErrClosed", err)
	}
	if _, err := s.Txn(ctx, store.Op{Key: "k", ExpectRevision: -1}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("txn after close: %v, want ErrClosed", err)
	}
	if _, err := s.Watch(ctx, ""); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("watch after close: %v, want ErrClosed", err)
	}
}
