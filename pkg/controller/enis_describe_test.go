package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

func eniIDs(nis []NetworkInterface) string {
	var out []string
	for _, ni := range nis {
		out = append(out, ni.ID)
	}
	return sorted(out)
}

// TestDescribeNetworkInterfacesFilters finds the interfaces of instances
// by every filter EC2 documents that ec2lab can answer; filters Terraform
// sends when it looks for leftover interfaces of a subnet or group find
// nothing.
func TestDescribeNetworkInterfacesFilters(t *testing.T) {
	r := newENIRig(t)
	ctx := ctxFor(acct1)
	web, def := ids.PrimaryNetworkInterface(r.custom.ID), ids.PrimaryNetworkInterface(r.fallback.ID)
	both := []string{web, def}
	cases := []struct {
		filters []Filter
		want    []string
	}{
		{nil, both},
		{[]Filter{{"network-interface-id", []string{web}}}, []string{web}},
		{[]Filter{{"subnet-id", []string{r.subnet.ID}}}, []string{web}},
		{[]Filter{{"vpc-id", []string{r.vpc.ID}}}, []string{web}},
		{[]Filter{{"group-id", []string{r.group.ID}}}, []string{web}},
		{[]Filter{{"group-name", []string{"default"}}}, []string{def}},
		{[]Filter{{"attachment.instance-id", []string{r.fallback.ID}}}, []string{def}},
		{[]Filter{{"attachment.status", []string{"attached"}}}, both},
		{[]Filter{{"attachment.device-index", []string{"0"}}}, both},
		{[]Filter{{"attachment.attachment-id", []string{ids.PrimaryNetworkInterfaceAttachment(r.custom.ID)}}}, []string{web}},
		{[]Filter{{"attachment.delete-on-termination", []string{"true"}}}, both},
		{[]Filter{{"attachment.instance-owner-id", []string{acct1}}}, both},
		{[]Filter{{"private-ip-address", []string{"10.8.1.20"}}}, []string{web}},
		{[]Filter{{"addresses.private-ip-address", []string{"172.31.*"}}}, []string{def}},
		{[]Filter{{"private-dns-name", []string{r.custom.PrivateDNSName}}}, []string{web}},
		{[]Filter{{"availability-zone", []string{"lab-1a"}}}, []string{def}},
		{[]Filter{{"status", []string{"in-use"}}}, both},
		{[]Filter{{"status", []string{"available"}}}, nil},
		{[]Filter{{"mac-address", []string{r.custom.MAC}}}, []string{web}},
		{[]Filter{{"description", []string{"web*"}}}, []string{web}},
		{[]Filter{{"owner-id", []string{acct1}}}, both},
		{[]Filter{{"interface-type", []string{"interface"}}}, both},
		{[]Filter{{"requester-managed", []string{"false"}}}, both},
		{[]Filter{{"source-dest-check", []string{"true"}}}, both},
		{[]Filter{{"tag:role", []string{"web"}}}, []string{web}},
		{[]Filter{{"tag-key", []string{"role"}}}, []string{web}},
		{[]Filter{{"association.public-ip", []string{"*"}}}, nil},
		// Terraform's destroy of a subnet and of a security group.
		{[]Filter{{"subnet-id", []string{r.subnet.ID}}, {"description", []string{"AWS Lambda VPC ENI*"}}}, nil},
		{[]Filter{{"group-id", []string{r.group.ID}}, {"description", []string{"ELB *"}}}, nil},
		{[]Filter{{"subnet-id", []string{"subnet-00000000000000000"}}}, nil},
	}
	for _, c := range cases {
		got, next, err := r.svc.DescribeNetworkInterfaces(ctx, nil, c.filters, Page{})
		if err != nil || next != "" {
			t.Errorf("%v: %v (next %q)", c.filters, err, next)
			continue
		}
		if g, w := eniIDs(got), sorted(c.want); g != w {
			t.Errorf("%v: got %s, want %s", c.filters, g, w)
		}
	}
	if _, _, err := r.svc.DescribeNetworkInterfaces(ctx, nil, []Filter{{"bogus", []string{"x"}}}, Page{}); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("unknown filter: %v", err)
	}
}

// TestDescribeNetworkInterfacesIDsAndPages: named IDs, EC2's errors for
// malformed and unknown ones (another account's included), MaxResults
// rules, pages, and interfaces gone with their terminated instance.
func TestDescribeNetworkInterfacesIDsAndPages(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	insts := r.run(t, 7, "lab-1a")
	eni := ids.PrimaryNetworkInterface(insts[0])
	got, _, err := r.svc.DescribeNetworkInterfaces(ctx, []string{eni}, nil, Page{})
	if err != nil || len(got) != 1 || got[0].ID != eni || got[0].Attachment.InstanceID != insts[0] {
		t.Fatalf("DescribeNetworkInterfaces(%s) = %+v, %v", eni, got, err)
	}
	errs := []struct {
		name string
		ids  []string
		p    Page
		code string
	}{
		{"malformed", []string{"eni-xyz"}, Page{}, ec2err.InvalidNetworkInterfaceIDMalformed},
		{"an instance ID", []string{insts[0]}, Page{}, ec2err.InvalidNetworkInterfaceIDMalformed},
		{"unknown", []string{eni, "eni-00000000000000000"}, Page{}, ec2err.InvalidNetworkInterfaceIDNotFound},
		{"ids and MaxResults", []string{eni}, Page{MaxResults: 5}, ec2err.InvalidParameterCombination},
		{"MaxResults too small", nil, Page{MaxResults: 4}, ec2err.InvalidParameterValue},
		{"bad token", nil, Page{MaxResults: 5, NextToken: "%%"}, ec2err.InvalidParameterValue},
	}
	for _, c := range errs {
		if _, _, err := r.svc.DescribeNetworkInterfaces(ctx, c.ids, nil, c.p); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, _, err := r.svc.DescribeNetworkInterfaces(ctxFor(acct2), []string{eni}, nil, Page{}); errCode(err) != ec2err.InvalidNetworkInterfaceIDNotFound {
		t.Errorf("another account's interface: %v", err)
	}
	if all, _, _ := r.svc.DescribeNetworkInterfaces(ctxFor(acct2), nil, nil, Page{}); len(all) != 0 {
		t.Errorf("another account sees %v", all)
	}

	var seen []string
	tok := ""
	for pages := 1; ; pages++ {
		page, next, err := r.svc.DescribeNetworkInterfaces(ctx, nil, nil, Page{MaxResults: 5, NextToken: tok})
		if err != nil || len(page) > 5 || pages > 2 {
			t.Fatalf("page %d: %d items, %v", pages, len(page), err)
		}
		for _, ni := range page {
			seen = append(seen, ni.ID)
		}
		if tok = next; tok == "" {
			break
		}
	}
	if len(seen) != 7 {
		t.Errorf("pages held %d interfaces, want 7", len(seen))
	}

	r.setState(t, insts[0], StateTerminated)
	if _, _, err := r.svc.DescribeNetworkInterfaces(ctx, []string{eni}, nil, Page{}); errCode(err) != ec2err.InvalidNetworkInterfaceIDNotFound {
		t.Errorf("interface of a terminated instance: %v", err)
	}
}

// TestNetworkInterfaceTags: CreateTags and DeleteTags on an interface
// reach DescribeNetworkInterfaces and DescribeTags (resource type
// network-interface), and not the instance's own tags.
func TestNetworkInterfaceTags(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	id := r.run(t, 1, "lab-1a")[0]
	eni := ids.PrimaryNetworkInterface(id)
	if err := r.svc.CreateTags(ctx, []string{eni}, []Tag{{"Name", "nic"}}, false); err != nil {
		t.Fatalf("CreateTags: %v", err)
	}
	got, _, err := r.svc.DescribeNetworkInterfaces(ctx, nil, []Filter{{"tag:Name", []string{"nic"}}}, Page{})
	if err != nil || len(got) != 1 || got[0].ID != eni {
		t.Errorf("tag:Name=nic: %+v %v", got, err)
	}
	descs, _, err := r.svc.DescribeTags(ctx, []Filter{{"resource-type", []string{"network-interface"}}}, Page{})
	if err != nil || len(descs) != 1 || descs[0].ResourceID != eni || descs[0].Key != "Name" {
		t.Errorf("DescribeTags network-interface: %+v %v", descs, err)
	}
	if in := r.get(t, id); len(in.Tags) != 0 {
		t.Errorf("instance got the interface's tags: %v", in.Tags)
	}
	if err := r.svc.CreateTags(ctxFor(acct2), []string{eni}, []Tag{{"x", "y"}}, false); errCode(err) != ec2err.InvalidID {
		t.Errorf("another account tags the interface: %v", err)
	}
	if err := r.svc.DeleteTags(ctx, []string{eni}, []Tag{{Key: "Name"}}, false); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := r.svc.DescribeNetworkInterfaces(ctx, []string{eni}, nil, Page{}); len(got) != 1 || len(got[0].Tags) != 0 {
		t.Errorf("after DeleteTags: %+v", got)
	}
}
