package server

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

func writeRegion(t *testing.T, store string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "region.yaml")
	body := "region: lab-1\navailability_zones:\n  - {name: lab-1a, pool: " + filepath.Join(t.TempDir(), "pool") + "}\n" + store
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadConfigStore: the store section is parsed and checked when the
// config is loaded.
func TestLoadConfigStore(t *testing.T) {
	for _, tc := range []struct {
		name, body, errWith string
		endpoints           int
	}{
		{"absent: bbolt", "", "", 0},
		{"etcd", "store:\n  etcd: {endpoints: [\"http://10.0.0.1:2379\", \"http://10.0.0.2:2379\"], prefix: /lab-1/}\n", "", 2},
		{"etcd tls", "store:\n  etcd:\n    endpoints: [\"https://10.0.0.1:2379\"]\n    tls: {ca: ca.pem, cert: c.pem, key: k.pem}\n", "", 1},
		{"no endpoints", "store:\n  etcd: {prefix: /x/}\n", "no endpoints", 0},
		{"not a URL", "store:\n  etcd: {endpoints: [\"10.0.0.1:2379\"]}\n", "http://", 0},
		{"cert without key", "store:\n  etcd: {endpoints: [\"https://h:2379\"], tls: {cert: c.pem}}\n", "both cert and key", 0},
		{"unknown field", "store:\n  etcd: {endpoint: [\"http://h:2379\"]}\n", "unknown field", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(writeRegion(t, tc.body))
			if tc.errWith != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errWith) {
					t.Fatalf("err %v, want one containing %q", err, tc.errWith)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := 0; c.Store.Etcd != nil {
				got = len(c.Store.Etcd.Endpoints)
				if got != tc.endpoints {
					t.Fatalf("endpoints %v, want %d", c.Store.Etcd.Endpoints, tc.endpoints)
				}
			} else if tc.endpoints != 0 {
				t.Fatal("no etcd section")
			}
		})
	}
}

// TestOpenStoreEtcd: a region config naming an etcd cluster makes ec2d's
// store opener use it; a controller works on it, and a second controller
// on the same cluster (another process, as replicas will be) reads what
// the first wrote. Without the section the store is bbolt in the data dir.
func TestOpenStoreEtcd(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	st, err := OpenStore(ctx, StoreConfig{}, dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.(*store.Bolt); !ok {
		t.Fatalf("default store %T, want *store.Bolt", st)
	}
	st.Close()

	eps := etcdtest.Start(t, 1).Endpoints()
	cfg, err := LoadConfig(writeRegion(t, "store:\n  etcd: {endpoints: [\""+strings.Join(eps, "\", \"")+"\"], prefix: /lab-1/}\n"))
	if err != nil {
		t.Fatal(err)
	}
	svc := make([]*controller.Service, 2)
	for i := range svc {
		st, err := OpenStore(ctx, cfg.Store, dataDir, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, ok := st.(*store.Etcd); !ok {
			t.Fatalf("store %T, want *store.Etcd", st)
		}
		if svc[i], err = controller.New(cfg.Config, st, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
	}
	actx := auth.WithKey(ctx, auth.Key{AccessKeyID: "AKIA111111111111", AccountID: "111111111111"})
	vpc, err := svc[0].CreateVpc(actx, "10.1.0.0/16", nil, false)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	for i, s := range svc {
		got, _, err := s.DescribeVpcs(actx, []string{vpc.ID}, nil, controller.Page{})
		if err != nil || len(got) != 1 || got[0].CIDR != "10.1.0.0/16" {
			t.Fatalf("controller %d: DescribeVpcs = %+v, %v; want %s", i, got, err, vpc.ID)
		}
	}
	raw, err := OpenStore(ctx, cfg.Store, dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if kvs, err := raw.List(ctx, ""); err != nil || len(kvs) == 0 {
		t.Fatalf("list under /lab-1/: %d keys, %v", len(kvs), err)
	}
}
