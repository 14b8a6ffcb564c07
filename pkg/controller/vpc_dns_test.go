package controller

import (
	"context"
	"testing"
)

// TestDesiredNetworkDNS: every subnet a host serves carries its VPC's DNS
// server: the primary block's base + 2 (also for a subnet elsewhere in the
// VPC), the region's domain, EC2's attribute defaults (hostnames on in the
// default VPC only), every instance of that VPC on any host and none of
// another VPC; both attributes follow ModifyVpcAttribute and terminated
// instances leave the zone.
func TestDesiredNetworkDNS(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	a := r.run(t, 2, "lab-1a")
	b := r.run(t, 1, "lab-1b")
	vpc, err := r.svc.CreateVpc(ctx, "10.1.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.1.4.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, SubnetID: sn.ID})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Instances[0].ID
	defaultHosts := []string{r.get(t, a[0]).PrivateDNSName, r.get(t, a[1]).PrivateDNSName, r.get(t, b[0]).PrivateDNSName}

	type dnsView struct {
		support, hostnames bool
		server             string
		hosts              map[string]string // name → ip
	}
	view := func() map[string]dnsView { // subnet CIDR → its DNS
		t.Helper()
		want, err := r.svc.desiredNetwork(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]dnsView{}
		for _, subnets := range want {
			for _, s := range subnets {
				if s.DNS == nil {
					t.Fatalf("subnet %s has no DNS", s.CIDR)
				}
				if s.DNS.Domain != "lab-1.compute.internal" {
					t.Errorf("subnet %s: domain %q", s.CIDR, s.DNS.Domain)
				}
				v := dnsView{support: s.DNS.Support, hostnames: s.DNS.Hostnames, server: s.DNS.Server, hosts: map[string]string{}}
				for _, h := range s.DNS.Hosts {
					v.hosts[h.Name] = h.IP
				}
				out[s.CIDR] = v
			}
		}
		return out
	}
	got := view()
	tests := []struct {
		cidr, server string
		hostnames    bool
		hosts        []string
	}{
		{"172.31.0.0/20", "172.31.0.2", true, defaultHosts},
		{"172.31.16.0/20", "172.31.0.2", true, defaultHosts},
		{"10.1.4.0/24", "10.1.0.2", false, []string{r.get(t, c).PrivateDNSName}},
	}
	for _, tt := range tests {
		v, ok := got[tt.cidr]
		if !ok || !v.support || v.hostnames != tt.hostnames || v.server != tt.server || len(v.hosts) != len(tt.hosts) {
			t.Errorf("subnet %s: %+v, want support, hostnames %v, server %s, hosts %v", tt.cidr, v, tt.hostnames, tt.server, tt.hosts)
			continue
		}
		for _, h := range tt.hosts {
			if h == "" || v.hosts[h] == "" {
				t.Errorf("subnet %s: host %q missing from %v", tt.cidr, h, v.hosts)
			}
		}
	}
	if ip := got["172.31.0.0/20"].hosts[r.get(t, a[0]).PrivateDNSName]; ip != r.get(t, a[0]).PrivateIP {
		t.Errorf("%s resolves to %s, want %s", r.get(t, a[0]).PrivateDNSName, ip, r.get(t, a[0]).PrivateIP)
	}

	on, off := true, false
	if err := r.svc.ModifyVpcAttribute(ctx, vpc.ID, VPCAttributeChange{DNSHostnames: &on}); err != nil {
		t.Fatal(err)
	}
	if got := view(); !got["10.1.4.0/24"].hostnames {
		t.Errorf("after enabling DNS hostnames of %s: %+v", vpc.ID, got["10.1.4.0/24"])
	}
	if err := r.svc.ModifyVpcAttribute(ctx, vpc.ID, VPCAttributeChange{DNSSupport: &off}); err != nil {
		t.Fatal(err)
	}
	r.setState(t, a[0], StateTerminated)
	got = view()
	if got["10.1.4.0/24"].support || !got["172.31.0.0/20"].support {
		t.Errorf("after disabling DNS support of %s: %+v", vpc.ID, got)
	}
	if _, ok := got["172.31.16.0/20"].hosts[r.get(t, a[0]).PrivateDNSName]; ok || len(got["172.31.16.0/20"].hosts) != 2 {
		t.Errorf("terminated %s still in the zone: %v", a[0], got["172.31.16.0/20"].hosts)
	}
}
