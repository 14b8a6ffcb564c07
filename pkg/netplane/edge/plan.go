package edge

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/google/nftables"
)

// chain is one chain of the table and its rules: a base chain, or a
// regular one (hook nil) that rules jump to.
type chain struct {
	name  string
	typ   nftables.ChainType
	hook  *nftables.ChainHook
	hookN string // the hook's name, for String
	prio  int32
	rules []rule
}

// plan is the whole table.
type plan struct{ chains []chain }

var broadcast = netip.MustParseAddr("255.255.255.255")

// compile turns the bridges into the table's chains (bridges sorted by
// name, so the same input always gives the same rules).
func compile(cfg Config, bridges []Bridge) (plan, error) {
	if err := validate(cfg, bridges); err != nil {
		return plan{}, err
	}
	bs := slices.Clone(bridges)
	slices.SortFunc(bs, func(a, b Bridge) int { return strings.Compare(a.Name, b.Name) })
	zonesIn := chain{name: "zones_in", typ: nftables.ChainTypeFilter, hook: nftables.ChainHookPrerouting, hookN: "prerouting", prio: -300}
	zonesOut := chain{name: "zones_out", typ: nftables.ChainTypeFilter, hook: nftables.ChainHookOutput, hookN: "output", prio: -300}
	hostIn := chain{name: "host_in", typ: nftables.ChainTypeFilter, hook: nftables.ChainHookInput, hookN: "input", prio: 0}
	routed := chain{name: "routed", typ: nftables.ChainTypeFilter, hook: nftables.ChainHookForward, hookN: "forward", prio: -10}
	natMark := chain{name: "nat_mark", typ: nftables.ChainTypeFilter, hook: nftables.ChainHookPrerouting, hookN: "prerouting", prio: -150}
	natIn := chain{name: "nat_in", typ: nftables.ChainTypeNAT, hook: nftables.ChainHookPrerouting, hookN: "prerouting", prio: -100}
	natOut := chain{name: "nat_out", typ: nftables.ChainTypeNAT, hook: nftables.ChainHookPostrouting, hookN: "postrouting", prio: 100}
	// A NAT gateway's address is the host's only so that it answers ARP
	// for it: what is not a reply of its flows is dropped, never the host's.
	guarded := map[netip.Addr]bool{}
	for _, b := range bs {
		zonesIn.rules = append(zonesIn.rules, zoneInRules(cfg, b)...)
		if b.Zone != 0 {
			zonesOut.rules = append(zonesOut.rules, rule{oif(b.Name), ctZoneSet(b.Zone)})
		}
		hostIn.rules = append(hostIn.rules, hostRules(cfg, b)...)
		routed.rules = append(routed.rules, routedRules(cfg, b)...)
		if !b.routes() {
			continue
		}
		up, m := cfg.Uplink, Mark(b.Zone)
		for _, o := range b.OneToOne {
			// The address is the host's only so that it answers ARP for
			// it: what nat_in does not forward, or what comes in by
			// another interface, is dropped, never the host's.
			hostIn.rules = append(hostIn.rules, rule{daddr(o.Public), drop()})
			natMark.rules = append(natMark.rules, rule{iif(up), daddr(o.Public), ctMark(0), ctMarkSet(m)})
			natIn.rules = append(natIn.rules, rule{iif(up), daddr(o.Public), ctMark(m), dnat(o.Private)})
			natOut.rules = append(natOut.rules, rule{oif(up), ctMark(m), saddr(o.Private), snat(o.Public)})
		}
		natMark.rules = append(natMark.rules, rule{iif(up), ctMark(m), metaMarkSet(m)})
		switch {
		case b.NATGateway.IsValid():
			natOut.rules = append(natOut.rules, rule{oif(up), ctMark(m), snat(b.NATGateway)})
			if !guarded[b.NATGateway] { // several subnets may route to one gateway
				guarded[b.NATGateway] = true
				hostIn.rules = append(hostIn.rules, rule{daddr(b.NATGateway), drop()})
			}
		case b.NAT:
			natOut.rules = append(natOut.rules, rule{oif(up), ctMark(m), masquerade()})
		}
	}
	var acls []chain // regular chains first: rules jump to them
	for _, b := range bs {
		acls = append(acls, aclChains(b)...)
	}
	p := plan{chains: append(acls, zonesIn, zonesOut, hostIn, routed)}
	if len(natMark.rules) > 0 {
		p.chains = append(p.chains, natMark)
	}
	if len(natIn.rules) > 0 {
		p.chains = append(p.chains, natIn)
	}
	if len(natOut.rules) > 0 {
		p.chains = append(p.chains, natOut)
	}
	return p, nil
}

// zoneInRules put what enters bridge b in its zone and give what is sent
// to the gateway's MAC (for the host or to be routed) the bridge's Mark:
// fwmark_reflect carries it to the host's own answers (echo replies,
// resets, ICMP errors), which policy routing then sends back out of this
// bridge rather than another one with the same CIDR. Routed packets of a
// NAT bridge, and of the guests with a 1:1 NAT, stay in the default zone,
// where the packets from the uplink find them.
func zoneInRules(cfg Config, b Bridge) []rule {
	if b.Zone == 0 {
		return nil
	}
	in, zone, m := iif(b.Name), ctZoneSet(b.Zone), Mark(b.Zone)
	rs := []rule{{in, etherDaddr(b.GatewayMAC), metaMarkSet(m)}}
	if !b.routes() {
		return append(rs, rule{in, zone})
	}
	for _, a := range hostAddrs(cfg, b) {
		rs = append(rs, rule{in, daddr(a), zone, accept()})
	}
	if b.egress() {
		rs = append(rs, rule{in, metaMark(m), accept()})
	} else {
		for _, o := range b.OneToOne {
			rs = append(rs, rule{in, metaMark(m), saddr(o.Private), accept()})
		}
	}
	return append(rs, rule{in, zone})
}

// hostRules let guests reach only their bridge's gateway, the metadata
// address, the bridge's services and DHCP (broadcast) on the host.
func hostRules(cfg Config, b Bridge) []rule {
	in := iif(b.Name)
	var rs []rule
	for _, a := range hostAddrs(cfg, b) {
		rs = append(rs, rule{in, daddr(a), accept()})
	}
	return append(rs, rule{in, daddr(broadcast), accept()}, rule{in, drop()})
}

// hostAddrs are the host addresses guests of b may reach: its gateway,
// the metadata address and its services.
func hostAddrs(cfg Config, b Bridge) []netip.Addr {
	out := []netip.Addr{b.Gateway}
	if cfg.MetadataAddr.IsValid() {
		out = append(out, cfg.MetadataAddr)
	}
	return append(out, b.Services...)
}

// routedRules drop every routed packet into or out of bridge b (a routed
// packet from it carries its Mark, bridged frames never do) but a NAT
// bridge's flows out of the uplink, the flows of its guests' 1:1 NATs both
// ways and their replies, and accept bridged frames (left to the security
// groups). Accepted routed packets lose the mark, which only chose their
// route, before the security groups read their port marks. A flow from
// the uplink reaches a guest only when nat_mark gave it the bridge's
// conntrack mark: sent to one of its public addresses, or a reply.
func routedRules(cfg Config, b Bridge) []rule {
	in, out, m := iif(b.Name), oif(b.Name), Mark(b.Zone)
	var rs []rule
	if b.routes() {
		up := cfg.Uplink
		if b.ACL != nil {
			rs = append(rs, rule{iif(up), out, jump(aclChain(b, false))}, rule{in, oif(up), jump(aclChain(b, true))})
		}
		// A flow another bridge already claimed (same tuple from
		// another VPC) is not taken over: it falls to the drop below.
		if b.egress() {
			rs = append(rs, rule{in, oif(up), metaMark(m), peerIn(b.CIDR, false), ctStateNew(), ctMark(0), ctMarkSet(m), metaMarkSet(0), accept()})
		}
		for _, o := range b.OneToOne {
			if !b.egress() {
				rs = append(rs, rule{in, oif(up), metaMark(m), saddr(o.Private), ctStateNew(), ctMark(0), ctMarkSet(m), metaMarkSet(0), accept()})
			}
			rs = append(rs, rule{iif(up), out, ctMark(m), daddr(o.Private), metaMarkSet(0), accept()})
		}
		rs = append(rs,
			rule{in, oif(up), metaMark(m), ctMark(m), metaMarkSet(0), accept()},
			rule{iif(up), out, ctMark(m), ctEstablished(), metaMarkSet(0), accept()})
	}
	if b.Zone != 0 {
		rs = append(rs, rule{in, metaMark(m), drop()})
	}
	return append(rs, rule{in, out, accept()}, rule{in, drop()}, rule{out, drop()})
}

// String renders the plan as nft would list it (the unit tests' view).
func (p plan) String() string {
	var b strings.Builder
	for _, c := range p.chains {
		if c.hook == nil {
			fmt.Fprintf(&b, "chain %s {\n", c.name)
		} else {
			fmt.Fprintf(&b, "chain %s { type %s hook %s priority %d\n", c.name, c.typ, c.hookN, c.prio)
		}
		for _, r := range c.rules {
			fmt.Fprintf(&b, "\t%s\n", r)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// write queues the table's replacement on c: the table is added (so the
// delete cannot fail), deleted and built anew; the kernel commits the
// batch atomically.
func (p plan) write(c *nftables.Conn, name string) {
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: name}
	c.AddTable(t)
	c.DelTable(t)
	t = c.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: name})
	policy := nftables.ChainPolicyAccept
	for _, ch := range p.chains {
		nc := &nftables.Chain{Table: t, Name: ch.name}
		if ch.hook != nil {
			nc.Type, nc.Hooknum, nc.Priority, nc.Policy = ch.typ, ch.hook, nftables.ChainPriorityRef(nftables.ChainPriority(ch.prio)), &policy
		}
		nc = c.AddChain(nc)
		for _, r := range ch.rules {
			c.AddRule(&nftables.Rule{Table: t, Chain: nc, Exprs: r.exprs()})
		}
	}
}
