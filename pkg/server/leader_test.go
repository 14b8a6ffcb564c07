package server

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/leader"
	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

// TestElectorFor: ec2d on bbolt always leads; on etcd it campaigns.
func TestElectorFor(t *testing.T) {
	bolt, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	etcd, err := store.OpenEtcd(context.Background(), store.EtcdConfig{Endpoints: etcdtest.Start(t, 1).Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer etcd.Close()
	for _, tc := range []struct {
		name string
		st   store.Store
		want func(leader.Elector) bool
	}{
		{"bbolt", bolt, func(e leader.Elector) bool { _, ok := e.(leader.Always); return ok }},
		{"etcd", etcd, func(e leader.Elector) bool { _, ok := e.(*leader.Etcd); return ok }},
	} {
		if el := electorFor(tc.st, "test", nil); !tc.want(el) {
			t.Errorf("%s: elector %T", tc.name, el)
		}
	}
}
