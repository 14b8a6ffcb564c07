package controller

import (
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestNetworkACLBySubnet: each subnet maps to its effective ACL's entries,
// sorted by rule number (ingress before egress for one number), with
// protocol numbers, ports and ICMP type and code as the data plane reads
// them.
func TestNetworkACLBySubnet(t *testing.T) {
	r := newACLRig(t)
	def := func(egress bool, n int, action string) ACLEntry {
		return ACLEntry{RuleNumber: n, Protocol: "-1", RuleAction: action, Egress: egress, CIDR: "0.0.0.0/0"}
	}
	defaults := []ACLEntry{def(false, 100, "allow"), def(true, 100, "allow"), def(false, 32767, "deny"), def(true, 32767, "deny")}
	ssh := ACLEntry{RuleNumber: 10, Protocol: "6", RuleAction: "allow", CIDR: "10.0.0.0/8", PortFrom: 22, PortTo: 22}
	ping := ACLEntry{RuleNumber: 20, Protocol: "1", RuleAction: "allow", Egress: true, CIDR: "0.0.0.0/0", IcmpType: 8, IcmpCode: -1}
	steps := []struct {
		name string
		do   func(t *testing.T)
		want map[string][]ACLEntry // subnets of the rig's VPCs
	}{
		{"every subnet on its default ACL", func(*testing.T) {},
			map[string][]ACLEntry{r.a: defaults, r.b: defaults, r.otherSubnetID: defaults}},
		{"a moved to a new ACL", func(t *testing.T) {
			if _, err := r.svc.ReplaceNetworkACLAssociation(r.ctx, ids.DefaultNetworkACLAssociation(r.a), r.acl, false); err != nil {
				t.Fatal(err)
			}
		}, map[string][]ACLEntry{r.a: {def(false, 32767, "deny"), def(true, 32767, "deny")}, r.b: defaults, r.otherSubnetID: defaults}},
		{"entries added", func(t *testing.T) {
			for _, sp := range []ACLEntrySpec{
				{NetworkACLID: r.acl, RuleNumber: 20, Protocol: "icmp", RuleAction: "allow", Egress: true, CIDR: "0.0.0.0/0",
					IcmpType: intp(8), IcmpCode: intp(-1)},
				{NetworkACLID: r.acl, RuleNumber: 10, Protocol: "tcp", RuleAction: "allow", CIDR: "10.0.0.0/8",
					PortFrom: intp(22), PortTo: intp(22)},
			} {
				if err := r.svc.CreateNetworkACLEntry(r.ctx, sp, false); err != nil {
					t.Fatal(err)
				}
			}
		}, map[string][]ACLEntry{r.a: {ssh, ping, def(false, 32767, "deny"), def(true, 32767, "deny")},
			r.b: defaults, r.otherSubnetID: defaults}},
		{"default ACL edited", func(t *testing.T) {
			if err := r.svc.DeleteNetworkACLEntry(r.ctx, r.defACL, 100, true, false); err != nil {
				t.Fatal(err)
			}
		}, map[string][]ACLEntry{r.a: {ssh, ping, def(false, 32767, "deny"), def(true, 32767, "deny")},
			r.b: {def(false, 100, "allow"), def(false, 32767, "deny"), def(true, 32767, "deny")}, r.otherSubnetID: defaults}},
		{"subnet deleted", func(t *testing.T) {
			if err := r.svc.DeleteSubnet(r.ctx, r.a, false); err != nil {
				t.Fatal(err)
			}
		}, map[string][]ACLEntry{r.b: {def(false, 100, "allow"), def(false, 32767, "deny"), def(true, 32767, "deny")},
			r.otherSubnetID: defaults}},
	}
	for _, st := range steps {
		st.do(t)
		got, err := r.svc.networkACLBySubnet(r.ctx)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for sn, want := range st.want {
			if !reflect.DeepEqual(got[sn], want) {
				t.Errorf("%s: subnet %s:\n got %+v\nwant %+v", st.name, sn, got[sn], want)
			}
		}
		for sn := range got {
			if _, ok := st.want[sn]; !ok && (sn == r.a || sn == r.b) {
				t.Errorf("%s: subnet %s still mapped", st.name, sn)
			}
		}
	}
}
