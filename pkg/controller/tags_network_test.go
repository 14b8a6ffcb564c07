package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestNetworkResourceTags tags a VPC, a subnet, a security group and a
// placement group, finds the tags with DescribeTags and in each resource's
// own Describe, deletes them, and keeps other accounts out.
func TestNetworkResourceTags(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	vpc, err := r.svc.CreateVpc(ctx, "10.7.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.7.1.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	sg, err := r.svc.CreateSecurityGroup(ctx, "web", "web servers", vpc.ID, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := r.svc.CreatePlacementGroup(ctx, "spread-1", "spread", 0, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{vpc.ID: "vpc", sn.ID: "subnet", sg.ID: "security-group", pg.ID: "placement-group"}
	all := []string{vpc.ID, sn.ID, sg.ID, pg.ID}
	if err := r.svc.CreateTags(ctx, all, []Tag{{"team", "net"}, {"Name", "x"}}, false); err != nil {
		t.Fatalf("CreateTags: %v", err)
	}
	got, _, err := r.svc.DescribeTags(ctx, []Filter{{"key", []string{"team"}}}, Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("DescribeTags key=team: %v, want one per resource of %v", got, want)
	}
	for _, d := range got {
		if want[d.ResourceID] != d.ResourceType || d.Value != "net" {
			t.Errorf("DescribeTags: %+v, want type %q value net", d, want[d.ResourceID])
		}
	}
	byType, _, err := r.svc.DescribeTags(ctx, []Filter{{"resource-type", []string{"security-group"}}}, Page{})
	if err != nil || len(byType) != 2 || byType[0].ResourceID != sg.ID {
		t.Errorf("DescribeTags resource-type=security-group: %v %v", byType, err)
	}
	checkTagFilter(t, r, vpc.ID, sn.ID, sg.ID, pg.Name)

	if err := r.svc.DeleteTags(ctx, all, []Tag{{Key: "team"}}, false); err != nil {
		t.Fatalf("DeleteTags: %v", err)
	}
	left, _, _ := r.svc.DescribeTags(ctx, nil, Page{})
	if len(left) != len(want) {
		t.Errorf("after DeleteTags team: %v, want only the Name tags", left)
	}
	for _, d := range left {
		if d.Key != "Name" {
			t.Errorf("left %+v", d)
		}
	}
	other := ctxFor(acct2)
	for _, id := range all {
		if err := r.svc.CreateTags(other, []string{id}, []Tag{{"k", "v"}}, false); errCode(err) != "InvalidID" {
			t.Errorf("another account tags %s: %v, want InvalidID", id, err)
		}
	}
	if err := r.svc.CreateTags(ctx, []string{ids.New(ids.PlacementGroup)}, []Tag{{"k", "v"}}, false); errCode(err) != "InvalidID" {
		t.Errorf("missing placement group: %v, want InvalidID", err)
	}
	if d, _, _ := r.svc.DescribeTags(other, nil, Page{}); len(d) != 0 {
		t.Errorf("another account sees %v", d)
	}
}

// checkTagFilter finds each tagged resource by tag:team in its own Describe.
func checkTagFilter(t *testing.T, r *rig, vpcID, subnetID, sgID, pgName string) {
	t.Helper()
	ctx := ctxFor(acct1)
	f := []Filter{{"tag:team", []string{"net"}}}
	if v, _, err := r.svc.DescribeVpcs(ctx, nil, f, Page{}); err != nil || len(v) != 1 || v[0].ID != vpcID {
		t.Errorf("DescribeVpcs tag:team: %v %v", v, err)
	}
	if s, _, err := r.svc.DescribeSubnets(ctx, nil, f, Page{}); err != nil || len(s) != 1 || s[0].ID != subnetID {
		t.Errorf("DescribeSubnets tag:team: %v %v", s, err)
	}
	if g, _, err := r.svc.DescribeSecurityGroups(ctx, nil, nil, f, Page{}); err != nil || len(g) != 1 || g[0].ID != sgID {
		t.Errorf("DescribeSecurityGroups tag:team: %v %v", g, err)
	}
	if p, err := r.svc.DescribePlacementGroups(ctx, nil, nil, f); err != nil || len(p) != 1 || p[0].Name != pgName {
		t.Errorf("DescribePlacementGroups tag:team: %v %v", p, err)
	}
}
