package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/storetest"
)

func openBolt(t testing.TB, dir string) *store.Bolt {
	t.Helper()
	s, err := store.OpenBolt(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func TestBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := openBolt(t, t.TempDir())
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestBoltReopen(t *testing.T) {
	storetest.RunReopen(t, func(t *testing.T, dir string) store.Store { return openBolt(t, dir) })
}

type instance struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

func TestJSONHelpers(t *testing.T) {
	ctx := context.Background()
	s := openBolt(t, t.TempDir())
	defer s.Close()
	for _, in := range []instance{{"i-2", "running"}, {"i-1", "pending"}} {
		op, err := store.PutJSON("instances/"+in.ID, in, store.MustNotExist)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Txn(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	got, rev, err := store.GetJSON[instance](ctx, s, "instances/i-1")
	if err != nil || got != (instance{"i-1", "pending"}) || rev <= 0 {
		t.Fatalf("GetJSON = %+v @%d, %v", got, rev, err)
	}
	got.State = "running"
	op, _ := store.PutJSON("instances/i-1", got, rev)
	if _, err := s.Txn(ctx, op); err != nil {
		t.Fatalf("conditional update: %v", err)
	}
	if _, err := s.Txn(ctx, op); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("replayed update: %v, want ErrConflict", err)
	}
	all, err := store.ListJSON[instance](ctx, s, "instances/")
	want := []instance{{"i-1", "running"}, {"i-2", "running"}}
	if err != nil || fmt.Sprint(all) != fmt.Sprint(want) {
		t.Fatalf("ListJSON = %+v, %v; want %+v", all, err, want)
	}
	if _, _, err := store.GetJSON[instance](ctx, s, "instances/i-9"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetJSON missing: %v", err)
	}
	if _, err := store.PutJSON("bad", make(chan int), -1); err == nil {
		t.Fatal("PutJSON of a channel succeeded")
	}
	if _, err := s.Txn(ctx, store.Op{Key: "instances/zz", Value: []byte("{"), ExpectRevision: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ListJSON[instance](ctx, s, "instances/"); err == nil {
		t.Fatal("ListJSON decoded invalid JSON")
	}
}

// BenchmarkBoltCommit measures Store.Txn with one put: one fsynced bbolt
// commit plus revision bookkeeping.
func BenchmarkBoltCommit(b *testing.B) {
	s := openBolt(b, b.TempDir())
	defer s.Close()
	ctx := context.Background()
	val := make([]byte, 256)
	for i := 0; b.Loop(); i++ {
		if _, err := s.Txn(ctx, store.Op{Key: fmt.Sprintf("bench/%d", i%1000), Value: val, ExpectRevision: -1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkRawBoltCommit is the baseline: plain bbolt Update with one Put.
func BenchmarkRawBoltCommit(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	name := []byte("kv")
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(name); return err }); err != nil {
		b.Fatal(err)
	}
	val := make([]byte, 256)
	for i := 0; b.Loop(); i++ {
		err := db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(name).Put(fmt.Appendf(nil, "bench/%d", i%1000), val)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}
