// Package storetest is the conformance suite every store.Store backend must
// pass: CRUD, prefix listing, revision checks, atomicity, watch ordering and
// (with RunReopen) durability across close and reopen.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// Factory returns a fresh, empty store; it should register its own cleanup.
type Factory func(t *testing.T) store.Store

// Opener opens the store kept at dir; opening the same dir again must see
// the same data. The suite closes what it opens.
type Opener func(t *testing.T, dir string) store.Store

// Run runs the behaviour suite against fresh stores from newStore (a
// factory's cleanup may close a store the suite closed already).
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"CRUD", testCRUD},
		{"ListPrefix", testListPrefix},
		{"ExpectRevision", testExpectRevision},
		{"ConcurrentConflict", testConcurrentConflict},
		{"Atomicity", testAtomicity},
		{"MultiOpSharesRevision", testMultiOp},
		{"DeleteAbsent", testDeleteAbsent},
		{"InvalidTxn", testInvalidTxn},
		{"WatchOrder", testWatchOrder},
		{"WatchManyInOrder", testWatchMany},
		{"WatchCancel", testWatchCancel},
		{"CloseEndsWatches", testCloseEndsWatches},
		{"Snapshot", testSnapshot},
		{"WatchFromSnapshot", testWatchFrom},
		{"WatchFromOlder", testWatchFromOlder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func put(key, val string, expect int64) store.Op {
	return store.Op{Key: key, Value: []byte(val), ExpectRevision: expect}
}

func del(key string, expect int64) store.Op {
	return store.Op{Key: key, Delete: true, ExpectRevision: expect}
}

func mustTxn(t *testing.T, s store.Store, ops ...store.Op) int64 {
	t.Helper()
	rev, err := s.Txn(ctxT(t), ops...)
	if err != nil {
		t.Fatalf("txn %v: %v", ops, err)
	}
	return rev
}

func mustGet(t *testing.T, s store.Store, key string) store.KV {
	t.Helper()
	kv, err := s.Get(ctxT(t), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return kv
}

func mustRev(t *testing.T, s store.Store) int64 {
	t.Helper()
	rev, err := s.Revision(ctxT(t))
	if err != nil {
		t.Fatalf("revision: %v", err)
	}
	return rev
}
