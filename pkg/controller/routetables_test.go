package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

func routeTableIDs(rts []RouteTable) string {
	var out []string
	for _, rt := range rts {
		out = append(out, rt.ID)
	}
	return sorted(out)
}

// TestMainRouteTables: every VPC (the default one included) has its main
// route table, with the local route of its CIDR and the main association;
// it is found the way Terraform finds it and goes with its VPC.
func TestMainRouteTables(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	vpc, err := r.svc.CreateVpc(ctx, "10.5.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.5.1.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	def, _, err := r.svc.DescribeVpcs(ctx, nil, []Filter{{"is-default", []string{"true"}}}, Page{})
	if err != nil || len(def) != 1 {
		t.Fatalf("default VPC: %v %v", def, err)
	}
	mine, dflt := ids.MainRouteTable(vpc.ID), ids.MainRouteTable(def[0].ID)

	got, _, err := r.svc.DescribeRouteTables(ctx, nil, []Filter{{"vpc-id", []string{vpc.ID}}, {"association.main", []string{"true"}}}, Page{})
	if err != nil || len(got) != 1 {
		t.Fatalf("main table of %s: %+v %v", vpc.ID, got, err)
	}
	rt := got[0]
	wantRoute := Route{DestinationCIDR: "10.5.0.0/16", GatewayID: "local", State: "active", Origin: "CreateRouteTable"}
	wantAssoc := RouteTableAssociation{ID: ids.MainRouteTableAssociation(vpc.ID), RouteTableID: mine, Main: true, State: "associated"}
	if rt.ID != mine || rt.VpcID != vpc.ID || rt.Owner != acct1 || !rt.Main || len(rt.Routes) != 1 || rt.Routes[0] != wantRoute ||
		len(rt.Associations) != 1 || rt.Associations[0] != wantAssoc {
		t.Errorf("main route table %+v", rt)
	}

	cases := []struct {
		filters []Filter
		want    []string
	}{
		{nil, []string{mine, dflt}},
		{[]Filter{{"route-table-id", []string{dflt}}}, []string{dflt}},
		{[]Filter{{"association.main", []string{"false"}}}, nil},
		{[]Filter{{"association.route-table-association-id", []string{ids.MainRouteTableAssociation(vpc.ID)}}}, []string{mine}},
		{[]Filter{{"association.subnet-id", []string{sn.ID}}}, nil}, // implicit: EC2 lists no association
		{[]Filter{{"route.destination-cidr-block", []string{"172.31.0.0/16"}}}, []string{dflt}},
		{[]Filter{{"route.gateway-id", []string{"local"}}}, []string{mine, dflt}},
		{[]Filter{{"owner-id", []string{acct1}}}, []string{mine, dflt}},
	}
	for _, c := range cases {
		got, _, err := r.svc.DescribeRouteTables(ctx, nil, c.filters, Page{})
		if err != nil {
			t.Errorf("%v: %v", c.filters, err)
		} else if g, w := routeTableIDs(got), sorted(c.want); g != w {
			t.Errorf("%v: got %s, want %s", c.filters, g, w)
		}
	}
	checkRouteTableErrors(t, r, mine)
	checkTagged(t, r, mine, func(f Filter) int {
		got, _, _ := r.svc.DescribeRouteTables(ctx, nil, []Filter{f}, Page{})
		return len(got)
	})

	if err := r.svc.DeleteSubnet(ctx, sn.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteVpc(ctx, vpc.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.svc.DescribeRouteTables(ctx, []string{mine}, nil, Page{}); errCode(err) != ec2err.InvalidRouteTableIDNotFound {
		t.Errorf("main table of a deleted VPC: %v", err)
	}
}

func checkRouteTableErrors(t *testing.T, r *rig, id string) {
	t.Helper()
	errs := []struct {
		name string
		ctx  string
		ids  []string
		p    Page
		code string
	}{
		{"malformed", acct1, []string{"rtb-1"}, Page{}, ec2err.InvalidRouteTableIDMalformed},
		{"unknown", acct1, []string{"rtb-00000000000000000"}, Page{}, ec2err.InvalidRouteTableIDNotFound},
		{"another account's", acct2, []string{id}, Page{}, ec2err.InvalidRouteTableIDNotFound},
		{"MaxResults over 100", acct1, nil, Page{MaxResults: 101}, ec2err.InvalidParameterValue},
		{"ids with MaxResults", acct1, []string{id}, Page{MaxResults: 5}, ec2err.InvalidParameterCombination},
	}
	for _, c := range errs {
		if _, _, err := r.svc.DescribeRouteTables(ctxFor(c.ctx), c.ids, nil, c.p); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

// checkTagged tags id, expects count to find it by tag:Name and tag-key,
// and untags it.
func checkTagged(t *testing.T, r *rig, id string, count func(Filter) int) {
	t.Helper()
	ctx := ctxFor(acct1)
	if err := r.svc.CreateTags(ctx, []string{id}, []Tag{{"Name", "main"}}, false); err != nil {
		t.Fatalf("CreateTags %s: %v", id, err)
	}
	if n := count(Filter{"tag:Name", []string{"main"}}); n != 1 {
		t.Errorf("%s by tag:Name: %d found", id, n)
	}
	descs, _, err := r.svc.DescribeTags(ctx, []Filter{{"resource-id", []string{id}}}, Page{})
	if err != nil || len(descs) != 1 {
		t.Errorf("DescribeTags %s: %v %v", id, descs, err)
	}
	if err := r.svc.DeleteTags(ctx, []string{id}, nil, false); err != nil {
		t.Fatal(err)
	}
	if n := count(Filter{"tag-key", []string{"Name"}}); n != 0 {
		t.Errorf("%s by tag-key after DeleteTags: %d found", id, n)
	}
}

// TestRouteTablePages walks the tables of six VPCs in pages of 5.
func TestRouteTablePages(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	r.svc.cfg.Quotas.Defaults = map[string]int64{QuotaVPCs: 6} // EC2's default is 5, the default VPC included
	ctx := ctxFor(acct1)
	for i := range 5 {
		if _, err := r.svc.CreateVpc(ctx, "10."+string(rune('0'+i))+".0.0/16", nil, false); err != nil {
			t.Fatal(err)
		}
	}
	first, next, err := r.svc.DescribeRouteTables(ctx, nil, nil, Page{MaxResults: 5})
	if err != nil || len(first) != 5 || next == "" {
		t.Fatalf("first page: %d, %q, %v", len(first), next, err)
	}
	rest, next, err := r.svc.DescribeRouteTables(ctx, nil, nil, Page{MaxResults: 5, NextToken: next})
	if err != nil || len(rest) != 1 || next != "" || rest[0].ID <= first[4].ID {
		t.Fatalf("second page: %+v, %q, %v", rest, next, err)
	}
}
