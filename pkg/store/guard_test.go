package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

// TestEtcdGuard: a guarded Txn commits while its key exists with the
// guard's create revision, and fails with ErrFenced, applying nothing,
// once the key is gone or was created again; unguarded writes go on.
func TestEtcdGuard(t *testing.T) {
	ctx := context.Background()
	s := openEtcd(t, store.EtcdConfig{Endpoints: etcdtest.Start(t, 1).Endpoints()})
	defer s.Close()
	created, err := s.Txn(ctx, store.Op{Key: "election/a", Value: []byte("me"), ExpectRevision: store.MustNotExist})
	if err != nil {
		t.Fatal(err)
	}
	guarded := store.WithGuard(ctx, store.Guard{Key: "election/a", CreateRevision: created})
	if _, err := s.Txn(guarded, store.Op{Key: "rec", Value: []byte("1"), ExpectRevision: store.AnyRevision}); err != nil {
		t.Fatalf("guarded write while the guard holds: %v", err)
	}
	// Held by an update of the key: the create revision stays.
	if _, err := s.Txn(ctx, store.Op{Key: "election/a", Value: []byte("me again"), ExpectRevision: store.AnyRevision}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Txn(guarded, store.Op{Key: "rec", Value: []byte("2"), ExpectRevision: store.AnyRevision}); err != nil {
		t.Fatalf("guarded write after the key's update: %v", err)
	}
	for _, lose := range []struct {
		name string
		op   store.Op
	}{
		{"deleted", store.Op{Key: "election/a", Delete: true, ExpectRevision: store.AnyRevision}},
		{"created again", store.Op{Key: "election/a", Value: []byte("other"), ExpectRevision: store.MustNotExist}},
	} {
		if _, err := s.Txn(ctx, lose.op); err != nil {
			t.Fatal(err)
		}
		before := mustRevision(t, s)
		_, err := s.Txn(guarded, store.Op{Key: "rec", Value: []byte("fenced"), ExpectRevision: store.AnyRevision})
		if !errors.Is(err, store.ErrFenced) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("%s: guarded write = %v, want ErrFenced (and ErrConflict)", lose.name, err)
		}
		if kv, _ := s.Get(ctx, "rec"); string(kv.Value) != "2" || mustRevision(t, s) != before {
			t.Fatalf("%s: fenced write changed the store: rec=%q", lose.name, kv.Value)
		}
	}
	// A failed op check under a holding guard is a plain conflict.
	cur, _ := s.Get(ctx, "election/a")
	ok := store.WithGuard(ctx, store.Guard{Key: "election/a", CreateRevision: cur.Revision})
	_, err = s.Txn(ok, store.Op{Key: "rec", Value: []byte("x"), ExpectRevision: 1})
	if !errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrFenced) {
		t.Fatalf("op conflict under a holding guard = %v, want ErrConflict only", err)
	}
	if _, err := s.Txn(ctx, store.Op{Key: "rec", Value: []byte("api"), ExpectRevision: store.AnyRevision}); err != nil {
		t.Fatalf("unguarded write: %v", err)
	}
}

// TestBoltRefusesGuard: bbolt has no elections; a guard is a mistake.
func TestBoltRefusesGuard(t *testing.T) {
	b, err := store.OpenBolt(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := store.WithGuard(context.Background(), store.Guard{Key: "k", CreateRevision: 1})
	if _, err := b.Txn(ctx, store.Op{Key: "a", Value: []byte("1"), ExpectRevision: store.AnyRevision}); err == nil {
		t.Fatal("guarded bbolt Txn succeeded")
	}
}

func mustRevision(t *testing.T, s store.Store) int64 {
	t.Helper()
	rev, err := s.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rev
}
