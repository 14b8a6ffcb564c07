package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

func aclIDs(acls []NetworkACL) string {
	var out []string
	for _, a := range acls {
		out = append(out, a.ID)
	}
	return sorted(out)
}

// TestDefaultNetworkACLs: every VPC (the default one included) has its
// default ACL with EC2's four default entries, associated with each of its
// subnets as they come and go; it is found the way Terraform finds it and
// goes with its VPC.
func TestDefaultNetworkACLs(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	vpc, err := r.svc.CreateVpc(ctx, "10.6.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	mine := ids.DefaultNetworkACL(vpc.ID)
	got, _, err := r.svc.DescribeNetworkAcls(ctx, nil, []Filter{{"default", []string{"true"}}, {"vpc-id", []string{vpc.ID}}}, Page{})
	if err != nil || len(got) != 1 || got[0].ID != mine || len(got[0].Associations) != 0 {
		t.Fatalf("default ACL of a VPC without subnets: %+v %v", got, err)
	}
	want := []ACLEntry{{100, "-1", "allow", true, "0.0.0.0/0", 0, 0, 0, 0}, {32767, "-1", "deny", true, "0.0.0.0/0", 0, 0, 0, 0},
		{100, "-1", "allow", false, "0.0.0.0/0", 0, 0, 0, 0}, {32767, "-1", "deny", false, "0.0.0.0/0", 0, 0, 0, 0}}
	if acl := got[0]; !acl.IsDefault || acl.VpcID != vpc.ID || acl.Owner != acct1 || len(acl.Entries) != 4 {
		t.Fatalf("default ACL %+v", acl)
	}
	for i, e := range got[0].Entries {
		if e != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, e, want[i])
		}
	}

	a, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.6.1.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.6.2.0/24", "lab-1b", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err = r.svc.DescribeNetworkAcls(ctx, []string{mine}, nil, Page{})
	if err != nil || len(got) != 1 || len(got[0].Associations) != 2 {
		t.Fatalf("ACL with two subnets: %+v %v", got, err)
	}
	for _, as := range got[0].Associations {
		if as.NetworkACLID != mine || as.ID != ids.DefaultNetworkACLAssociation(as.SubnetID) || (as.SubnetID != a.ID && as.SubnetID != b.ID) {
			t.Errorf("association %+v", as)
		}
	}
	checkACLFilters(t, r, vpc.ID, a.ID)
	checkACLErrors(t, r, mine)
	checkTagged(t, r, mine, func(f Filter) int {
		got, _, _ := r.svc.DescribeNetworkAcls(ctx, nil, []Filter{f}, Page{})
		return len(got)
	})

	for _, sn := range []string{a.ID, b.ID} {
		if err := r.svc.DeleteSubnet(ctx, sn, false); err != nil {
			t.Fatal(err)
		}
	}
	if got, _, _ := r.svc.DescribeNetworkAcls(ctx, []string{mine}, nil, Page{}); len(got) != 1 || len(got[0].Associations) != 0 {
		t.Errorf("ACL after its subnets went: %+v", got)
	}
	if err := r.svc.DeleteVpc(ctx, vpc.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.svc.DescribeNetworkAcls(ctx, []string{mine}, nil, Page{}); errCode(err) != ec2err.InvalidNetworkACLIDNotFound {
		t.Errorf("default ACL of a deleted VPC: %v", err)
	}
}

func checkACLFilters(t *testing.T, r *rig, vpcID, subnetID string) {
	t.Helper()
	def, _, _ := r.svc.DescribeVpcs(ctxFor(acct1), nil, []Filter{{"is-default", []string{"true"}}}, Page{})
	mine, dflt := ids.DefaultNetworkACL(vpcID), ids.DefaultNetworkACL(def[0].ID)
	cases := []struct {
		filters []Filter
		want    []string
	}{
		{nil, []string{mine, dflt}},
		{[]Filter{{"network-acl-id", []string{dflt}}}, []string{dflt}},
		{[]Filter{{"default", []string{"false"}}}, nil},
		{[]Filter{{"association.subnet-id", []string{subnetID}}}, []string{mine}},
		{[]Filter{{"association.association-id", []string{ids.DefaultNetworkACLAssociation(subnetID)}}}, []string{mine}},
		{[]Filter{{"association.network-acl-id", []string{dflt}}}, []string{dflt}},
		{[]Filter{{"entry.rule-number", []string{"32767"}}, {"entry.rule-action", []string{"deny"}}}, []string{mine, dflt}},
		{[]Filter{{"entry.egress", []string{"true"}}, {"entry.cidr", []string{"0.0.0.0/0"}}}, []string{mine, dflt}},
		{[]Filter{{"owner-id", []string{acct2}}}, nil},
	}
	for _, c := range cases {
		got, _, err := r.svc.DescribeNetworkAcls(ctxFor(acct1), nil, c.filters, Page{})
		if err != nil {
			t.Errorf("%v: %v", c.filters, err)
		} else if g, w := aclIDs(got), sorted(c.want); g != w {
			t.Errorf("%v: got %s, want %s", c.filters, g, w)
		}
	}
}

func checkACLErrors(t *testing.T, r *rig, id string) {
	t.Helper()
	errs := []struct {
		name string
		ctx  string
		ids  []string
		f    []Filter
		p    Page
		code string
	}{
		{"malformed", acct1, []string{"acl-1"}, nil, Page{}, ec2err.InvalidNetworkACLIDMalformed},
		{"unknown", acct1, []string{"acl-00000000000000000"}, nil, Page{}, ec2err.InvalidNetworkACLIDNotFound},
		{"another account's", acct2, []string{id}, nil, Page{}, ec2err.InvalidNetworkACLIDNotFound},
		{"MaxResults too small", acct1, nil, nil, Page{MaxResults: 1}, ec2err.InvalidParameterValue},
		{"unknown filter", acct1, nil, []Filter{{"bogus", []string{"x"}}}, Page{}, ec2err.InvalidParameterValue},
	}
	for _, c := range errs {
		if _, _, err := r.svc.DescribeNetworkAcls(ctxFor(c.ctx), c.ids, c.f, c.p); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}
