package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store"
)

func testCRUD(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	if _, err := s.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get missing: err = %v, want ErrNotFound", err)
	}
	if rev := mustRev(t, s); rev != 0 {
		t.Fatalf("empty store revision = %d, want 0", rev)
	}
	r1 := mustTxn(t, s, put("a", "one", store.MustNotExist))
	if got := mustGet(t, s, "a"); string(got.Value) != "one" || got.Revision != r1 || got.Key != "a" {
		t.Fatalf("after create: %+v, want a=one@%d", got, r1)
	}
	r2 := mustTxn(t, s, put("a", "two", r1))
	if r2 <= r1 {
		t.Fatalf("update revision %d not after %d", r2, r1)
	}
	if got := mustGet(t, s, "a"); string(got.Value) != "two" || got.Revision != r2 {
		t.Fatalf("after update: %+v, want a=two@%d", got, r2)
	}
	r3 := mustTxn(t, s, del("a", r2))
	if _, err := s.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get deleted: err = %v, want ErrNotFound", err)
	}
	if rev := mustRev(t, s); rev != r3 || r3 <= r2 {
		t.Fatalf("revision after delete = %d (txn said %d), want > %d", rev, r3, r2)
	}
	// Empty values are values, not deletions.
	mustTxn(t, s, put("empty", "", store.AnyRevision))
	if got := mustGet(t, s, "empty"); len(got.Value) != 0 {
		t.Fatalf("empty value read back as %q", got.Value)
	}
}

func testListPrefix(t *testing.T, s store.Store) {
	keys := []string{"b/1", "a/2", "ab", "a/10", "a/1", "a"}
	for _, k := range keys {
		mustTxn(t, s, put(k, "v-"+k, store.AnyRevision))
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"a/", []string{"a/1", "a/10", "a/2"}},
		{"a", []string{"a", "a/1", "a/10", "a/2", "ab"}},
		{"", []string{"a", "a/1", "a/10", "a/2", "ab", "b/1"}},
		{"c/", nil},
	}
	for _, tc := range cases {
		kvs, err := s.List(ctxT(t), tc.prefix)
		if err != nil {
			t.Fatalf("list %q: %v", tc.prefix, err)
		}
		var got []string
		for _, kv := range kvs {
			got = append(got, kv.Key)
			if string(kv.Value) != "v-"+kv.Key || kv.Revision <= 0 {
				t.Errorf("list %q: %s = %q@%d", tc.prefix, kv.Key, kv.Value, kv.Revision)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("list %q = %v, want %v", tc.prefix, got, tc.want)
		}
	}
}

func testExpectRevision(t *testing.T, s store.Store) {
	r1 := mustTxn(t, s, put("k", "v1", store.MustNotExist))
	cases := []struct {
		name string
		op   store.Op
	}{
		{"create existing", put("k", "x", store.MustNotExist)},
		{"stale update", put("k", "x", r1+100)},
		{"stale delete", del("k", r1+100)},
		{"update absent", put("nope", "x", r1)},
	}
	for _, tc := range cases {
		if _, err := s.Txn(ctxT(t), tc.op); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: err = %v, want ErrConflict", tc.name, err)
		}
	}
	if got := mustGet(t, s, "k"); string(got.Value) != "v1" || got.Revision != r1 {
		t.Fatalf("after failed txns: %+v, want v1@%d", got, r1)
	}
	if rev := mustRev(t, s); rev != r1 {
		t.Fatalf("failed txns moved revision %d -> %d", r1, rev)
	}
}

// testConcurrentConflict: N writers read the same revision and race a
// conditional update; exactly one may win.
func testConcurrentConflict(t *testing.T, s store.Store) {
	r := mustTxn(t, s, put("race", "start", store.MustNotExist))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Txn(ctxT(t), put("race", fmt.Sprint("w", i), r))
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("writers %d and %d both won", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("writer %d: %v, want ErrConflict", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no writer won")
	}
	if got := mustGet(t, s, "race"); string(got.Value) != fmt.Sprint("w", won) {
		t.Fatalf("value %q, winner was w%d", got.Value, won)
	}
}

func testAtomicity(t *testing.T, s store.Store) {
	r1 := mustTxn(t, s, put("keep", "old", store.AnyRevision))
	_, err := s.Txn(ctxT(t),
		put("new", "x", store.AnyRevision),
		put("keep", "changed", r1),
		del("keep2", store.AnyRevision),
		put("guard", "x", 999),
	)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("txn with failing check: err = %v, want ErrConflict", err)
	}
	if _, err := s.Get(ctxT(t), "new"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("put from failed txn is visible: %v", err)
	}
	if got := mustGet(t, s, "keep"); string(got.Value) != "old" || got.Revision != r1 {
		t.Fatalf("update from failed txn applied: %+v", got)
	}
	if rev := mustRev(t, s); rev != r1 {
		t.Fatalf("failed txn moved revision %d -> %d", r1, rev)
	}
}

func testMultiOp(t *testing.T, s store.Store) {
	mustTxn(t, s, put("x", "1", store.AnyRevision))
	rev := mustTxn(t, s, put("m/1", "a", store.MustNotExist), put("m/2", "b", store.MustNotExist), del("x", store.AnyRevision))
	kvs, err := s.List(ctxT(t), "m/")
	if err != nil || len(kvs) != 2 {
		t.Fatalf("list m/: %v %v", kvs, err)
	}
	for _, kv := range kvs {
		if kv.Revision != rev {
			t.Errorf("%s revision %d, want txn revision %d", kv.Key, kv.Revision, rev)
		}
	}
	if got := mustRev(t, s); got != rev {
		t.Fatalf("store revision %d, want %d (one bump per txn)", got, rev)
	}
}

func testDeleteAbsent(t *testing.T, s store.Store) {
	r := mustTxn(t, s, put("here", "1", store.AnyRevision))
	if _, err := s.Txn(ctxT(t), del("absent", store.AnyRevision)); err != nil {
		t.Fatalf("delete absent: %v", err)
	}
	if _, err := s.Txn(ctxT(t), del("absent", store.MustNotExist)); err != nil {
		t.Fatalf("delete absent expecting absence: %v", err)
	}
	if got := mustRev(t, s); got != r {
		t.Fatalf("no-op deletes moved revision %d -> %d", r, got)
	}
}

func testInvalidTxn(t *testing.T, s store.Store) {
	cases := map[string][]store.Op{
		"empty key":     {put("", "x", store.AnyRevision)},
		"duplicate key": {put("d", "1", store.AnyRevision), put("d", "2", store.AnyRevision)},
		"bad expect":    {put("d", "1", -2)},
	}
	for name, ops := range cases {
		if _, err := s.Txn(ctxT(t), ops...); err == nil {
			t.Errorf("%s: txn accepted", name)
		}
	}
	if _, err := s.Get(ctxT(t), "d"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("invalid txn applied something: %v", err)
	}
}
