package controller

import (
	"context"
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// aclRig is a VPC with two subnets and a non-default ACL.
type aclRig struct {
	*rig
	ctx           context.Context
	vpc, a, b     string
	acl, defACL   string
	otherVPCACL   string
	otherVPC      string
	otherSubnetID string
}

func newACLRig(t *testing.T) *aclRig {
	t.Helper()
	r := &aclRig{rig: newRig(t, 64, hostSpec{8, 8192}), ctx: ctxFor(acct1)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	vpc, err := r.svc.CreateVpc(r.ctx, "10.7.0.0/16", nil, false)
	must(err)
	a, err := r.svc.CreateSubnet(r.ctx, vpc.ID, "10.7.1.0/24", "lab-1a", nil, false)
	must(err)
	b, err := r.svc.CreateSubnet(r.ctx, vpc.ID, "10.7.2.0/24", "lab-1a", nil, false)
	must(err)
	acl, err := r.svc.CreateNetworkACL(r.ctx, CreateInVPC{VpcID: vpc.ID, Tags: []Tag{{Key: "Name", Value: "web"}}})
	must(err)
	other, err := r.svc.CreateVpc(r.ctx, "10.8.0.0/16", nil, false)
	must(err)
	osn, err := r.svc.CreateSubnet(r.ctx, other.ID, "10.8.1.0/24", "lab-1a", nil, false)
	must(err)
	oacl, err := r.svc.CreateNetworkACL(r.ctx, CreateInVPC{VpcID: other.ID})
	must(err)
	r.vpc, r.a, r.b, r.acl, r.defACL = vpc.ID, a.ID, b.ID, acl.ID, ids.DefaultNetworkACL(vpc.ID)
	r.otherVPC, r.otherSubnetID, r.otherVPCACL = other.ID, osn.ID, oacl.ID
	return r
}

// state is every ACL of acct1 as DescribeNetworkAcls answers it.
func (r *aclRig) state(t *testing.T) []NetworkACL {
	t.Helper()
	got, _, err := r.svc.DescribeNetworkAcls(r.ctx, nil, nil, Page{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (r *aclRig) describe(t *testing.T, id string) NetworkACL {
	t.Helper()
	got, _, err := r.svc.DescribeNetworkAcls(r.ctx, []string{id}, nil, Page{})
	if err != nil || len(got) != 1 {
		t.Fatalf("describe %s: %v %v", id, got, err)
	}
	return got[0]
}

// TestCreateNetworkAcl: a new ACL has only the two catch-all denies, its
// tags, no subnets, and is not default.
func TestCreateNetworkAcl(t *testing.T) {
	r := newACLRig(t)
	acl := r.describe(t, r.acl)
	want := []ACLEntry{{RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: true, CIDR: "0.0.0.0/0"},
		{RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", CIDR: "0.0.0.0/0"}}
	if acl.IsDefault || acl.VpcID != r.vpc || acl.Owner != acct1 || len(acl.Associations) != 0 ||
		!reflect.DeepEqual(acl.Entries, want) || len(acl.Tags) != 1 {
		t.Fatalf("new ACL %+v", acl)
	}
	errs := []struct {
		name, ctx, vpc string
		tags           []Tag
		dry            bool
		code           string
	}{
		{"no VPC", acct1, "", nil, false, ec2err.MissingParameter},
		{"malformed VPC", acct1, "vpc-1", nil, false, ec2err.InvalidVpcIDMalformed},
		{"unknown VPC", acct1, "vpc-00000000000000000", nil, false, ec2err.InvalidVpcIDNotFound},
		{"another account's VPC", acct2, r.vpc, nil, false, ec2err.InvalidVpcIDNotFound},
		{"bad tag", acct1, r.vpc, []Tag{{Key: "aws:x", Value: "y"}}, false, ec2err.InvalidParameterValue},
		{"dry run", acct1, r.vpc, nil, true, ec2err.DryRunOperation},
	}
	before := r.state(t)
	for _, c := range errs {
		if _, err := r.svc.CreateNetworkACL(ctxFor(c.ctx), CreateInVPC{VpcID: c.vpc, Tags: c.tags, DryRun: c.dry}); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if after := r.state(t); !reflect.DeepEqual(before, after) {
		t.Errorf("refused creates changed the ACLs:\n%+v\n%+v", before, after)
	}
}

// TestNetworkAclEntries: entries are created, replaced and deleted by
// number and direction, kept egress first then by number, with the
// protocol as its number and ports or ICMP only where they count; every
// refusal leaves the ACL as it was.
func TestNetworkAclEntries(t *testing.T) {
	r := newACLRig(t)
	ok := []struct {
		name string
		sp   ACLEntrySpec
		want ACLEntry
	}{
		{"tcp by name, ports", ACLEntrySpec{RuleNumber: 100, Protocol: "tcp", RuleAction: "allow", CIDR: "10.0.0.0/8",
			PortFrom: intp(22), PortTo: intp(22)},
			ACLEntry{RuleNumber: 100, Protocol: "6", RuleAction: "allow", CIDR: "10.0.0.0/8", PortFrom: 22, PortTo: 22}},
		{"udp by number, egress", ACLEntrySpec{RuleNumber: 100, Protocol: "17", RuleAction: "deny", Egress: true,
			CIDR: "192.168.1.7/24", PortFrom: intp(53), PortTo: intp(53)},
			ACLEntry{RuleNumber: 100, Protocol: "17", RuleAction: "deny", Egress: true, CIDR: "192.168.1.0/24", PortFrom: 53, PortTo: 53}},
		{"icmp, ports ignored", ACLEntrySpec{RuleNumber: 50, Protocol: "ICMP", RuleAction: "allow", CIDR: "0.0.0.0/0",
			IcmpType: intp(8), IcmpCode: intp(-1), PortFrom: intp(1), PortTo: intp(2)},
			ACLEntry{RuleNumber: 50, Protocol: "1", RuleAction: "allow", CIDR: "0.0.0.0/0", IcmpType: 8, IcmpCode: -1}},
		{"all, ports ignored", ACLEntrySpec{RuleNumber: 32766, Protocol: "all", RuleAction: "deny", CIDR: "10.9.0.0/16",
			PortFrom: intp(1), PortTo: intp(2)},
			ACLEntry{RuleNumber: 32766, Protocol: "-1", RuleAction: "deny", CIDR: "10.9.0.0/16"}},
		{"gre", ACLEntrySpec{RuleNumber: 1, Protocol: "047", RuleAction: "allow", CIDR: "10.0.0.0/8"},
			ACLEntry{RuleNumber: 1, Protocol: "47", RuleAction: "allow", CIDR: "10.0.0.0/8"}},
	}
	for _, c := range ok {
		c.sp.NetworkACLID = r.acl
		if err := r.svc.CreateNetworkACLEntry(r.ctx, c.sp, false); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		e := r.describe(t, r.acl).Entries
		if i := aclEntryIndex(e, c.want.RuleNumber, c.want.Egress); i < 0 || e[i] != c.want {
			t.Errorf("%s: entries %+v, want %+v", c.name, e, c.want)
		}
	}
	var order []int
	for _, e := range r.describe(t, r.acl).Entries {
		if !e.Egress {
			order = append(order, e.RuleNumber)
		}
	}
	if !reflect.DeepEqual(order, []int{1, 50, 100, 32766, 32767}) {
		t.Errorf("ingress order %v", order)
	}

	spec := func(f func(*ACLEntrySpec)) ACLEntrySpec {
		sp := ACLEntrySpec{NetworkACLID: r.acl, RuleNumber: 200, Protocol: "6", RuleAction: "allow", CIDR: "10.0.0.0/8",
			PortFrom: intp(80), PortTo: intp(443)}
		f(&sp)
		return sp
	}
	bad := []struct {
		name string
		ctx  string
		sp   ACLEntrySpec
		dry  bool
		code string
	}{
		{"no ACL", acct1, spec(func(s *ACLEntrySpec) { s.NetworkACLID = "" }), false, ec2err.MissingParameter},
		{"malformed ACL", acct1, spec(func(s *ACLEntrySpec) { s.NetworkACLID = "acl-x" }), false, ec2err.InvalidNetworkACLIDMalformed},
		{"unknown ACL", acct1, spec(func(s *ACLEntrySpec) { s.NetworkACLID = "acl-00000000000000000" }), false, ec2err.InvalidNetworkACLIDNotFound},
		{"another account's ACL", acct2, spec(func(*ACLEntrySpec) {}), false, ec2err.InvalidNetworkACLIDNotFound},
		{"rule 0", acct1, spec(func(s *ACLEntrySpec) { s.RuleNumber = 0 }), false, ec2err.InvalidParameterValue},
		{"rule 32767", acct1, spec(func(s *ACLEntrySpec) { s.RuleNumber = 32767 }), false, ec2err.InvalidParameterValue},
		{"no protocol", acct1, spec(func(s *ACLEntrySpec) { s.Protocol = "" }), false, ec2err.MissingParameter},
		{"unknown protocol", acct1, spec(func(s *ACLEntrySpec) { s.Protocol = "sctpish" }), false, ec2err.InvalidParameterValue},
		{"protocol 256", acct1, spec(func(s *ACLEntrySpec) { s.Protocol = "256" }), false, ec2err.InvalidParameterValue},
		{"bad action", acct1, spec(func(s *ACLEntrySpec) { s.RuleAction = "permit" }), false, ec2err.InvalidParameterValue},
		{"IPv6", acct1, spec(func(s *ACLEntrySpec) { s.CIDR, s.IPv6CIDR = "", "::/0" }), false, ec2err.UnsupportedOperation},
		{"no CIDR", acct1, spec(func(s *ACLEntrySpec) { s.CIDR = "" }), false, ec2err.MissingParameter},
		{"bad CIDR", acct1, spec(func(s *ACLEntrySpec) { s.CIDR = "10.0.0.0/33" }), false, ec2err.InvalidParameterValue},
		{"IPv6 in CidrBlock", acct1, spec(func(s *ACLEntrySpec) { s.CIDR = "fd00::/8" }), false, ec2err.InvalidParameterValue},
		{"tcp without from", acct1, spec(func(s *ACLEntrySpec) { s.PortFrom = nil }), false, ec2err.MissingParameter},
		{"udp without to", acct1, spec(func(s *ACLEntrySpec) { s.Protocol, s.PortTo = "udp", nil }), false, ec2err.MissingParameter},
		{"ports reversed", acct1, spec(func(s *ACLEntrySpec) { s.PortFrom = intp(90); s.PortTo = intp(80) }), false, ec2err.InvalidParameterValue},
		{"port 65536", acct1, spec(func(s *ACLEntrySpec) { s.PortTo = intp(65536) }), false, ec2err.InvalidParameterValue},
		{"icmp without type", acct1, spec(func(s *ACLEntrySpec) { s.Protocol, s.IcmpCode = "1", intp(0) }), false, ec2err.MissingParameter},
		{"icmp without code", acct1, spec(func(s *ACLEntrySpec) { s.Protocol, s.IcmpType = "1", intp(0) }), false, ec2err.MissingParameter},
		{"icmp type 300", acct1, spec(func(s *ACLEntrySpec) { s.Protocol, s.IcmpType, s.IcmpCode = "1", intp(300), intp(0) }), false, ec2err.InvalidParameterValue},
		{"taken number", acct1, spec(func(s *ACLEntrySpec) { s.RuleNumber = 100 }), false, ec2err.NetworkACLEntryAlreadyExists},
		{"dry run", acct1, spec(func(*ACLEntrySpec) {}), true, ec2err.DryRunOperation},
	}
	before := r.state(t)
	for _, c := range bad {
		if err := r.svc.CreateNetworkACLEntry(ctxFor(c.ctx), c.sp, c.dry); errCode(err) != c.code {
			t.Errorf("create, %s: %v, want %s", c.name, err, c.code)
		}
		if c.code == ec2err.NetworkACLEntryAlreadyExists {
			continue
		}
		if c.sp.RuleNumber == 200 && c.code != ec2err.DryRunOperation && c.sp.NetworkACLID == r.acl && c.ctx == acct1 {
			// The same refusals for Replace (of an entry that exists).
			c.sp.RuleNumber = 100
			if err := r.svc.ReplaceNetworkACLEntry(ctxFor(c.ctx), c.sp, c.dry); errCode(err) != c.code {
				t.Errorf("replace, %s: %v, want %s", c.name, err, c.code)
			}
		}
	}
	replaceMissing := spec(func(s *ACLEntrySpec) { s.RuleNumber = 101 })
	if err := r.svc.ReplaceNetworkACLEntry(r.ctx, replaceMissing, false); errCode(err) != ec2err.InvalidNetworkACLEntryNotFound {
		t.Errorf("replace of a missing entry: %v", err)
	}
	delBad := []struct {
		name, acl string
		rule      int
		egress    bool
		dry       bool
		code      string
	}{
		{"missing number", r.acl, 101, false, false, ec2err.InvalidNetworkACLEntryNotFound},
		{"other direction", r.acl, 50, true, false, ec2err.InvalidNetworkACLEntryNotFound},
		{"catch-all", r.acl, 32767, false, false, ec2err.InvalidParameterValue},
		{"unknown ACL", "acl-00000000000000000", 100, false, false, ec2err.InvalidNetworkACLIDNotFound},
		{"dry run", r.acl, 100, false, true, ec2err.DryRunOperation},
	}
	for _, c := range delBad {
		if err := r.svc.DeleteNetworkACLEntry(r.ctx, c.acl, c.rule, c.egress, c.dry); errCode(err) != c.code {
			t.Errorf("delete, %s: %v, want %s", c.name, err, c.code)
		}
	}
	if after := r.state(t); !reflect.DeepEqual(before, after) {
		t.Errorf("refused edits changed the ACLs:\n%+v\n%+v", before, after)
	}

	// Replace turns the ingress rule 100 into an icmp deny; Delete removes
	// the egress one and leaves the ingress one.
	rep := ACLEntrySpec{NetworkACLID: r.acl, RuleNumber: 100, Protocol: "1", RuleAction: "deny", CIDR: "10.1.0.0/16",
		IcmpType: intp(3), IcmpCode: intp(4)}
	if err := r.svc.ReplaceNetworkACLEntry(r.ctx, rep, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteNetworkACLEntry(r.ctx, r.acl, 100, true, false); err != nil {
		t.Fatal(err)
	}
	e := r.describe(t, r.acl).Entries
	wantRep := ACLEntry{RuleNumber: 100, Protocol: "1", RuleAction: "deny", CIDR: "10.1.0.0/16", IcmpType: 3, IcmpCode: 4}
	if i := aclEntryIndex(e, 100, false); i < 0 || e[i] != wantRep || aclEntryIndex(e, 100, true) >= 0 {
		t.Errorf("after replace and delete: %+v", e)
	}
	// The default ACL's entries are editable too (not its catch-all).
	if err := r.svc.DeleteNetworkACLEntry(r.ctx, r.defACL, 100, true, false); err != nil {
		t.Fatal(err)
	}
	if e := r.describe(t, r.defACL).Entries; len(e) != 3 {
		t.Errorf("default ACL after deleting egress 100: %+v", e)
	}
}

// TestNetworkAclAssociations: a subnet moves to an ACL of its VPC under a
// new association ID each time, back to the default too; an ACL with a
// subnet cannot be deleted, nor a default one; DeleteSubnet drops the
// association and DeleteVpc waits for the VPC's other ACLs to go.
func TestNetworkAclAssociations(t *testing.T) {
	r := newACLRig(t)
	defAssoc := ids.DefaultNetworkACLAssociation(r.a)
	bad := []struct {
		name, ctx, assoc, acl string
		dry                   bool
		code                  string
	}{
		{"no association", acct1, "", r.acl, false, ec2err.MissingParameter},
		{"malformed association", acct1, "aclassoc-1", r.acl, false, ec2err.InvalidAssociationIDNotFound},
		{"unknown association", acct1, "aclassoc-00000000000000000", r.acl, false, ec2err.InvalidAssociationIDNotFound},
		{"another account's subnet", acct2, defAssoc, r.acl, false, ec2err.InvalidNetworkACLIDNotFound},
		{"no ACL", acct1, defAssoc, "", false, ec2err.MissingParameter},
		{"malformed ACL", acct1, defAssoc, "acl-1", false, ec2err.InvalidNetworkACLIDMalformed},
		{"ACL of another VPC", acct1, defAssoc, r.otherVPCACL, false, ec2err.InvalidParameterValue},
		{"dry run", acct1, defAssoc, r.acl, true, ec2err.DryRunOperation},
	}
	before := r.state(t)
	for _, c := range bad {
		if _, err := r.svc.ReplaceNetworkACLAssociation(ctxFor(c.ctx), c.assoc, c.acl, c.dry); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if after := r.state(t); !reflect.DeepEqual(before, after) {
		t.Errorf("refused moves changed the ACLs")
	}

	moved, err := r.svc.ReplaceNetworkACLAssociation(r.ctx, defAssoc, r.acl, false)
	if err != nil || !ids.Valid(ids.NetworkACLAssoc, moved) || moved == defAssoc {
		t.Fatalf("move: %q %v", moved, err)
	}
	if got := r.describe(t, r.acl).Associations; len(got) != 1 || got[0] != (NetworkACLAssociation{moved, r.acl, r.a}) {
		t.Errorf("ACL associations %+v", got)
	}
	if got := r.describe(t, r.defACL).Associations; len(got) != 1 || got[0].SubnetID != r.b {
		t.Errorf("default ACL associations %+v", got)
	}
	if _, err := r.svc.ReplaceNetworkACLAssociation(r.ctx, defAssoc, r.acl, false); errCode(err) != ec2err.InvalidAssociationIDNotFound {
		t.Errorf("the replaced association ID still answers: %v", err)
	}
	for _, c := range []struct {
		id, code string
	}{{r.acl, ec2err.DependencyViolation}, {r.defACL, ec2err.InvalidParameterValue}} {
		if err := r.svc.DeleteNetworkACL(r.ctx, c.id, false); errCode(err) != c.code {
			t.Errorf("delete %s: %v, want %s", c.id, err, c.code)
		}
	}
	back, err := r.svc.ReplaceNetworkACLAssociation(r.ctx, moved, r.defACL, false)
	if err != nil || back == moved || back == defAssoc {
		t.Fatalf("move back: %q %v", back, err)
	}
	if got := r.describe(t, r.defACL).Associations; len(got) != 2 {
		t.Errorf("default ACL associations after the move back %+v", got)
	}
	moved, err = r.svc.ReplaceNetworkACLAssociation(r.ctx, back, r.acl, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteSubnet(r.ctx, r.a, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.st.Get(context.Background(), prefixNetworkACLAssoc+r.a); err == nil {
		t.Errorf("DeleteSubnet left the association %s", moved)
	}
	if err := r.svc.DeleteSubnet(r.ctx, r.b, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteVpc(r.ctx, r.vpc, false); errCode(err) != ec2err.DependencyViolation {
		t.Errorf("DeleteVpc with a non-default ACL: %v", err)
	}
	if err := r.svc.DeleteNetworkACL(r.ctx, r.acl, true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("dry run: %v", err)
	}
	for _, c := range []struct{ ctx, id, code string }{{acct1, "", ec2err.MissingParameter},
		{acct1, "acl-1", ec2err.InvalidNetworkACLIDMalformed}, {acct2, r.acl, ec2err.InvalidNetworkACLIDNotFound}} {
		if err := r.svc.DeleteNetworkACL(ctxFor(c.ctx), c.id, false); errCode(err) != c.code {
			t.Errorf("delete %q: %v, want %s", c.id, err, c.code)
		}
	}
	if err := r.svc.DeleteNetworkACL(r.ctx, r.acl, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteVpc(r.ctx, r.vpc, false); err != nil {
		t.Fatal(err)
	}
}

// TestNetworkAclFilters: the entry, association and default filters see
// the entries and associations as they are now.
func TestNetworkAclFilters(t *testing.T) {
	r := newACLRig(t)
	if err := r.svc.CreateNetworkACLEntry(r.ctx, ACLEntrySpec{NetworkACLID: r.acl, RuleNumber: 110, Protocol: "tcp",
		RuleAction: "allow", CIDR: "10.0.0.0/8", PortFrom: intp(80), PortTo: intp(443)}, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.CreateNetworkACLEntry(r.ctx, ACLEntrySpec{NetworkACLID: r.acl, RuleNumber: 120, Protocol: "icmp",
		RuleAction: "deny", Egress: true, CIDR: "10.3.0.0/16", IcmpType: intp(0), IcmpCode: intp(-1)}, false); err != nil {
		t.Fatal(err)
	}
	assoc, err := r.svc.ReplaceNetworkACLAssociation(r.ctx, ids.DefaultNetworkACLAssociation(r.b), r.acl, false)
	if err != nil {
		t.Fatal(err)
	}
	f := func(name string, v ...string) Filter { return Filter{name, v} }
	cases := []struct {
		filters []Filter
		want    []string
	}{
		{[]Filter{f("vpc-id", r.vpc)}, []string{r.acl, r.defACL}},
		{[]Filter{f("vpc-id", r.vpc), f("default", "false")}, []string{r.acl}},
		{[]Filter{f("network-acl-id", r.acl)}, []string{r.acl}},
		{[]Filter{f("owner-id", acct1), f("vpc-id", r.vpc)}, []string{r.acl, r.defACL}},
		{[]Filter{f("entry.rule-number", "110")}, []string{r.acl}},
		{[]Filter{f("entry.protocol", "6")}, []string{r.acl}},
		{[]Filter{f("entry.protocol", "1"), f("entry.egress", "true")}, []string{r.acl}},
		{[]Filter{f("entry.rule-action", "allow"), f("vpc-id", r.vpc)}, []string{r.acl, r.defACL}},
		{[]Filter{f("entry.cidr", "10.3.0.0/16")}, []string{r.acl}},
		{[]Filter{f("entry.port-range.from", "80")}, []string{r.acl}},
		{[]Filter{f("entry.port-range.to", "443")}, []string{r.acl}},
		{[]Filter{f("entry.port-range.from", "0")}, nil},
		{[]Filter{f("entry.icmp.type", "0")}, []string{r.acl}},
		{[]Filter{f("entry.icmp.code", "-1")}, []string{r.acl}},
		{[]Filter{f("association.subnet-id", r.b)}, []string{r.acl}},
		{[]Filter{f("association.subnet-id", r.a)}, []string{r.defACL}},
		{[]Filter{f("association.association-id", assoc)}, []string{r.acl}},
		{[]Filter{f("association.network-acl-id", r.acl)}, []string{r.acl}},
		{[]Filter{f("tag:Name", "web")}, []string{r.acl}},
	}
	for _, c := range cases {
		got, _, err := r.svc.DescribeNetworkAcls(r.ctx, nil, c.filters, Page{})
		if err != nil {
			t.Errorf("%v: %v", c.filters, err)
		} else if g, w := aclIDs(got), sorted(c.want); g != w {
			t.Errorf("%v: got %s, want %s", c.filters, g, w)
		}
	}
}
