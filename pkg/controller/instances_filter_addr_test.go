package controller

import (
	"slices"
	"testing"
)

// TestDescribeInstancesAddressFilters: ip-address and the
// network-interface association filters find the instance whose interface
// holds the Elastic IP, and no other.
func TestDescribeInstancesAddressFilters(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29")
	insts := r.run(t, 2, "lab-1a")
	a := r.allocate(t, acct1)
	assoc := r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[0]})
	for _, c := range []struct {
		filter, value string
		want          []string
	}{
		{"ip-address", a.PublicIP, insts[:1]},
		{"ip-address", "198.51.100.7", nil},
		{"network-interface.association.public-ip", a.PublicIP, insts[:1]},
		{"network-interface.addresses.association.public-ip", a.PublicIP, insts[:1]},
		{"network-interface.association.ip-owner-id", acct1, insts[:1]},
		{"network-interface.addresses.association.ip-owner-id", acct1, insts[:1]},
		{"network-interface.association.allocation-id", a.AllocationID, insts[:1]},
		{"network-interface.association.association-id", assoc, insts[:1]},
		{"network-interface.association.public-ip", "*", insts[:1]},
	} {
		got, _, err := r.svc.DescribeInstances(ctxFor(acct1), nil, []Filter{{Name: c.filter, Values: []string{c.value}}}, Page{})
		if err != nil {
			t.Errorf("%s=%s: %v", c.filter, c.value, err)
			continue
		}
		var ids []string
		for _, in := range got {
			ids = append(ids, in.ID)
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("%s=%s: %v, want %v", c.filter, c.value, ids, c.want)
		}
	}
}
