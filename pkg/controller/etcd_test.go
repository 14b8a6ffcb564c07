package controller

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

func openEtcdStore(t *testing.T, endpoints []string) *store.Etcd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.OpenEtcd(ctx, store.EtcdConfig{Endpoints: endpoints, Prefix: "/lab-1/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestServiceOnEtcd: the controller runs, drives and terminates instances
// on the etcd store, and a second Service over another client of the same
// cluster (as an ec2d replica would be) loads them into its record cache.
func TestServiceOnEtcd(t *testing.T) {
	eps := etcdtest.Start(t, 1).Endpoints()
	r := newRigOn(t, openEtcdStore(t, eps), 64, hostSpec{8, 8192})
	ids := r.run(t, 2, "lab-1a")
	for _, id := range ids {
		r.drive(id)
	}
	got, _, err := r.svc.DescribeInstances(ctxFor(acct1), nil, nil, Page{})
	if err != nil {
		t.Fatal(err)
	}
	var running []string
	for _, in := range got {
		if in.State == "running" {
			running = append(running, in.ID)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(running, ids) {
		t.Fatalf("running instances %v, want %v", running, ids)
	}
	if _, err := r.svc.TerminateInstances(ctxFor(acct1), ids[:1], false); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}

	other, err := New(r.svc.Config(), openEtcdStore(t, eps), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	seen, _, err := other.DescribeInstances(ctxFor(acct1), ids, nil, Page{})
	if err != nil || len(seen) != 2 {
		t.Fatalf("second service: %d instances, %v; want 2", len(seen), err)
	}
	for _, in := range seen {
		if want := r.get(t, in.ID).State; in.State != want {
			t.Errorf("second service: %s %s, first %s", in.ID, in.State, want)
		}
	}
}
