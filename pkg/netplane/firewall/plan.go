package firewall

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// maxPorts is how many ports fit the 12-bit port IDs carried in the mark.
const maxPorts = 0xfff

// match is one compiled permission: a packet of family (v6 or not) and
// protocol whose peer address is in prefix or in the named member set.
type match struct {
	v6    bool
	proto uint8 // protoAll = any
	// lo..hi is the destination port range (tcp/udp, 0..65535 = any) or,
	// for icmp, lo is the type and hi the code (-1 = any).
	lo, hi int
	prefix netip.Prefix // valid when the peer is a CIDR
	set    string       // member set name when the peer is a group
}

// portPlan is what one port's chains enforce.
type portPlan struct {
	Port
	id      uint32 // 1..maxPorts, carried in the packet mark
	mac     net.HardwareAddr
	ingress []match
	egress  []match
}

// memberSet is a named set of group member addresses of one family.
type memberSet struct {
	name  string
	v6    bool
	addrs []netip.Addr
}

// plan is the whole compiled firewall.
type plan struct {
	ports []portPlan
	sets  []memberSet
}

// compile validates d and turns it into a plan with ports sorted by tap.
func compile(d Desired) (plan, error) {
	groups := make(map[string]Group, len(d.Groups))
	for _, g := range d.Groups {
		groups[g.ID] = g
	}
	ports := slices.Clone(d.Ports)
	slices.SortFunc(ports, func(a, b Port) int { return strings.Compare(a.Tap, b.Tap) })
	if len(ports) > maxPorts {
		return plan{}, fmt.Errorf("%d ports exceed the limit of %d", len(ports), maxPorts)
	}
	c := compiler{members: d.Members, sets: map[string]int{}}
	var p plan
	for i, port := range ports {
		if port.Tap == "" || len(port.Tap) > 15 {
			return plan{}, fmt.Errorf("port %d: invalid tap name %q", i, port.Tap)
		}
		if i > 0 && ports[i-1].Tap == port.Tap {
			return plan{}, fmt.Errorf("port %s listed twice", port.Tap)
		}
		pp := portPlan{Port: port, id: uint32(i + 1)}
		if port.MAC != "" {
			var err error
			if pp.mac, err = net.ParseMAC(port.MAC); err != nil || len(pp.mac) != 6 {
				return plan{}, fmt.Errorf("port %s: invalid MAC %q", port.Tap, port.MAC)
			}
		}
		for _, id := range port.Groups {
			g, ok := groups[id]
			if !ok {
				slog.Warn("firewall: port names an unknown group; it allows nothing", "tap", port.Tap, "group", id)
				continue
			}
			var err error
			if pp.ingress, err = c.rules(pp.ingress, g.Ingress); err != nil {
				return plan{}, fmt.Errorf("group %s ingress: %w", id, err)
			}
			if pp.egress, err = c.rules(pp.egress, g.Egress); err != nil {
				return plan{}, fmt.Errorf("group %s egress: %w", id, err)
			}
		}
		p.ports = append(p.ports, pp)
	}
	p.sets = c.out
	return p, nil
}

// compiler expands rules into matches, creating member sets on demand.
type compiler struct {
	members map[string][]netip.Addr
	sets    map[string]int // set name → index in out
	out     []memberSet
}

// rules appends the matches of rs to ms, skipping duplicates.
func (c *compiler) rules(ms []match, rs []Rule) ([]match, error) {
	for _, r := range rs {
		proto, err := protoNumber(r.Protocol)
		if err != nil {
			return nil, err
		}
		if err := r.validate(proto); err != nil {
			return nil, err
		}
		lo, hi := r.FromPort, r.ToPort
		switch {
		case (proto == protoTCP || proto == protoUDP) && lo == -1:
			lo, hi = 0, 65535
		case proto != protoTCP && proto != protoUDP && proto != protoICMP && proto != protoICMPv6:
			lo, hi = 0, 0 // ports mean nothing here; normalized for deduplication
		}
		base := match{proto: proto, lo: lo, hi: hi}
		for _, cidr := range r.CIDRs {
			m := base
			m.prefix, m.v6 = cidr.Masked(), cidr.Addr().Is6()
			ms = appendMatch(ms, m)
		}
		for _, g := range r.SourceGroups {
			for _, v6 := range []bool{false, true} {
				if name := c.set(g, v6); name != "" {
					m := base
					m.set, m.v6 = name, v6
					ms = appendMatch(ms, m)
				}
			}
		}
	}
	return ms, nil
}

// set returns the name of group g's member set of one family, or "" when
// the group has no members of that family.
func (c *compiler) set(g string, v6 bool) string {
	var addrs []netip.Addr
	for _, a := range c.members[g] {
		if a = a.Unmap(); a.Is6() == v6 {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return ""
	}
	name := fmt.Sprintf("m4_%s", g)
	if v6 {
		name = fmt.Sprintf("m6_%s", g)
	}
	if _, ok := c.sets[name]; !ok {
		slices.SortFunc(addrs, netip.Addr.Compare)
		c.sets[name] = len(c.out)
		c.out = append(c.out, memberSet{name: name, v6: v6, addrs: slices.Compact(addrs)})
	}
	return name
}

// appendMatch appends m unless it is already there or cannot match
// (icmp with an IPv6 peer, icmpv6 with an IPv4 peer).
func appendMatch(ms []match, m match) []match {
	if (m.proto == protoICMP && m.v6) || (m.proto == protoICMPv6 && !m.v6) {
		return ms
	}
	if slices.Contains(ms, m) {
		return ms
	}
	return append(ms, m)
}
