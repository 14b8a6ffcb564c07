package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestDescribeNetworkFilters finds instances by their subnet, VPC, address,
// DNS name, MAC, interface ID, security group and placement group, and
// subnets, VPCs and groups by their own filters.
func TestDescribeNetworkFilters(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	vpc, err := r.svc.CreateVpc(ctx, "10.9.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.9.3.0/24", "lab-1b", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	sg, err := r.svc.CreateSecurityGroup(ctx, "db", "db servers", vpc.ID, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	r.newGroup(t, "pack", "cluster", 0)
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		SubnetID: sn.ID, PrivateIP: "10.9.3.20", SecurityGroupIDs: []string{sg.ID}, PlacementGroup: "pack"})
	if err != nil {
		t.Fatal(err)
	}
	in := res.Instances[0]
	def := r.run(t, 1, "lab-1a")[0]
	if in.MAC == "" || in.PrivateDNSName == "" {
		t.Fatalf("instance has no MAC or DNS name: %+v", in)
	}
	cases := []struct {
		name  string
		value string
		want  []string
	}{
		{"subnet-id", sn.ID, []string{in.ID}},
		{"vpc-id", vpc.ID, []string{in.ID}},
		{"private-ip-address", "10.9.3.20", []string{in.ID}},
		{"private-ip-address", "10.9.*", []string{in.ID}},
		{"private-ip-address", "*", []string{in.ID, def}},
		{"private-dns-name", in.PrivateDNSName, []string{in.ID}},
		{"network-interface.mac-address", in.MAC, []string{in.ID}},
		{"network-interface.network-interface-id", ids.PrimaryNetworkInterface(in.ID), []string{in.ID}},
		{"network-interface.addresses.private-ip-address", "10.9.3.20", []string{in.ID}},
		{"instance.group-id", sg.ID, []string{in.ID}},
		{"group-id", sg.ID, []string{in.ID}},
		{"instance.group-name", "default", []string{def}},
		{"group-name", "db", []string{in.ID}},
		{"placement-group-name", "pack", []string{in.ID}},
		{"placement-group-name", "*", []string{in.ID}},
		{"subnet-id", "subnet-00000000000000000", nil},
	}
	for _, c := range cases {
		got, _, err := r.svc.DescribeInstances(ctx, nil, []Filter{{c.name, []string{c.value}}}, Page{})
		if err != nil {
			t.Errorf("%s=%s: %v", c.name, c.value, err)
			continue
		}
		if g, w := sortedIDs(got), sorted(c.want); g != w {
			t.Errorf("%s=%s: got %s, want %s", c.name, c.value, g, w)
		}
	}
	checkNetworkRecordFilters(t, r, vpc.ID, sn.ID, sg.ID)
}

// checkNetworkRecordFilters checks DescribeVpcs, DescribeSubnets and
// DescribeSecurityGroups filters against the VPC the test made and the
// default VPC.
func checkNetworkRecordFilters(t *testing.T, r *rig, vpcID, subnetID, sgID string) {
	t.Helper()
	ctx := ctxFor(acct1)
	vpcs := []struct {
		f    Filter
		want int
		id   string
	}{
		{Filter{"cidr", []string{"10.9.0.0/16"}}, 1, vpcID},
		{Filter{"is-default", []string{"false"}}, 1, vpcID},
		{Filter{"is-default", []string{"true"}}, 1, ""},
		{Filter{"state", []string{"available"}}, 2, ""},
	}
	for _, c := range vpcs {
		got, _, err := r.svc.DescribeVpcs(ctx, nil, []Filter{c.f}, Page{})
		if err != nil || len(got) != c.want || (c.id != "" && got[0].ID != c.id) {
			t.Errorf("DescribeVpcs %v: %v %v", c.f, got, err)
		}
	}
	subnets := []struct {
		f    []Filter
		want int
	}{
		{[]Filter{{"vpc-id", []string{vpcID}}}, 1},
		{[]Filter{{"cidr-block", []string{"10.9.3.0/24"}}}, 1},
		{[]Filter{{"availability-zone", []string{"lab-1b"}}, {"default-for-az", []string{"false"}}}, 1},
		{[]Filter{{"default-for-az", []string{"true"}}}, 2},
	}
	for _, c := range subnets {
		got, _, err := r.svc.DescribeSubnets(ctx, nil, c.f, Page{})
		if err != nil || len(got) != c.want || (c.want == 1 && got[0].ID != subnetID) {
			t.Errorf("DescribeSubnets %v: %v %v", c.f, got, err)
		}
	}
	groups := []struct {
		f    Filter
		want int
	}{
		{Filter{"group-name", []string{"db"}}, 1},
		{Filter{"group-id", []string{sgID}}, 1},
		{Filter{"vpc-id", []string{vpcID}}, 2}, // db and the VPC's default group
	}
	for _, c := range groups {
		got, _, err := r.svc.DescribeSecurityGroups(ctx, nil, nil, []Filter{c.f}, Page{})
		if err != nil || len(got) != c.want {
			t.Errorf("DescribeSecurityGroups %v: %v %v", c.f, got, err)
		}
	}
}
