package controller

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestImpairedReason: the impaired note goes in front of the transition
// reason and comes off again, giving back the reason it covered.
func TestImpairedReason(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	note := "impaired: host h-1 stopped reporting (2025-01-02T03:04:05Z)"
	cases := []struct {
		cur      string
		impaired bool
		want     string
	}{
		{"", true, note},
		{"User initiated shutdown (x)", true, note + " | User initiated shutdown (x)"},
		{note, true, note},
		{note + " | User initiated shutdown (x)", false, "User initiated shutdown (x)"},
		{note, false, ""},
		{"User initiated shutdown (x)", false, "User initiated shutdown (x)"},
	}
	for _, c := range cases {
		if got := impairedReason(c.cur, "h-1", c.impaired, now); got != c.want {
			t.Errorf("impairedReason(%q, %t) = %q, want %q", c.cur, c.impaired, got, c.want)
		}
	}
}

// TestDescribeHostsIsForTheOperator: tenants cannot list the region's
// hosts (addresses, load) nor their usage; the admin key can, and a new
// instance's vCPUs and memory count on its host.
func TestDescribeHostsIsForTheOperator(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	if _, err := r.svc.DescribeHosts(ctxFor(acct1)); errCode(err) != ec2err.UnauthorizedOperation {
		t.Fatalf("tenant: %v, want UnauthorizedOperation", err)
	}
	admin := auth.WithKey(context.Background(), auth.Key{AccessKeyID: "AKIAADMIN", AccountID: acct1, Admin: true})
	hs, err := r.svc.DescribeHosts(admin)
	if err != nil || len(hs) == 0 {
		t.Fatalf("admin: %v %v", hs, err)
	}
	if _, err := r.svc.HostsAllocation(ctxFor(acct1)); errCode(err) != ec2err.UnauthorizedOperation {
		t.Fatalf("tenant's host allocation: %v, want UnauthorizedOperation", err)
	}
	id := r.run(t, 1, "lab-1a")[0]
	in := r.get(t, id)
	used, err := r.svc.HostsAllocation(admin)
	if got := used[in.HostID]; err != nil || got.Instances != 1 || got.VCPUs == 0 || got.MemoryMiB == 0 {
		t.Fatalf("usage of %s with %s (%s) on it: %+v, %v", in.HostID, id, in.Type, used, err)
	}
}
