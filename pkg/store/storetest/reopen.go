package storetest

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// RunReopen checks durability: data and the revision counter survive
// closing and reopening the store kept in one directory.
func RunReopen(t *testing.T, open Opener) {
	t.Run("DataSurvives", func(t *testing.T) { testDataSurvives(t, open) })
	t.Run("RevisionMonotonic", func(t *testing.T) { testRevisionMonotonic(t, open) })
}

func closeStore(t *testing.T, s store.Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func testDataSurvives(t *testing.T, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	r1 := mustTxn(t, s, put("p/a", "alpha", store.MustNotExist), put("p/b", "beta", store.MustNotExist))
	mustTxn(t, s, del("p/b", store.AnyRevision))
	closeStore(t, s)

	s = open(t, dir)
	defer closeStore(t, s)
	if got := mustGet(t, s, "p/a"); string(got.Value) != "alpha" || got.Revision != r1 {
		t.Fatalf("after reopen: %+v, want alpha@%d", got, r1)
	}
	kvs, err := s.List(ctxT(t), "p/")
	if err != nil || len(kvs) != 1 {
		t.Fatalf("list after reopen: %v %v, want only p/a", kvs, err)
	}
	// A conditional update against the pre-restart revision still works.
	mustTxn(t, s, put("p/a", "alpha2", r1))
}

func testRevisionMonotonic(t *testing.T, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	mustTxn(t, s, put("k", "1", store.AnyRevision))
	last := mustTxn(t, s, del("k", store.AnyRevision))
	closeStore(t, s)

	for round := range 3 {
		s = open(t, dir)
		if rev := mustRev(t, s); rev != last {
			t.Fatalf("round %d: revision after reopen %d, want %d", round, rev, last)
		}
		r := mustTxn(t, s, put("k", "again", store.MustNotExist))
		if r <= last {
			t.Fatalf("round %d: revision went back: %d after %d", round, r, last)
		}
		last = mustTxn(t, s, del("k", r))
		closeStore(t, s)
	}
}
