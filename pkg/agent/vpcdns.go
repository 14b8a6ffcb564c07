package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/vpcdns"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// dnsService is the agent's side of the VPCs' Amazon-provided DNS servers
// (pkg/vpcdns): the zone of each subnet bridge, replaced by every
// SyncNetwork and read by every query (so ModifyVpcAttribute applies
// live), and one listener per bridge and DNS address (169.254.169.253 and
// the VPC's base + 2), bound to the bridge: two VPCs sharing a CIDR share
// the base + 2 address but not the zone.
type dnsService struct {
	mu    sync.Mutex             // guards zones
	zones map[string]vpcdns.Zone // bridge → zone
	// serveMu guards servers (never held by query handlers).
	serveMu sync.Mutex
	servers map[dnsAddr]*bridgeListener
}

// dnsAddr is one DNS address of a bridge.
type dnsAddr struct {
	bridge string
	addr   netip.Addr
}

// setZones replaces every bridge's zone.
func (d *dnsService) setZones(zones map[string]vpcdns.Zone) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.zones = zones
}

// lookupOn reads bridge's current zone.
func (d *dnsService) lookupOn(bridge string) vpcdns.Lookup {
	return func() (vpcdns.Zone, bool) {
		d.mu.Lock()
		defer d.mu.Unlock()
		z, ok := d.zones[bridge]
		return z, ok
	}
}

// dnsZones are the zones of the request's subnets with a DNS server, by
// their bridge.
func dnsZones(req *agentv1.SyncNetworkRequest, bridgeOf func(subnetID string) string) (map[string]vpcdns.Zone, error) {
	out := map[string]vpcdns.Zone{}
	for _, ns := range req.GetSubnets() {
		d := ns.GetDns()
		if d == nil {
			continue
		}
		z := vpcdns.Zone{Support: d.GetSupport(), Hostnames: d.GetHostnames(), Domain: strings.ToLower(d.GetDomain()), Hosts: map[string]netip.Addr{}}
		for _, c := range d.GetVpcCidrs() {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				return nil, fmt.Errorf("subnet %s: dns: vpc cidr: %w", ns.GetSubnetId(), err)
			}
			z.CIDRs = append(z.CIDRs, p.Masked())
		}
		for _, h := range d.GetHosts() {
			ip, err := netip.ParseAddr(h.GetIp())
			if err != nil || h.GetName() == "" {
				return nil, fmt.Errorf("subnet %s: dns host %q at %q: bad name or address", ns.GetSubnetId(), h.GetName(), h.GetIp())
			}
			z.Hosts[strings.TrimSuffix(strings.ToLower(h.GetName()), ".")] = ip
		}
		out[bridgeOf(ns.GetSubnetId())] = z
	}
	return out, nil
}

// planeDNS converts a subnet's DNS server for the data plane (nil: none).
func planeDNS(ns *agentv1.NetSubnet) (*netplane.DNS, error) {
	d := ns.GetDns()
	if d == nil {
		return nil, nil
	}
	server, err := netip.ParseAddr(d.GetServer())
	if err != nil {
		return nil, fmt.Errorf("subnet %s: dns server: %w", ns.GetSubnetId(), err)
	}
	out := &netplane.DNS{Server: server, Domain: d.GetDomain(), Support: d.GetSupport()}
	if o := d.GetDhcp(); o != nil {
		if out.DHCP, err = planeDHCP(o); err != nil {
			return nil, fmt.Errorf("subnet %s: dhcp options: %w", ns.GetSubnetId(), err)
		}
	}
	return out, nil
}

// planeDHCP converts a VPC's DHCP option set for the data plane.
func planeDHCP(o *agentv1.NetDhcpOptions) (*netplane.DHCPOptions, error) {
	out := &netplane.DHCPOptions{DomainName: o.GetDomainName(), NetBIOSNodeType: int(o.GetNetbiosNodeType())}
	for _, l := range []struct {
		in  []string
		out *[]netip.Addr
	}{{o.GetDomainNameServers(), &out.DNSServers}, {o.GetNtpServers(), &out.NTPServers}, {o.GetNetbiosNameServers(), &out.NetBIOSServers}} {
		for _, v := range l.in {
			a, err := netip.ParseAddr(v)
			if err != nil {
				return nil, err
			}
			*l.out = append(*l.out, a)
		}
	}
	return out, nil
}

// dnsAddrsOf are the DNS addresses the subnets' bridges must answer on.
func dnsAddrsOf(p *netplane.Plane, subnets []netplane.Subnet) map[dnsAddr]bool {
	out := map[dnsAddr]bool{}
	for _, s := range subnets {
		for _, a := range p.DNSAddrs(s) {
			out[dnsAddr{p.BridgeName(s.ID), a}] = true
		}
	}
	return out
}

// stopDNSExcept stops the listeners not in keep; called before the data
// plane removes their bridges or addresses.
func (a *Agent) stopDNSExcept(keep map[dnsAddr]bool) {
	a.dns.serveMu.Lock()
	var stop []*bridgeListener
	for k, s := range a.dns.servers {
		if !keep[k] {
			stop = append(stop, s)
			delete(a.dns.servers, k)
			a.log.Info("dns server stopped", "bridge", k.bridge, "addr", k.addr)
		}
	}
	a.dns.serveMu.Unlock()
	for _, s := range stop {
		s.stop()
	}
}

// serveDNS makes sure every address in want has a listener bound to its
// bridge; called after the data plane gave the bridges those addresses. A
// failing one does not stop the others.
func (a *Agent) serveDNS(ctx context.Context, want map[dnsAddr]bool) error {
	a.dns.serveMu.Lock()
	defer a.dns.serveMu.Unlock()
	if a.dns.servers == nil {
		a.dns.servers = map[dnsAddr]*bridgeListener{}
	}
	var errs []error
	for k := range want {
		var ifi *net.Interface
		err := a.inDataPlaneNS(func() (err error) { ifi, err = net.InterfaceByName(k.bridge); return err })
		if err != nil {
			errs = append(errs, fmt.Errorf("dns server on %s: %w", k.bridge, err))
			continue
		}
		if s := a.dns.servers[k]; s != nil {
			if s.ifindex == ifi.Index && s.alive() {
				continue
			}
			s.stop() // the bridge was recreated, or serving failed
			delete(a.dns.servers, k)
		}
		s, err := a.listenDNS(ctx, k, ifi.Index)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a.dns.servers[k] = s
	}
	return errors.Join(errs...)
}

// listenDNS opens k's sockets synchronously (a missing address is the
// caller's error) and serves them until stopped.
func (a *Agent) listenDNS(ctx context.Context, k dnsAddr, ifindex int) (*bridgeListener, error) {
	var l *vpcdns.Listener
	err := a.inDataPlaneNS(func() (err error) {
		l, err = vpcdns.Listen(ctx, netip.AddrPortFrom(k.addr, vpcdns.Port), k.bridge)
		return err
	})
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &bridgeListener{ifindex: ifindex, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := l.Serve(sctx, vpcdns.Handler(a.dns.lookupOn(k.bridge)), a.log); err != nil {
			a.log.Warn("dns server failed", "bridge", k.bridge, "addr", k.addr, "err", err)
		}
	}()
	a.log.Info("dns server started", "bridge", k.bridge, "addr", k.addr)
	return s, nil
}
