package netplane

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/ec2lab/ec2lab/pkg/netplane/edge"
)

// oneToOne are the 1:1 NATs of subnet s's NICs on this host that have an
// Elastic IP, when the Plane has a public uplink (none otherwise).
func (p *Plane) oneToOne(s Subnet) []edge.OneToOne {
	if p.cfg.PublicUplink == "" {
		return nil
	}
	var out []edge.OneToOne
	for _, n := range s.NICs {
		if n.PublicIP.IsValid() && p.local(n) {
			out = append(out, edge.OneToOne{Private: n.IP, Public: n.PublicIP})
		}
	}
	return out
}

// natGateway is the address of the NAT gateway subnet s routes to on this
// host, when the Plane has a public uplink (invalid otherwise).
func (p *Plane) natGateway(s Subnet) netip.Addr {
	if p.cfg.PublicUplink == "" {
		return netip.Addr{}
	}
	return s.NATGateway
}

// routesOut tells whether bridge b routes any flow out of the uplink
// (NAT egress, a NAT gateway or a 1:1 NAT).
func routesOut(b edge.Bridge) bool {
	return b.NAT || b.NATGateway.IsValid() || len(b.OneToOne) > 0
}

// publicAddrs are the public addresses of bridges' 1:1 NATs and NAT
// gateways, sorted, each once.
func publicAddrs(bridges []edge.Bridge) []netip.Addr {
	var out []netip.Addr
	for _, b := range bridges {
		for _, o := range b.OneToOne {
			out = append(out, o.Public)
		}
		if b.NATGateway.IsValid() {
			out = append(out, b.NATGateway)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// publicLabel marks the uplink addresses this Plane owns.
func (p *Plane) publicLabel() string { return p.cfg.PublicUplink + ":" + p.cfg.Prefix }

// ownPublicAddr tells whether a is a public address this Plane added: its
// label is <some link>:<prefix>, also on an uplink no longer configured.
func (p *Plane) ownPublicAddr(a netlink.Addr) bool {
	ones, bits := a.Mask.Size()
	return ones == 32 && bits == 32 && strings.HasSuffix(a.Label, ":"+p.cfg.Prefix) && len(a.Label) > len(p.cfg.Prefix)+1
}

// syncPublicAddrs makes this Plane's /32 addresses exactly want, on the
// public uplink (the host answers ARP for them there; the edge table NATs
// them to their guests and drops the rest): it removes the others, on any
// link (an uplink since renamed or turned off included), with their
// connections, and, when add is set, adds the missing ones and announces
// each with a gratuitous ARP, so the LAN's neighbour caches follow an
// address that moved from another host at once.
func (p *Plane) syncPublicAddrs(want []netip.Addr, add bool) error {
	have, err := p.nl.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("list addresses: %w", err)
	}
	var uplink netlink.Link
	if p.cfg.PublicUplink != "" {
		if uplink, err = p.nl.LinkByName(p.cfg.PublicUplink); err != nil {
			return fmt.Errorf("public uplink %s: %w", p.cfg.PublicUplink, err)
		}
	}
	var errs []error
	held := map[netip.Addr]bool{}
	for _, a := range have {
		if !p.ownPublicAddr(a) {
			continue
		}
		ip, _ := netip.AddrFromSlice(a.IP.To4())
		if uplink != nil && a.LinkIndex == uplink.Attrs().Index && a.Label == p.publicLabel() && slices.Contains(want, ip) {
			held[ip] = true
			continue
		}
		errs = append(errs, p.removePublicAddr(a, ip))
	}
	if !add || uplink == nil {
		return errors.Join(errs...)
	}
	for _, ip := range want {
		if held[ip] {
			continue
		}
		a := &netlink.Addr{IPNet: &net.IPNet{IP: ip.AsSlice(), Mask: net.CIDRMask(32, 32)}, Label: p.publicLabel()}
		if err := p.nl.AddrAdd(uplink, a); err != nil {
			errs = append(errs, fmt.Errorf("add %s to %s: %w", ip, p.cfg.PublicUplink, err))
			continue
		}
		p.log.Info("public address added", "address", ip, "uplink", p.cfg.PublicUplink)
		if err := p.announce(uplink, ip); err != nil {
			p.log.Warn("gratuitous ARP failed", "address", ip, "err", err)
		}
	}
	return errors.Join(errs...)
}

// HeldPublicAddrs are the public addresses this Plane holds on its public
// uplink now, sorted (none without an uplink). A restarting agent keeps
// only these from its saved network: an address that is gone (the host
// rebooted) waits for the controller to confirm it is still this host's.
func (p *Plane) HeldPublicAddrs() ([]netip.Addr, error) {
	if p.cfg.PublicUplink == "" {
		return nil, nil
	}
	uplink, err := p.nl.LinkByName(p.cfg.PublicUplink)
	if err != nil {
		return nil, fmt.Errorf("public uplink %s: %w", p.cfg.PublicUplink, err)
	}
	have, err := p.nl.AddrList(uplink, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list addresses of %s: %w", p.cfg.PublicUplink, err)
	}
	var out []netip.Addr
	for _, a := range have {
		if p.ownPublicAddr(a) && a.Label == p.publicLabel() {
			ip, _ := netip.AddrFromSlice(a.IP.To4())
			out = append(out, ip)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out, nil
}

// removePublicAddr deletes one of the Plane's public addresses and the
// connections through it (both ways: to it, and the guest's flows NATed
// to it), so no established flow outlives its address: it may come back
// for another instance.
func (p *Plane) removePublicAddr(a netlink.Addr, ip netip.Addr) error {
	link, err := p.nl.LinkByIndex(a.LinkIndex)
	if err != nil {
		return fmt.Errorf("link of %s: %w", ip, err)
	}
	if err := p.nl.AddrDel(link, &a); err != nil {
		return fmt.Errorf("remove %s from %s: %w", ip, link.Attrs().Name, err)
	}
	p.log.Info("public address removed", "address", ip, "link", link.Attrs().Name)
	to, from := &netlink.ConntrackFilter{}, &netlink.ConntrackFilter{}
	if err := to.AddIP(netlink.ConntrackOrigDstIP, ip.AsSlice()); err != nil {
		return err
	}
	if err := from.AddIP(netlink.ConntrackReplyDstIP, ip.AsSlice()); err != nil {
		return err
	}
	if _, err := p.nl.ConntrackDeleteFilters(netlink.ConntrackTable, unix.AF_INET, to, from); err != nil {
		return fmt.Errorf("forget connections of %s: %w", ip, err)
	}
	return nil
}

// announce broadcasts a gratuitous ARP request for ip from link's MAC.
func (p *Plane) announce(link netlink.Link, ip netip.Addr) error {
	mac := link.Attrs().HardwareAddr
	if len(mac) != 6 {
		return fmt.Errorf("%s has no Ethernet address", link.Attrs().Name)
	}
	frame := garpFrame(mac, ip)
	return p.InNetNS(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ARP)))
		if err != nil {
			return fmt.Errorf("packet socket: %w", err)
		}
		defer unix.Close(fd)
		to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: link.Attrs().Index, Halen: 6}
		copy(to.Addr[:], broadcastMAC)
		return unix.Sendto(fd, frame, 0, to)
	})
}

var broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// garpFrame is an Ethernet broadcast ARP request in which sender and target
// are both ip (RFC 5227's announcement).
func garpFrame(mac net.HardwareAddr, ip netip.Addr) []byte {
	a := ip.As4()
	f := append([]byte{}, broadcastMAC...)
	f = append(f, mac...)
	f = append(f, 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1) // ARP, Ethernet/IPv4, request
	f = append(f, mac...)
	f = append(f, a[:]...)
	f = append(f, 0, 0, 0, 0, 0, 0)
	return append(f, a[:]...)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
