package controller

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// TestDhcpOptions: a set is created with EC2's checks (each refusal
// records nothing), described with its filters, associated with a VPC
// (DescribeVpcs shows it; "default" takes it back), refused deletion
// while a VPC uses it, and what the VPC's hosts are told follows it:
// AmazonProvidedDNS is the VPC's server, named only while DNS support is
// on. (The rig's VPCs start with the account's default set.)
func TestDhcpOptions(t *testing.T) {
	r := newIGWRig(t)
	ctx := ctxFor(acct1)
	vpcs, _, err := r.svc.DescribeVpcs(ctx, []string{r.vpcB}, nil, Page{})
	if err != nil || len(vpcs) != 1 || vpcs[0].DhcpOptionsID == "" {
		t.Fatalf("the rig's VPC %v (%v) has no default set", vpcs, err)
	}
	defaultSet := vpcs[0].DhcpOptionsID
	count := func() int { // the sets besides the default one
		all, _ := store.ListJSON[DhcpOptions](context.Background(), r.svc.st, prefixDhcpOptions)
		return len(slices.DeleteFunc(all, func(d DhcpOptions) bool { return d.ID == defaultSet || d.Owner != acct1 }))
	}
	for _, c := range []struct {
		name  string
		confs []DhcpConfiguration
		code  string
	}{
		{"none", nil, ec2err.MissingParameter},
		{"unknown key", []DhcpConfiguration{{"router", []string{"10.0.0.1"}}}, ec2err.InvalidParameterValue},
		{"bad server", []DhcpConfiguration{{DhcpDomainNameServers, []string{"ten.0.0.1"}}}, ec2err.InvalidParameterValue},
		{"five servers", []DhcpConfiguration{{DhcpNTPServers, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"}}}, ec2err.InvalidParameterValue},
		{"bad domain", []DhcpConfiguration{{DhcpDomainName, []string{"lab_one"}}}, ec2err.InvalidParameterValue},
		{"newline in domain", []DhcpConfiguration{{DhcpDomainName, []string{"a.lab\nnameserver 6.6.6.6"}}}, ec2err.InvalidParameterValue},
		{"blank domain", []DhcpConfiguration{{DhcpDomainName, []string{" "}}}, ec2err.InvalidParameterValue},
		{"node type", []DhcpConfiguration{{DhcpNetBIOSNodeType, []string{"3"}}}, ec2err.InvalidParameterValue},
		{"duplicate key", []DhcpConfiguration{{DhcpDomainName, []string{"a.lab"}}, {DhcpDomainName, []string{"b.lab"}}}, ec2err.InvalidParameterValue},
		{"ipv6", []DhcpConfiguration{{"ipv6-address-preferred-lease-time", []string{"3600"}}}, ec2err.UnsupportedOperation},
	} {
		if _, err := r.svc.CreateDhcpOptions(ctx, c.confs, nil, false); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := r.svc.CreateDhcpOptions(ctx, []DhcpConfiguration{{DhcpDomainName, []string{"lab.example"}}}, nil, true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("dry run: %v", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("refused creates recorded %d sets", n)
	}

	d, err := r.svc.CreateDhcpOptions(ctx, []DhcpConfiguration{
		{DhcpNTPServers, []string{"10.1.0.5"}},
		{DhcpDomainNameServers, []string{"10.1.0.53", AmazonProvidedDNS}},
		{DhcpDomainName, []string{"lab.example corp.example"}},
	}, []Tag{{"Name", "lab"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.Configurations[0].Key != DhcpDomainName || d.Configurations[2].Key != DhcpNTPServers {
		t.Errorf("configurations not in EC2's order: %+v", d.Configurations)
	}
	for _, f := range []Filter{{"key", []string{DhcpNTPServers}}, {"value", []string{"10.1.0.53"}}, {"tag:Name", []string{"lab"}}} {
		got, _, err := r.svc.DescribeDhcpOptions(ctx, nil, []Filter{f}, Page{})
		if err != nil || len(got) != 1 || got[0].ID != d.ID {
			t.Errorf("filter %v: %v %v", f, got, err)
		}
	}
	if got, _, err := r.svc.DescribeDhcpOptions(ctx, nil, []Filter{{"owner-id", []string{acct1}}}, Page{}); err != nil || len(got) != 2 {
		t.Errorf("filter owner-id: %v %v, want this set and the default one", got, err)
	}
	if got, _, _ := r.svc.DescribeDhcpOptions(ctxFor(acct2), nil, nil, Page{}); len(got) != 1 || got[0].ID == d.ID || got[0].Owner != acct2 {
		t.Errorf("account 2 sees %v, want its own default set only", got)
	}
	if err := r.svc.AssociateDhcpOptions(ctxFor(acct2), d.ID, r.vpcA, false); errCode(err) != ec2err.InvalidDhcpOptionIDNotFound {
		t.Errorf("another account's set: %v", err)
	}
	if err := r.svc.AssociateDhcpOptions(ctx, "dopt-zz", r.vpcA, false); errCode(err) != ec2err.InvalidDhcpOptionsIDMalformed {
		t.Errorf("malformed: %v", err)
	}
	if err := r.svc.AssociateDhcpOptions(ctx, d.ID, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	vpcs, _, _ = r.svc.DescribeVpcs(ctx, nil, []Filter{{"dhcp-options-id", []string{d.ID}}}, Page{})
	if len(vpcs) != 1 || vpcs[0].ID != r.vpcA {
		t.Errorf("VPCs with %s: %v", d.ID, vpcs)
	}

	dns, err := r.svc.vpcDNS(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &host.DHCPOptions{DomainName: "lab.example corp.example", DomainNameServers: []string{"10.1.0.53", "10.1.0.2"},
		NTPServers: []string{"10.1.0.5"}}
	if got := dns[r.vpcA].DHCP; !reflect.DeepEqual(got, want) {
		t.Errorf("what the hosts are told: %+v, want %+v", got, want)
	}
	if want := (&host.DHCPOptions{DomainName: "lab-1.compute.internal", DomainNameServers: []string{"10.2.0.2"}}); !reflect.DeepEqual(dns[r.vpcB].DHCP, want) {
		t.Errorf("a VPC with the default set got %+v, want %+v", dns[r.vpcB].DHCP, want)
	}
	off := false
	if err := r.svc.ModifyVpcAttribute(ctx, r.vpcA, VPCAttributeChange{DNSSupport: &off}); err != nil {
		t.Fatal(err)
	}
	dns, _ = r.svc.vpcDNS(context.Background(), nil)
	if got := dns[r.vpcA].DHCP.DomainNameServers; !reflect.DeepEqual(got, []string{"10.1.0.53"}) {
		t.Errorf("servers with DNS support off: %v, want only 10.1.0.53", got)
	}

	if err := r.svc.DeleteDhcpOptions(ctx, d.ID, false); errCode(err) != ec2err.DependencyViolation || count() != 1 {
		t.Errorf("delete while associated: %v", err)
	}
	if err := r.svc.AssociateDhcpOptions(ctx, DefaultDhcpOptions, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	if vpcs, _, _ := r.svc.DescribeVpcs(ctx, nil, []Filter{{"dhcp-options-id", []string{"default"}}}, Page{}); len(vpcs) != 1 || vpcs[0].ID != r.vpcA {
		t.Errorf("VPCs back on default: %v", vpcs)
	}
	dns, _ = r.svc.vpcDNS(context.Background(), nil)
	if dns[r.vpcA].DHCP != nil {
		t.Errorf("a VPC without a set got %+v", dns[r.vpcA].DHCP)
	}
	if err := r.svc.DeleteDhcpOptions(ctx, d.ID, false); err != nil || count() != 0 {
		t.Errorf("delete: %v, %d left", err, count())
	}
	if err := r.svc.DeleteDhcpOptions(ctx, d.ID, false); errCode(err) != ec2err.InvalidDhcpOptionIDNotFound {
		t.Errorf("delete again: %v", err)
	}
}
