package netplane

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"

	"github.com/vishvananda/netlink"

	"github.com/ec2lab/ec2lab/pkg/netplane/edge"
)

// routeRulePref is the priority of the fwmark rules that send the host's
// answers to a bridge's guests (and NAT replies) out of that bridge,
// ahead of the main table (32766).
const routeRulePref = 9000

// bridgeRoute is the return route of one bridge: table edge.Mark(zone)
// holds only the subnet on the bridge and is chosen by the packet mark the
// edge table gives (and fwmark_reflect copies to the host's answers), so
// two bridges with one CIDR each get their own traffic back.
type bridgeRoute struct {
	zone uint16
	cidr netip.Prefix
	link netlink.Link
}

// routeZone tells whether table is a bridge return table, and whose.
func routeZone(table int) (uint16, bool) {
	z := uint16(table)
	return z, z != 0 && table == int(edge.Mark(z))
}

// reflectSysctls make the host's answers not tied to a socket (echo
// replies, resets, ICMP errors) carry the mark of what they answer.
var reflectSysctls = map[string]string{"ipv4/fwmark_reflect": "1"}

// syncRoutes makes this Plane's fwmark rules and return tables exactly
// want (by zone). Rules of zones recorded on another Plane's links are
// left alone; orphans (no link holds the zone) are removed.
func (p *Plane) syncRoutes(want map[uint16]bridgeRoute, used map[uint16]string) error {
	rules, err := p.nl.RuleList(netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("list rules: %w", err)
	}
	have := map[uint16]bool{}
	var errs []error
	for _, r := range rules {
		z, ok := routeZone(r.Table)
		if !ok || r.Priority != routeRulePref {
			continue
		}
		if _, wanted := want[z]; wanted && r.Mark == edge.Mark(z) {
			have[z] = true
			continue
		}
		if owner := used[z]; owner != "" && p.owned(owner) == 0 {
			continue // another Plane's
		}
		if err := p.nl.RuleDel(&r); err != nil {
			errs = append(errs, fmt.Errorf("remove rule %v: %w", r, err))
		}
		errs = append(errs, p.syncTable(r.Table, nil))
	}
	for _, z := range sortedZones(want) {
		br := want[z]
		if err := p.syncTable(int(edge.Mark(z)), &br); err != nil {
			errs = append(errs, err)
			continue
		}
		if !have[z] {
			errs = append(errs, p.addRouteRule(z))
		}
	}
	return errors.Join(errs...)
}

func (p *Plane) addRouteRule(z uint16) error {
	r := netlink.NewRule()
	mask := uint32(0xffffffff)
	r.Family, r.Priority, r.Table, r.Mark, r.Mask = netlink.FAMILY_V4, routeRulePref, int(edge.Mark(z)), edge.Mark(z), &mask
	if err := p.nl.RuleAdd(r); err != nil {
		return fmt.Errorf("add route rule for zone %d: %w", z, err)
	}
	return nil
}

// syncTable leaves table with only want's route (nothing when nil).
func (p *Plane) syncTable(table int, want *bridgeRoute) error {
	routes, err := p.nl.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: table}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return fmt.Errorf("list table %d: %w", table, err)
	}
	var dst *net.IPNet
	if want != nil {
		c := want.cidr.Masked()
		dst = &net.IPNet{IP: c.Addr().AsSlice(), Mask: net.CIDRMask(c.Bits(), 32)}
	}
	var errs []error
	found := false
	for _, r := range routes {
		if want != nil && r.Dst != nil && r.Dst.String() == dst.String() && r.LinkIndex == want.link.Attrs().Index {
			found = true
			continue
		}
		if err := p.nl.RouteDel(&r); err != nil {
			errs = append(errs, fmt.Errorf("remove route %v from table %d: %w", r.Dst, table, err))
		}
	}
	if want != nil && !found {
		rt := &netlink.Route{Table: table, LinkIndex: want.link.Attrs().Index, Scope: netlink.SCOPE_LINK, Dst: dst}
		if err := p.nl.RouteReplace(rt); err != nil {
			errs = append(errs, fmt.Errorf("route %s via %s in table %d: %w", dst, want.link.Attrs().Name, table, err))
		}
	}
	return errors.Join(errs...)
}

// routeZones lists the zones of this Plane's fwmark rules.
func (p *Plane) routeZones(used map[uint16]string) ([]uint16, error) {
	rules, err := p.nl.RuleList(netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	var out []uint16
	for _, r := range rules {
		if z, ok := routeZone(r.Table); ok && r.Priority == routeRulePref && (used[z] == "" || p.owned(used[z]) != 0) {
			out = append(out, z)
		}
	}
	return out, nil
}

func sortedZones(m map[uint16]bridgeRoute) []uint16 {
	out := make([]uint16, 0, len(m))
	for z := range m {
		out = append(out, z)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
