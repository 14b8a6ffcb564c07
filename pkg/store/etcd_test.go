package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
	"github.com/ec2lab/ec2lab/pkg/store/storetest"
)

func openEtcd(t testing.TB, cfg store.EtcdConfig) *store.Etcd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.OpenEtcd(ctx, cfg)
	if err != nil {
		t.Fatalf("open etcd store: %v", err)
	}
	return s
}

// TestEtcd runs the conformance suite with a fresh one-member cluster per
// case, so each starts from an empty etcd (revision 0).
func TestEtcd(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := openEtcd(t, store.EtcdConfig{Endpoints: etcdtest.Start(t, 1).Endpoints()})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// memberStore closes the member with the store, so that reopening restarts
// the member on the same data directory.
type memberStore struct {
	*store.Etcd
	c *etcdtest.Cluster
}

func (m memberStore) Close() error {
	err := m.Etcd.Close()
	m.c.Stop(0)
	return err
}

func TestEtcdReopen(t *testing.T) {
	clusters := map[string]*etcdtest.Cluster{}
	storetest.RunReopen(t, func(t *testing.T, dir string) store.Store {
		c := clusters[dir]
		if c == nil {
			c = etcdtest.Start(t, 1)
			clusters[dir] = c
		} else {
			c.Restart(0)
		}
		return memberStore{Etcd: openEtcd(t, store.EtcdConfig{Endpoints: c.Endpoints()}), c: c}
	})
}

// TestEtcdPrefixes: stores with different prefixes on one cluster do not
// see each other's keys or events, and share the cluster's revision.
func TestEtcdPrefixes(t *testing.T) {
	ctx := context.Background()
	eps := etcdtest.Start(t, 1).Endpoints()
	a := openEtcd(t, store.EtcdConfig{Endpoints: eps, Prefix: "/region-a/"})
	defer a.Close()
	b := openEtcd(t, store.EtcdConfig{Endpoints: eps}) // DefaultEtcdPrefix
	defer b.Close()
	ch, err := b.Watch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	ra, err := a.Txn(ctx, store.Op{Key: "k", Value: []byte("a"), ExpectRevision: store.MustNotExist})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Txn(ctx, store.Op{Key: "k", Value: []byte("b"), ExpectRevision: store.MustNotExist})
	if err != nil {
		t.Fatalf("same key under another prefix: %v", err)
	}
	if rb != ra+1 {
		t.Fatalf("revisions %d then %d: want one shared counter", ra, rb)
	}
	for _, tc := range []struct {
		s    *store.Etcd
		want string
	}{{a, "a"}, {b, "b"}} {
		kvs, err := tc.s.List(ctx, "")
		if err != nil || len(kvs) != 1 || kvs[0].Key != "k" || string(kvs[0].Value) != tc.want {
			t.Fatalf("list: %+v, %v; want only k=%s", kvs, err, tc.want)
		}
	}
	select {
	case ev := <-ch:
		if ev.KV.Key != "k" || ev.KV.Revision != rb {
			t.Fatalf("b's watch saw %+v, want its own put at %d", ev, rb)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("b's watch saw nothing")
	}
}

func TestEtcdConflictNamesKeys(t *testing.T) {
	ctx := context.Background()
	s := openEtcd(t, store.EtcdConfig{Endpoints: etcdtest.Start(t, 1).Endpoints()})
	defer s.Close()
	r, err := s.Txn(ctx, store.Op{Key: "x", Value: []byte("1"), ExpectRevision: store.MustNotExist})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Txn(ctx,
		store.Op{Key: "x", Value: []byte("2"), ExpectRevision: r}, // holds
		store.Op{Key: "y", Value: []byte("2"), ExpectRevision: r}, // absent
		store.Op{Key: "x2", Delete: true, ExpectRevision: store.AnyRevision})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "key y: expected revision 1, have 0") || strings.Contains(msg, "key x:") {
		t.Fatalf("conflict error %q: want only key y named", msg)
	}
}

func TestOpenEtcdUnreachable(t *testing.T) {
	start := time.Now()
	_, err := store.OpenEtcd(context.Background(), store.EtcdConfig{
		Endpoints: []string{"http://127.0.0.1:1"}, DialTimeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("open of an unreachable cluster succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("open failed after %v, want within about DialTimeout", d)
	}
}
