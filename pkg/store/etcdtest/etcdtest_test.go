package etcdtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

func open(t *testing.T, endpoints ...string) *store.Etcd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.OpenEtcd(ctx, store.EtcdConfig{Endpoints: endpoints})
	if err != nil {
		t.Fatalf("open %v: %v", endpoints, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func put(t *testing.T, s store.Store, key, val string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rev, err := s.Txn(ctx, store.Op{Key: key, Value: []byte(val), ExpectRevision: store.AnyRevision})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return rev
}

func wantValue(t *testing.T, s store.Store, key, val string, rev int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := s.Get(ctx, key)
	if err != nil || string(kv.Value) != val || kv.Revision != rev {
		t.Fatalf("get %s = %q@%d, %v; want %q@%d", key, kv.Value, kv.Revision, err, val, rev)
	}
}

// TestCluster: in a three-member cluster a write through one member is
// read through each other; with a follower killed, and then with the
// leader killed (once another leads), a store given every endpoint still
// writes and reads; restarted, a member catches up.
func TestCluster(t *testing.T) {
	c := etcdtest.Start(t, 3)
	if c.Size() != 3 || len(c.Endpoints()) != 3 {
		t.Fatalf("cluster of %d, endpoints %v", c.Size(), c.Endpoints())
	}
	via := []*store.Etcd{open(t, c.Endpoint(0)), open(t, c.Endpoint(1)), open(t, c.Endpoint(2))}
	for w := range via {
		key := "from/" + c.Endpoint(w)
		rev := put(t, via[w], key, "v")
		for r := range via {
			wantValue(t, via[r], key, "v", rev)
		}
	}
	all := open(t, c.Endpoints()...)
	leader := c.WaitLeader(-1)
	for _, tc := range []struct {
		name string
		kill int
	}{{"follower", (leader + 1) % 3}, {"leader", leader}} {
		c.Kill(tc.kill)
		if tc.name == "leader" {
			c.WaitLeader(tc.kill)
		}
		key := "while-down/" + tc.name
		rev := put(t, all, key, "x")
		wantValue(t, all, key, "x", rev)
		wantValue(t, via[(tc.kill+2)%3], key, "x", rev)
		c.Restart(tc.kill)
		wantValue(t, open(t, c.Endpoint(tc.kill)), key, "x", rev)
	}
}
