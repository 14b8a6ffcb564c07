package controller

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// TestCreateSubnetKeepsConcurrentVPCChange: a DHCP option set associated
// with the VPC while CreateSubnet runs (after it read the VPC, before it
// wrote the subnet) stays associated: the subnet's guard on the VPC
// record rewrites the VPC as it is then, not as CreateSubnet first read
// it. (Terraform creates a subnet and aws_vpc_dhcp_options_association in
// parallel; the association was lost and the provider waited for it.)
func TestCreateSubnetKeepsConcurrentVPCChange(t *testing.T) {
	bolt, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bolt.Close() })
	st := &listHookStore{Store: bolt, prefix: prefixSubnet}
	r := newRigOn(t, st, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	v, err := r.svc.CreateVpc(ctx, "10.9.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.svc.CreateDhcpOptions(ctx, []DhcpConfiguration{{DhcpDomainName, []string{"race.lab"}}}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var assocErr error
	st.arm(func() { assocErr = r.svc.AssociateDhcpOptions(ctx, d.ID, v.ID, false) })
	if _, err := r.svc.CreateSubnet(ctx, v.ID, "10.9.1.0/24", "lab-1a", nil, false); err != nil {
		t.Fatal(err)
	}
	if assocErr != nil {
		t.Fatalf("the association during CreateSubnet: %v", assocErr)
	}
	vpcs, _, err := r.svc.DescribeVpcs(ctx, []string{v.ID}, nil, Page{})
	if err != nil || len(vpcs) != 1 || vpcs[0].DhcpOptionsID != d.ID {
		t.Errorf("after CreateSubnet the VPC has set %v (%v), want %s", vpcs, err, d.ID)
	}
}

// listHookStore runs its armed hook once, before the first List of prefix.
type listHookStore struct {
	store.Store
	prefix string
	hook   atomic.Pointer[func()]
}

func (h *listHookStore) arm(f func()) { h.hook.Store(&f) }

func (h *listHookStore) List(ctx context.Context, prefix string) ([]store.KV, error) {
	if prefix == h.prefix {
		if f := h.hook.Swap(nil); f != nil {
			(*f)()
		}
	}
	return h.Store.List(ctx, prefix)
}
