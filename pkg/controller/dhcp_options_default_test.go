package controller

import (
	"context"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// ownSets are the IDs of acct's DHCP option sets in the store.
func ownSets(t *testing.T, r *rig, acct string) []string {
	t.Helper()
	all, err := store.ListJSON[DhcpOptions](context.Background(), r.svc.st, prefixDhcpOptions)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range all {
		if d.Owner == acct {
			out = append(out, d.ID)
		}
	}
	return out
}

// TestDefaultDhcpOptionsSet: the default set holds the region's private
// DNS domain (EC2: ec2.internal in us-east-1) and AmazonProvidedDNS.
func TestDefaultDhcpOptionsSet(t *testing.T) {
	for _, c := range []struct{ region, domain string }{
		{"lab-1", "lab-1.compute.internal"},
		{"eu-west-1", "eu-west-1.compute.internal"},
		{"us-east-1", "ec2.internal"},
	} {
		got := defaultDhcpOptionsSet("dopt-1", acct1, c.region)
		want := []DhcpConfiguration{{DhcpDomainName, []string{c.domain}}, {DhcpDomainNameServers, []string{AmazonProvidedDNS}}}
		if !reflect.DeepEqual(got.Configurations, want) || got.Owner != acct1 {
			t.Errorf("%s: %+v, want %+v", c.region, got, want)
		}
	}
}

// TestDefaultDhcpOptions: the account's default set is made with its
// default VPC, which CreateVpc's new VPCs share; DescribeDhcpOptions lists
// it; the hosts are told exactly what the built-in options tell them; it
// cannot be deleted while used, and once deleted new VPCs get "default"
// (no set is made again). Each account has its own.
func TestDefaultDhcpOptions(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	v, err := r.svc.CreateVpc(ctx, "10.1.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	dopt := v.DhcpOptionsID
	if !strings.HasPrefix(dopt, "dopt-") {
		t.Fatalf("new VPC's set %q, want the account's default set", dopt)
	}
	def, ok, err := r.svc.defaultVPC(context.Background(), acct1)
	if err != nil || !ok || def.DhcpOptionsID != dopt {
		t.Errorf("default VPC %+v (%v %v), want set %s", def, ok, err, dopt)
	}
	got, _, err := r.svc.DescribeDhcpOptions(ctx, []string{dopt}, nil, Page{})
	if err != nil || len(got) != 1 || got[0].Owner != acct1 ||
		!reflect.DeepEqual(got[0].Configurations, defaultDhcpOptionsSet("", "", "lab-1").Configurations) {
		t.Fatalf("describe the default set: %+v %v", got, err)
	}
	name := network.PrivateDNSName(netip.MustParseAddr("10.1.0.4"), "lab-1")
	if !strings.HasSuffix(name, "."+got[0].values(DhcpDomainName)[0]) {
		t.Errorf("domain-name %v is not the suffix of private DNS name %s", got[0].Configurations, name)
	}
	checkSameAsBuiltIn(t, r, v.ID)

	if err := r.svc.DeleteDhcpOptions(ctx, dopt, false); errCode(err) != ec2err.DependencyViolation {
		t.Errorf("delete while used: %v, want %s", err, ec2err.DependencyViolation)
	}
	other, err := r.svc.CreateVpc(ctxFor(acct2), "10.1.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if other.DhcpOptionsID == "" || other.DhcpOptionsID == dopt || len(ownSets(t, r, acct2)) != 1 {
		t.Errorf("account 2's VPC has set %q (account 1's: %s), account 2 owns %v", other.DhcpOptionsID, dopt, ownSets(t, r, acct2))
	}

	for _, id := range []string{v.ID, def.ID} {
		if err := r.svc.AssociateDhcpOptions(ctx, DefaultDhcpOptions, id, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.svc.DeleteDhcpOptions(ctx, dopt, false); err != nil {
		t.Fatalf("delete the unused default set: %v", err)
	}
	later, err := r.svc.CreateVpc(ctx, "10.2.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if later.DhcpOptionsID != "" || len(ownSets(t, r, acct1)) != 0 {
		t.Errorf("after deleting the default set: new VPC has %q, account owns %v", later.DhcpOptionsID, ownSets(t, r, acct1))
	}
	if got, _, err := r.svc.DescribeDhcpOptions(ctx, nil, nil, Page{}); err != nil || len(got) != 0 {
		t.Errorf("describe after delete: %+v %v", got, err)
	}
}

// checkSameAsBuiltIn: under the default set, what the hosts are told of
// vpcID matches the built-in options (the domain, and the VPC's server
// only while DNS support is on), so guests' leases do not change.
func checkSameAsBuiltIn(t *testing.T, r *rig, vpcID string) {
	t.Helper()
	for _, support := range []bool{true, false} {
		if err := r.svc.ModifyVpcAttribute(ctxFor(acct1), vpcID, VPCAttributeChange{DNSSupport: &support}); err != nil {
			t.Fatal(err)
		}
		dns, err := r.svc.vpcDNS(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		d := dns[vpcID]
		want := &host.DHCPOptions{DomainName: d.Domain}
		if support {
			want.DomainNameServers = []string{d.Server}
		}
		if !reflect.DeepEqual(d.DHCP, want) {
			t.Errorf("DNS support %v: hosts told %+v, built-in options are %+v", support, d.DHCP, want)
		}
	}
}

// TestDefaultDhcpOptionsConcurrent: an account's concurrent first
// CreateVpc calls make one default set, which every VPC gets.
func TestDefaultDhcpOptionsConcurrent(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	const n = 4 // the default VPC and these fill the quota of 5
	var wg sync.WaitGroup
	vpcs := make([]VPC, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vpcs[i], errs[i] = r.svc.CreateVpc(ctxFor(acct1), fmt.Sprintf("10.%d.0.0/16", i+1), nil, false)
		}()
	}
	wg.Wait()
	sets := ownSets(t, r, acct1)
	if len(sets) != 1 {
		t.Fatalf("%d default sets made: %v", len(sets), sets)
	}
	for i, v := range vpcs {
		if errs[i] != nil || v.DhcpOptionsID != sets[0] {
			t.Errorf("VPC %d: %+v %v, want set %s", i, v, errs[i], sets[0])
		}
	}
}
