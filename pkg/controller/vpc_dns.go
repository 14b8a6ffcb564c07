package controller

import (
	"context"
	"net/netip"
	"slices"
	"sort"

	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// vpcDNS is, per VPC ID, what its Amazon-provided DNS server knows: the
// VPC's enableDnsSupport and enableDnsHostnames (as in EC2, the server
// resolves the instances' private DNS names only with both on), the
// region's private DNS domain, the server's address (the primary block's
// base + 2), the VPC's blocks and the private DNS name and address of every
// instance holding an address in it, on any host. Each host serving one of
// the VPC's subnets gets it (desiredNetwork).
func (s *Service) vpcDNS(ctx context.Context, insts []*Instance) (map[string]*host.SubnetDNS, error) {
	vpcs, err := store.ListJSON[VPC](ctx, s.st, prefixVPC)
	if err != nil {
		return nil, err
	}
	sets, err := store.ListJSON[DhcpOptions](ctx, s.st, prefixDhcpOptions)
	if err != nil {
		return nil, err
	}
	domain := network.PrivateDNSDomain(s.cfg.Region)
	out := make(map[string]*host.SubnetDNS, len(vpcs))
	for _, v := range vpcs {
		p, err := netip.ParsePrefix(v.CIDR)
		if err != nil {
			continue // not a VPC the data plane serves
		}
		d := &host.SubnetDNS{Support: v.DNSSupportEnabled(), Hostnames: v.DNSHostnamesEnabled(), Domain: domain,
			Server: network.DNSServer(p.Masked()).String(), CIDRs: v.blockField(func(b CIDRAssociation) string { return b.CIDR })}
		if i := slices.IndexFunc(sets, func(o DhcpOptions) bool { return o.ID == v.DhcpOptionsID }); i >= 0 {
			d.DHCP = dhcpFor(sets[i], d)
		}
		out[v.ID] = d
	}
	for _, in := range insts {
		d := out[in.VpcID]
		if d == nil || !holdsAddress(*in) {
			continue
		}
		name := in.PrivateDNSName
		if name == "" {
			a, err := parseAddr(in.PrivateIP)
			if err != nil {
				continue
			}
			name = network.PrivateDNSName(a, s.cfg.Region)
		}
		d.Hosts = append(d.Hosts, host.DNSHost{Name: name, IP: in.PrivateIP})
	}
	for _, d := range out {
		sort.Slice(d.Hosts, func(i, j int) bool { return d.Hosts[i].Name < d.Hosts[j].Name })
	}
	return out, nil
}

// dhcpFor is what a VPC's DHCP servers hand out under option set o:
// AmazonProvidedDNS is the VPC's server, named only while DNS support is
// on (as the built-in options do).
func dhcpFor(o DhcpOptions, d *host.SubnetDNS) *host.DHCPOptions {
	out := &host.DHCPOptions{NTPServers: o.values(DhcpNTPServers), NetBIOSServers: o.values(DhcpNetBIOSNameServers),
		NetBIOSNodeType: o.netbiosNodeType()}
	if v := o.values(DhcpDomainName); len(v) == 1 {
		out.DomainName = v[0]
	}
	for _, srv := range o.values(DhcpDomainNameServers) {
		switch {
		case srv != AmazonProvidedDNS:
			out.DomainNameServers = append(out.DomainNameServers, srv)
		case d.Support:
			out.DomainNameServers = append(out.DomainNameServers, d.Server)
		}
	}
	return out
}
