package controller

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// offeringsRig has a small host in each zone (4 vCPUs, 8 GiB) and, in
// lab-1b, a big one with a GPU, 16 GiB of hugepages and 1 TB of local disk.
func offeringsRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t, 0, hostSpec{vcpus: 4, mem: 8192})
	inv := &agentv1.Inventory{HostId: "h-big", AvailabilityZone: "lab-1b", Vcpus: 16, MemoryMib: 65536,
		HugepagesTotal: 8192, HugepagesFree: 8192, DomainType: "kvm",
		Gpus:  []*agentv1.Gpu{{PciAddress: "0000:01:00.0", Name: "NVIDIA T4"}},
		Pools: []*agentv1.StoragePool{{Name: "local", TotalBytes: 1000e9, FreeBytes: 10e9}}}
	if _, err := r.svc.AddHost(context.Background(), hostgrpc.InventoryFrom(inv), "fake", hostgrpc.New(newFakeAgent())); err != nil {
		t.Fatal(err)
	}
	return r
}

// offered lists "location/type" of offerings.
func offered(list []InstanceTypeOffering) []string {
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.Location + "/" + o.InstanceType
	}
	return out
}

// TestInstanceTypeOfferingsByHosts: a zone offers what its registered
// hosts could hold (vCPUs, memory, CPUs to pin, hugepages, GPUs, local
// disk), the region what any zone offers; what is free now does not count.
func TestInstanceTypeOfferingsByHosts(t *testing.T) {
	r := offeringsRig(t)
	ctx := ctxFor(acct1)
	tests := []struct {
		name      string
		req       OfferingsRequest
		has, lack []string
	}{
		{"region (default)", OfferingsRequest{},
			[]string{"lab-1/t3.micro", "lab-1/lab.tiny", "lab-1/g4dn.xlarge", "lab-1/r5.large", "lab-1/c5.2xlarge", "lab-1/i3.xlarge", "lab-1/m5.4xlarge"},
			[]string{"lab-1/x1.16xlarge", "lab-1/r5.xlarge", "lab-1/i3.2xlarge", "lab-1/r5.4xlarge"}},
		{"small zone", OfferingsRequest{LocationType: LocationZone},
			[]string{"lab-1a/t3.large", "lab-1a/m5.large", "lab-1a/c5.large", "lab-1a/inf1.xlarge", "lab-1b/g4dn.xlarge"},
			[]string{"lab-1a/t3.xlarge", "lab-1a/c5.xlarge", "lab-1a/r5.large", "lab-1a/g4dn.xlarge", "lab-1a/i3.large"}},
		{"zone IDs", OfferingsRequest{LocationType: LocationZoneID},
			[]string{"lab-1-az1/t3.micro", "lab-1-az2/p3.2xlarge"}, []string{"lab-1-az1/p3.2xlarge", "lab-1a/t3.micro"}},
		{"filters", OfferingsRequest{LocationType: LocationZone, Filters: []Filter{
			{Name: "instance-type", Values: []string{"g4dn.*", "t3.micro"}}, {Name: "location", Values: []string{"lab-1b"}}}},
			[]string{"lab-1b/g4dn.xlarge", "lab-1b/t3.micro"}, []string{"lab-1a/t3.micro", "lab-1b/t3.nano"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, next, err := r.svc.InstanceTypeOfferings(ctx, tt.req)
			if err != nil || next != "" {
				t.Fatalf("InstanceTypeOfferings: next %q, %v", next, err)
			}
			got := offered(list)
			for _, w := range tt.has {
				if !slices.Contains(got, w) {
					t.Errorf("%s not offered: %v", w, got)
				}
			}
			for _, w := range tt.lack {
				if slices.Contains(got, w) {
					t.Errorf("%s offered", w)
				}
			}
			for _, o := range list {
				if o.LocationType != cmp.Or(tt.req.LocationType, LocationRegion) {
					t.Errorf("%v: location type %q", o, o.LocationType)
				}
			}
		})
	}
}

// TestInstanceTypeOfferingsPages: MaxResults pages through every offering
// once, in order.
func TestInstanceTypeOfferingsPages(t *testing.T) {
	r := offeringsRig(t)
	ctx := ctxFor(acct1)
	all, _, err := r.svc.InstanceTypeOfferings(ctx, OfferingsRequest{LocationType: LocationZone})
	if err != nil {
		t.Fatal(err)
	}
	var paged []InstanceTypeOffering
	token := ""
	for range 100 {
		list, next, err := r.svc.InstanceTypeOfferings(ctx, OfferingsRequest{LocationType: LocationZone, Page: Page{MaxResults: 5, NextToken: token}})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 5 {
			t.Fatalf("page of %d", len(list))
		}
		paged = append(paged, list...)
		if token = next; token == "" {
			break
		}
	}
	if !slices.Equal(offered(paged), offered(all)) {
		t.Errorf("paged %v\nwant   %v", offered(paged), offered(all))
	}
}

// TestInstanceTypeOfferingsRefusals: EC2's errors, and DryRun after them.
func TestInstanceTypeOfferingsRefusals(t *testing.T) {
	r := offeringsRig(t)
	tests := []struct {
		name string
		req  OfferingsRequest
		code string
	}{
		{"unknown location type", OfferingsRequest{LocationType: "continent"}, ec2err.InvalidParameterValue},
		{"outposts", OfferingsRequest{LocationType: LocationOutpost}, ec2err.UnsupportedOperation},
		{"unknown filter", OfferingsRequest{Filters: []Filter{{Name: "vcpus", Values: []string{"2"}}}}, ec2err.InvalidParameterValue},
		{"MaxResults too small", OfferingsRequest{Page: Page{MaxResults: 4}}, ec2err.InvalidParameterValue},
		{"MaxResults too big", OfferingsRequest{Page: Page{MaxResults: 1001}}, ec2err.InvalidParameterValue},
		{"bad token", OfferingsRequest{Page: Page{NextToken: "nope"}}, ec2err.InvalidParameterValue},
		{"dry run", OfferingsRequest{DryRun: true}, ec2err.DryRunOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := r.svc.InstanceTypeOfferings(ctxFor(acct1), tt.req)
			if got := errCode(err); got != tt.code {
				t.Errorf("error %q (%v), want %s", got, err, tt.code)
			}
		})
	}
}
