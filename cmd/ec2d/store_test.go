package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

// TestEtcdEndpointsFlag: --etcd-endpoints selects etcd over the config's
// default; a malformed endpoint is refused at load.
func TestEtcdEndpointsFlag(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		endpoints []string
		want      int
		errWith   string
	}{
		{nil, 0, ""},
		{[]string{"http://127.0.0.1:2379", "http://127.0.0.2:2379"}, 2, ""},
		{[]string{"127.0.0.1:2379"}, 0, "http://"},
	} {
		cfg, err := loadConfig(flags{allInOne: true, dataDir: dir, etcdEndpoints: tc.endpoints})
		if tc.errWith != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errWith) {
				t.Errorf("%v: err %v, want one containing %q", tc.endpoints, err, tc.errWith)
			}
			continue
		}
		switch {
		case err != nil:
			t.Errorf("%v: %v", tc.endpoints, err)
		case tc.want == 0 && cfg.Store.Etcd != nil:
			t.Errorf("no flag: store %+v, want bbolt", cfg.Store.Etcd)
		case tc.want > 0 && (cfg.Store.Etcd == nil || len(cfg.Store.Etcd.Endpoints) != tc.want):
			t.Errorf("%v: store %+v", tc.endpoints, cfg.Store.Etcd)
		}
	}
}

// TestKeysOnEtcd: `ec2d keys create` and `list` with --etcd-endpoints work
// on the etcd store (no bbolt file is made).
func TestKeysOnEtcd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := keysFlags{dataDir: dir, account: "111111111111", region: "lab-1",
		credentials: filepath.Join(dir, "credentials"), etcdEndpoints: etcdtest.Start(t, 1).Endpoints()}
	var out bytes.Buffer
	if err := createKey(ctx, f, &out); err != nil {
		t.Fatalf("create: %v", err)
	}
	id := strings.Fields(strings.TrimPrefix(out.String(), "created "))[0]
	out.Reset()
	if err := listKeys(ctx, f, &out); err != nil {
		t.Fatalf("list: %v", err)
	}
	if !strings.Contains(out.String(), id) || !strings.Contains(out.String(), "111111111111") {
		t.Fatalf("list:\n%s\nwant %s of 111111111111", out.String(), id)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "state.db")); len(matches) != 0 {
		t.Fatal("keys on etcd made a bbolt state.db")
	}
}
