package firewall

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// Packet mark layout on bridged frames: bits 0-11 carry the ID of the port
// the frame came in on, bits 12-23 the port it goes out on; the top byte is
// left to others.
const (
	markKeep = 0xff000000
	markIn   = 0x00000fff
	markOut  = 0x00fff000
)

// Chain names.
const (
	chainAntispoof = "antispoof" // bridge prerouting: source MAC per tap
	chainPortmark  = "portmark"  // bridge forward: marks in/out port IDs
	chainForward   = "forward"   // inet forward: conntrack + per-port dispatch
	chainRouted    = "routed"    // inet forward, first: routed flows (NAT, Elastic IPs) per port
)

// ruleset writes a plan into the two tables of one batch.
type ruleset struct {
	c      *nftables.Conn
	inet   *nftables.Table
	bridge *nftables.Table
	sets   map[string]*nftables.Set
	// devicePrefix scopes both tables to this Firewall's bridges and ports.
	devicePrefix string
}

func (rs *ruleset) rule(t *nftables.Table, ch *nftables.Chain, es ...[]expr.Any) {
	var all []expr.Any
	for _, e := range es {
		all = append(all, e...)
	}
	rs.c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: all})
}

func one(e expr.Any) []expr.Any { return []expr.Any{e} }

// baseChain adds (or keeps) an accept-policy base chain.
func (rs *ruleset) baseChain(t *nftables.Table, name string, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
	accept := nftables.ChainPolicyAccept
	return rs.c.AddChain(&nftables.Chain{Table: t, Name: name, Type: nftables.ChainTypeFilter,
		Hooknum: hook, Priority: prio, Policy: &accept})
}

// addSets adds the member sets.
func (rs *ruleset) addSets(sets []memberSet) error {
	for _, ms := range sets {
		s := &nftables.Set{Table: rs.inet, Name: ms.name, KeyType: nftables.TypeIPAddr}
		if ms.v6 {
			s.KeyType = nftables.TypeIP6Addr
		}
		elems := make([]nftables.SetElement, len(ms.addrs))
		for i, a := range ms.addrs {
			elems[i] = nftables.SetElement{Key: a.AsSlice()}
		}
		if err := rs.c.AddSet(s, elems); err != nil {
			return fmt.Errorf("set %s: %w", ms.name, err)
		}
		rs.sets[ms.name] = s
	}
	return nil
}

// bridgeRules marks every bridged frame with its ports' IDs and drops
// frames from a tap with a foreign source MAC or a VLAN tag, and IPv4
// packets and ARP messages with a foreign sender address. The prerouting hook sees frames
// for the host too, so a guest cannot pose as another one to the metadata
// service, which knows callers by bridge and source address, nor poison
// the host's neighbour table.
func (rs *ruleset) bridgeRules(ports []portPlan) {
	t := rs.bridge
	anti := rs.baseChain(t, chainAntispoof, nftables.ChainHookPrerouting, nftables.ChainPriorityFilter)
	mark := rs.baseChain(t, chainPortmark, nftables.ChainHookForward, nftables.ChainPriorityFilter)
	if rs.devicePrefix != "" { // a port of another agent's bridge
		rs.rule(t, mark, namePrefixNot(expr.MetaKeyIIFNAME, rs.devicePrefix), one(verdict(expr.VerdictAccept)))
	}
	rs.rule(t, mark, markSet(markKeep, 0))
	for _, p := range ports {
		if p.mac != nil {
			rs.rule(t, anti, ifname(true, p.Tap), etherSrcNot(p.mac), one(verdict(expr.VerdictDrop)))
		}
		// Guests have no VLANs; a tag (even VLAN 0, which Linux takes as
		// untagged) would hide a frame's type from the checks below.
		for _, tagged := range []int{ether8021Q, ether8021AD} {
			rs.rule(t, anti, ifname(true, p.Tap), etherType(tagged), one(verdict(expr.VerdictDrop)))
		}
		if p.IP.Is4() {
			if !p.AnySource {
				rs.rule(t, anti, ifname(true, p.Tap), senderIPv4Not(etherIPv4, p.IP), one(verdict(expr.VerdictDrop)))
			}
			rs.rule(t, anti, ifname(true, p.Tap), senderIPv4Not(etherARP, p.IP), one(verdict(expr.VerdictDrop)))
		}
		rs.rule(t, mark, ifname(true, p.Tap), markSet(0xffffffff, p.id))
		rs.rule(t, mark, ifname(false, p.Tap), markSet(0xffffffff, p.id<<12))
	}
}

// inetRules filters bridged IP traffic statefully by the marks.
func (rs *ruleset) inetRules(ports []portPlan) {
	t := rs.inet
	fwd := rs.baseChain(t, chainForward, nftables.ChainHookForward, nftables.ChainPriorityFilter)
	// Made with forward (base chains stay across rebuilds), filled last.
	routed := rs.baseChain(t, chainRouted, nftables.ChainHookForward, nftables.ChainPriorityRef(*nftables.ChainPriorityFilter-1))
	if rs.devicePrefix != "" { // bridged IP traffic comes in on the bridge (br_netfilter)
		rs.rule(t, fwd, namePrefixNot(expr.MetaKeyIIFNAME, rs.devicePrefix), one(verdict(expr.VerdictAccept)))
	}
	rs.rule(t, fwd, markIs(markIn|markOut, 0), one(verdict(expr.VerdictAccept)))
	rs.rule(t, fwd, ctState(expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED), one(verdict(expr.VerdictAccept)))
	rs.rule(t, fwd, ctState(expr.CtStateBitINVALID), one(verdict(expr.VerdictDrop)))
	// IPv6 neighbour discovery (types 133-136) is to IPv6 what ARP is to IPv4.
	rs.rule(t, fwd, l4proto(protoICMPv6), one(transport(0, 1)),
		one(&expr.Range{Op: expr.CmpOpEq, Register: 1, FromData: []byte{133}, ToData: []byte{136}}),
		one(verdict(expr.VerdictAccept)))
	for _, p := range ports {
		egress := rs.portChain(p, false) // chains before the rules jumping there
		rs.rule(t, fwd, markIs(markIn, p.id), one(jump(egress)))
	}
	for _, p := range ports {
		ingress := rs.portChain(p, true)
		rs.rule(t, fwd, markIs(markOut, p.id<<12), one(jump(ingress)))
	}
	rs.rule(t, fwd, one(verdict(expr.VerdictAccept)))
	rs.routedRules(routed, ports)
}

// routedRules hold the routed flows of ports (NAT egress out of the host's
// uplink, an Elastic IP's 1:1 NAT both ways) to their security groups:
// such a flow enters or leaves the port's bridge by routing, never by
// another port, so no port mark tells it. A new flow from outside to the
// port's address out of its bridge goes through the port's ingress chain;
// one from its address into the bridge and out elsewhere through its
// egress chain (both with the CIDR permissions only: routedPortChain).
// It runs before the forward chain, whose first rule lets what did not
// come from a bridge pass; its drops are final there too.
func (rs *ruleset) routedRules(ch *nftables.Chain, ports []portPlan) {
	t := rs.inet
	newFlow := ctState(expr.CtStateBitNEW)
	for _, p := range ports {
		if p.Bridge == "" || !p.IP.Is4() || rs.devicePrefix == "" {
			continue
		}
		in, out := rs.routedPortChain(p, true), rs.routedPortChain(p, false)
		rs.rule(t, ch, newFlow, namePrefixNot(expr.MetaKeyIIFNAME, rs.devicePrefix), ifname(false, p.Bridge),
			nfproto(false), one(addr(false, false)), one(cmpEq(p.IP.AsSlice())), one(jump(in)))
		rs.rule(t, ch, newFlow, ifname(true, p.Bridge), namePrefixNot(expr.MetaKeyOIFNAME, rs.devicePrefix),
			nfproto(false), one(addr(false, true)), one(cmpEq(p.IP.AsSlice())), one(jump(out)))
	}
}

// routedPortChain is portChain for a port's routed flows with only the
// CIDR permissions: a permission naming a security group matches its
// members' private addresses, which a flow through the uplink never
// legitimately carries (a LAN host posing as a member must not pass).
func (rs *ruleset) routedPortChain(p portPlan, ingress bool) string {
	name, ms, pass := "rout_"+p.Tap, p.egress, expr.VerdictReturn
	if ingress {
		name, ms, pass = "rin_"+p.Tap, p.ingress, expr.VerdictAccept
	}
	ch := rs.c.AddChain(&nftables.Chain{Table: rs.inet, Name: name})
	for _, m := range ms {
		if m.set == "" && !m.v6 {
			rs.rule(rs.inet, ch, rs.match(m, ingress), one(verdict(pass)))
		}
	}
	rs.rule(rs.inet, ch, one(verdict(expr.VerdictDrop)))
	return name
}

// portChain adds a port's ingress (traffic to the tap) or egress chain: a
// matching permission accepts (ingress) or returns to the forward chain
// for the receiver's check (egress); anything else is dropped.
func (rs *ruleset) portChain(p portPlan, ingress bool) string {
	name, ms, pass := "egress_"+p.Tap, p.egress, expr.VerdictReturn
	if ingress {
		name, ms, pass = "ingress_"+p.Tap, p.ingress, expr.VerdictAccept
	}
	ch := rs.c.AddChain(&nftables.Chain{Table: rs.inet, Name: name})
	if !ingress && p.IP.IsValid() && !p.AnySource {
		rs.rule(rs.inet, ch, nfproto(p.IP.Is6()), srcNot(p.IP), one(verdict(expr.VerdictDrop)))
	}
	for _, m := range ms {
		rs.rule(rs.inet, ch, rs.match(m, ingress), one(verdict(pass)))
	}
	rs.rule(rs.inet, ch, one(verdict(expr.VerdictDrop)))
	return name
}

// match builds the expressions of one permission; the peer is the source
// for ingress and the destination for egress.
func (rs *ruleset) match(m match, ingress bool) []expr.Any {
	es := nfproto(m.v6)
	if m.set != "" {
		es = append(es, inSet(m.v6, ingress, rs.sets[m.set])...)
	} else {
		es = append(es, inPrefix(m.v6, ingress, m.prefix)...)
	}
	switch m.proto {
	case protoAll:
	case protoTCP, protoUDP:
		es = append(append(es, l4proto(m.proto)...), ports(m.lo, m.hi)...)
	case protoICMP, protoICMPv6:
		es = append(append(es, l4proto(m.proto)...), icmpTypeCode(m.lo, m.hi)...)
	default:
		es = append(es, l4proto(m.proto)...)
	}
	return es
}
