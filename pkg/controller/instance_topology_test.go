package controller

import (
	"slices"
	"testing"
)

// TestDescribeInstanceTopology: running instances under their region's,
// zone's and host's nodes (shared nodes shared, as far as the hosts are),
// hashed per account; placement groups, filters and pages; stopped ones
// left out; EC2's refusals.
func TestDescribeInstanceTopology(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	if _, err := r.svc.CreatePlacementGroup(ctx, "tight", "cluster", 0, nil, false); err != nil {
		t.Fatal(err)
	}
	a := r.launched(t, RunRequest{PlacementGroup: "tight"})
	b := r.launched(t, RunRequest{InstanceType: "t3.micro"})
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1b"})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Instances[0]
	r.drive(c.ID)
	stopped := r.launched(t, RunRequest{})
	r.stopped(t, stopped.ID)

	all, next, err := r.svc.DescribeInstanceTopology(ctx, TopologyRequest{})
	if err != nil || next != "" || len(all) != 3 {
		t.Fatalf("topology: %+v, %q, %v; want the 3 running instances", all, next, err)
	}
	byID := map[string]InstanceTopology{}
	for _, it := range all {
		byID[it.InstanceID] = it
		if len(it.NetworkNodes) != 3 {
			t.Errorf("%s: nodes %v", it.InstanceID, it.NetworkNodes)
		}
	}
	ta, tb, tc := byID[a.ID], byID[b.ID], byID[c.ID]
	if ta.GroupName != "tight" || ta.AZ != "lab-1a" || ta.ZoneID != "lab-1-az1" || tb.InstanceType != "t3.micro" || tc.ZoneID != "lab-1-az2" {
		t.Errorf("topologies %+v %+v %+v", ta, tb, tc)
	}
	if !slices.Equal(ta.NetworkNodes, tb.NetworkNodes) {
		t.Errorf("same host, different nodes: %v %v", ta.NetworkNodes, tb.NetworkNodes)
	}
	if ta.NetworkNodes[0] != tc.NetworkNodes[0] || ta.NetworkNodes[1] == tc.NetworkNodes[1] || ta.NetworkNodes[2] == tc.NetworkNodes[2] {
		t.Errorf("other zone: %v vs %v; want only the region's node shared", ta.NetworkNodes, tc.NetworkNodes)
	}
	if other := networkNode(acct2, "host/"+r.get(t, a.ID).HostID); other == ta.NetworkNodes[2] {
		t.Error("another account sees the same host node")
	}

	for _, tt := range []struct {
		name string
		req  TopologyRequest
		want []string
	}{
		{"by ID, stopped left out", TopologyRequest{InstanceIDs: []string{b.ID, stopped.ID}}, []string{b.ID}},
		{"by group", TopologyRequest{GroupNames: []string{"tight"}}, []string{a.ID}},
		{"zone filter", TopologyRequest{Filters: []Filter{{Name: "availability-zone", Values: []string{"lab-1b"}}}}, []string{c.ID}},
		{"zone ID and type filters", TopologyRequest{Filters: []Filter{{Name: "zone-id", Values: []string{"lab-1-az1"}},
			{Name: "instance-type", Values: []string{"t3*"}}}}, []string{b.ID}},
	} {
		got, _, err := r.svc.DescribeInstanceTopology(ctx, tt.req)
		var ids []string
		for _, it := range got {
			ids = append(ids, it.InstanceID)
		}
		if err != nil || !slices.Equal(ids, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, ids, err, tt.want)
		}
	}
	var paged []string
	token := ""
	for range 5 {
		got, next, err := r.svc.DescribeInstanceTopology(ctx, TopologyRequest{Page: Page{MaxResults: 1, NextToken: token}})
		if err != nil || len(got) > 1 {
			t.Fatalf("page: %v, %v", got, err)
		}
		for _, it := range got {
			paged = append(paged, it.InstanceID)
		}
		if token = next; token == "" {
			break
		}
	}
	if len(paged) != 3 || !slices.IsSorted(paged) {
		t.Errorf("pages %v", paged)
	}

	many := make([]string, 101)
	for _, tt := range []struct {
		name string
		req  TopologyRequest
		code string
	}{
		{"unknown filter", TopologyRequest{Filters: []Filter{{Name: "host-id", Values: []string{"h"}}}}, "InvalidParameterValue"},
		{"page too big", TopologyRequest{Page: Page{MaxResults: 101}}, "InvalidParameterValue"},
		{"too many groups", TopologyRequest{GroupNames: many}, "InvalidParameterValue"},
		{"missing instance", TopologyRequest{InstanceIDs: []string{"i-0000000000000dead"}}, "InvalidInstanceID.NotFound"},
		{"dry run", TopologyRequest{DryRun: true}, "DryRunOperation"},
	} {
		if _, _, err := r.svc.DescribeInstanceTopology(ctx, tt.req); errCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}
