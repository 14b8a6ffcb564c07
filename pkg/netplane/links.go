package netplane

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/vishvananda/netlink"

	"github.com/ec2lab/ec2lab/pkg/network"
)

// addrGenModeNone keeps the kernel from giving a device an IPv6 link-local
// address (no router solicitations leaking onto the segment).
const addrGenModeNone = 1

// ensureBridge makes the subnet's bridge exist, up, with the deterministic
// gateway MAC (the same on every host, an anycast gateway over VXLAN) and
// exactly the gateway address. created reports a fresh bridge.
func (p *Plane) ensureBridge(s Subnet) (br netlink.Link, created bool, err error) {
	name := p.BridgeName(s.ID)
	mac := gatewayMAC(s.ID)
	br, err = p.nl.LinkByName(name)
	if err != nil && !isNotFound(err) {
		return nil, false, fmt.Errorf("bridge %s: %w", name, err)
	}
	if br == nil {
		attrs := netlink.NewLinkAttrs()
		attrs.Name, attrs.HardwareAddr = name, mac
		if err := p.nl.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
			return nil, false, fmt.Errorf("add bridge %s: %w", name, err)
		}
		if br, err = p.nl.LinkByName(name); err != nil {
			return nil, false, fmt.Errorf("bridge %s: %w", name, err)
		}
		created = true
		p.log.Info("bridge created", "bridge", name, "subnet", s.ID)
		_ = p.nl.LinkSetIP6AddrGenMode(br, addrGenModeNone) // best effort: IPv6 may be off
	} else if br.Type() != "bridge" {
		return nil, false, fmt.Errorf("%s exists and is a %s, not a bridge", name, br.Type())
	}
	if br.Attrs().HardwareAddr.String() != mac.String() {
		if err := p.nl.LinkSetHardwareAddr(br, mac); err != nil {
			return nil, false, fmt.Errorf("set %s mac: %w", name, err)
		}
	}
	if err := p.ensureAddr(br, s); err != nil {
		return nil, false, err
	}
	if err := p.nl.LinkSetUp(br); err != nil {
		return nil, false, fmt.Errorf("set %s up: %w", name, err)
	}
	return br, created, nil
}

// ensureAddr leaves exactly gateway/len and the subnet's service
// addresses as /32 (serviceAddrs) as the link's IPv4 addresses.
func (p *Plane) ensureAddr(link netlink.Link, s Subnet) error {
	want := []netip.Prefix{netip.PrefixFrom(network.Gateway(s.CIDR), s.CIDR.Bits())}
	for _, a := range p.serviceAddrs(s) {
		want = append(want, netip.PrefixFrom(a, 32))
	}
	addrs, err := p.nl.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("list addresses of %s: %w", link.Attrs().Name, err)
	}
	found := map[netip.Prefix]bool{}
	for _, a := range addrs {
		if have := toPrefix(a.IPNet); slices.Contains(want, have) {
			found[have] = true
			continue
		}
		if err := p.nl.AddrDel(link, &a); err != nil {
			return fmt.Errorf("remove %s from %s: %w", a.IPNet, link.Attrs().Name, err)
		}
	}
	for _, w := range want {
		if found[w] {
			continue
		}
		addr := &netlink.Addr{IPNet: &net.IPNet{IP: w.Addr().AsSlice(), Mask: net.CIDRMask(w.Bits(), 32)}}
		if err := p.nl.AddrAdd(link, addr); err != nil {
			return fmt.Errorf("add %s to %s: %w", w, link.Attrs().Name, err)
		}
	}
	return nil
}

// serviceAddrs are the host addresses of s's bridge besides its gateway:
// Config.MetadataAddr and the DNS server's (DNSAddrs).
func (p *Plane) serviceAddrs(s Subnet) []netip.Addr {
	var out []netip.Addr
	if m := p.cfg.MetadataAddr; m.IsValid() {
		out = append(out, m)
	}
	return append(out, p.DNSAddrs(s)...)
}

// DNSAddrs are the addresses of s's DNS server on its bridge:
// Config.DNSAddr and the server's own (none without a DNS server).
func (p *Plane) DNSAddrs(s Subnet) []netip.Addr {
	if s.DNS == nil {
		return nil
	}
	if d := p.cfg.DNSAddr; d.IsValid() {
		return []netip.Addr{d, s.DNS.Server}
	}
	return []netip.Addr{s.DNS.Server}
}

// ensureVXLAN makes the subnet's VXLAN device match (VNI, local VTEP, no
// learning) and enslaves it to br; it removes the device when the subnet
// has no VNI.
func (p *Plane) ensureVXLAN(s Subnet, br netlink.Link) (netlink.Link, error) {
	name := p.VXLANName(s.ID)
	cur, err := p.nl.LinkByName(name)
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("vxlan %s: %w", name, err)
	}
	if cur != nil && (s.VNI == 0 || !vxlanMatches(cur, s.VNI, p.cfg.VTEP)) {
		if err := p.nl.LinkDel(cur); err != nil {
			return nil, fmt.Errorf("remove vxlan %s: %w", name, err)
		}
		cur = nil
	}
	if s.VNI == 0 {
		return nil, nil
	}
	if !p.cfg.VTEP.IsValid() {
		return nil, fmt.Errorf("subnet %s has VNI %d but this host has no VTEP address", s.ID, s.VNI)
	}
	if cur == nil {
		if cur, err = p.addVXLAN(name, s.VNI); err != nil {
			return nil, err
		}
	}
	if cur.Attrs().MasterIndex != br.Attrs().Index {
		if err := p.nl.LinkSetMaster(cur, br); err != nil {
			return nil, fmt.Errorf("attach %s to %s: %w", name, br.Attrs().Name, err)
		}
	}
	if err := p.nl.LinkSetUp(cur); err != nil {
		return nil, fmt.Errorf("set %s up: %w", name, err)
	}
	return cur, nil
}

func (p *Plane) addVXLAN(name string, vni uint32) (netlink.Link, error) {
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MTU = name, p.cfg.UnderlayMTU-vxlanOverhead
	vx := &netlink.Vxlan{LinkAttrs: attrs, VxlanId: int(vni), SrcAddr: p.cfg.VTEP.AsSlice(), Port: VXLANPort, Learning: false}
	if err := p.nl.LinkAdd(vx); err != nil {
		return nil, fmt.Errorf("add vxlan %s (vni %d): %w", name, vni, err)
	}
	link, err := p.nl.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("vxlan %s: %w", name, err)
	}
	_ = p.nl.LinkSetIP6AddrGenMode(link, addrGenModeNone)
	p.log.Info("vxlan created", "vxlan", name, "vni", vni)
	return link, nil
}

func vxlanMatches(l netlink.Link, vni uint32, vtep netip.Addr) bool {
	vx, ok := l.(*netlink.Vxlan)
	if !ok {
		return false
	}
	src, _ := netip.AddrFromSlice(vx.SrcAddr)
	return vx.VxlanId == int(vni) && src.Unmap() == vtep && !vx.Learning && vx.Port == VXLANPort
}

// attachTaps puts the existing taps of the subnet's local NICs on br (they
// fall off when a bridge is recreated under a running guest).
func (p *Plane) attachTaps(s Subnet, br netlink.Link) error {
	var errs []error
	for _, nic := range s.NICs {
		if !p.local(nic) {
			continue
		}
		tap, err := p.nl.LinkByName(p.TapName(nic.InstanceID, nic.DeviceIndex))
		if err != nil || tap.Attrs().MasterIndex == br.Attrs().Index {
			continue // not started yet (libvirt creates it) or already there
		}
		if err := p.nl.LinkSetMaster(tap, br); err != nil {
			errs = append(errs, fmt.Errorf("attach tap %s: %w", tap.Attrs().Name, err))
		}
	}
	return errors.Join(errs...)
}

// gatewayMAC is the bridge's MAC: the same for a subnet on every host.
func gatewayMAC(subnetID string) net.HardwareAddr {
	return network.HashMAC("gateway/" + subnetID)
}

func toPrefix(n *net.IPNet) netip.Prefix {
	a, _ := netip.AddrFromSlice(n.IP)
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones)
}

func isNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf)
}
