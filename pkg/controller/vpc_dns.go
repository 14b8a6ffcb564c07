package controller

import (
	"context"
	"net/netip"
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
	domain := network.PrivateDNSDomain(s.cfg.Region)
	out := make(map[string]*host.SubnetDNS, len(vpcs))
	for _, v := range vpcs {
		p, err := netip.ParsePrefix(v.CIDR)
		if err != nil {
			continue // not a VPC the data plane serves
		}
		out[v.ID] = &host.SubnetDNS{Support: v.DNSSupportEnabled(), Hostnames: v.DNSHostnamesEnabled(), Domain: domain,
			Server: network.DNSServer(p.Masked()).String(), CIDRs: v.blockField(func(b CIDRAssociation) string { return b.CIDR })}
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
