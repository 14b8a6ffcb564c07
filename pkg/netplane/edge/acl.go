package edge

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/google/nftables/expr"
)

// ACL is a subnet's network ACL as the edge enforces it on the flows
// routed into (Ingress) and out of (Egress) the subnet's bridge through
// the uplink: stateless, every packet (replies too) checked against the
// rules in Number order, the first match deciding, no match dropped.
// Bridged traffic within the subnet never crosses it, as in EC2.
type ACL struct {
	Ingress, Egress []ACLRule
}

// ACLRule is one network ACL entry.
type ACLRule struct {
	Number int
	Allow  bool
	// Protocol is the IP protocol number; -1 matches all.
	Protocol int
	// CIDR is the peer range: the source for ingress, the destination for
	// egress.
	CIDR netip.Prefix
	// PortFrom..PortTo bound the destination port of TCP (6) and UDP (17).
	PortFrom, PortTo int
	// ICMPType and ICMPCode match ICMP (1); -1 matches any.
	ICMPType, ICMPCode int
}

// aclChains are the regular chains of b's ACL ("acl_in_<bridge>",
// "acl_out_<bridge>"): an allow returns to the routed chain, a deny or
// the end drops.
func aclChains(b Bridge) []chain {
	if b.ACL == nil || !b.routes() {
		return nil
	}
	return []chain{
		{name: aclChain(b, false), rules: aclRules(b.ACL.Ingress, false)},
		{name: aclChain(b, true), rules: aclRules(b.ACL.Egress, true)},
	}
}

func aclChain(b Bridge, egress bool) string {
	if egress {
		return "acl_out_" + b.Name
	}
	return "acl_in_" + b.Name
}

func aclRules(entries []ACLRule, egress bool) []rule {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b ACLRule) int { return cmp.Compare(a.Number, b.Number) })
	var rs []rule
	for _, e := range sorted {
		r := rule{peerIn(e.CIDR, egress)}
		if e.Protocol >= 0 {
			r = append(r, l4proto(uint8(e.Protocol)))
		}
		switch e.Protocol {
		case 6, 17:
			r = append(r, dportRange(e.PortFrom, e.PortTo))
		case 1:
			if e.ICMPType >= 0 {
				r = append(r, transportByte("icmp type", 0, e.ICMPType))
			}
			if e.ICMPCode >= 0 {
				r = append(r, transportByte("icmp code", 1, e.ICMPCode))
			}
		}
		if e.Allow {
			r = append(r, verdictFrag("return", expr.VerdictReturn))
		} else {
			r = append(r, drop())
		}
		rs = append(rs, r)
	}
	return append(rs, rule{drop()})
}

// validateACL checks an ACL's entries.
func validateACL(b Bridge) []error {
	if b.ACL == nil {
		return nil
	}
	var errs []error
	for _, e := range append(slices.Clone(b.ACL.Ingress), b.ACL.Egress...) {
		switch {
		case !e.CIDR.IsValid() || !e.CIDR.Addr().Is4():
			errs = append(errs, fmt.Errorf("bridge %s: ACL rule %d: want an IPv4 CIDR, have %s", b.Name, e.Number, e.CIDR))
		case e.Protocol < -1 || e.Protocol > 255:
			errs = append(errs, fmt.Errorf("bridge %s: ACL rule %d: protocol %d", b.Name, e.Number, e.Protocol))
		case (e.Protocol == 6 || e.Protocol == 17) && (e.PortFrom < 0 || e.PortTo > 65535 || e.PortFrom > e.PortTo):
			errs = append(errs, fmt.Errorf("bridge %s: ACL rule %d: ports %d-%d", b.Name, e.Number, e.PortFrom, e.PortTo))
		case e.Protocol == 1 && (e.ICMPType > 255 || e.ICMPCode > 255):
			errs = append(errs, fmt.Errorf("bridge %s: ACL rule %d: ICMP type %d code %d", b.Name, e.Number, e.ICMPType, e.ICMPCode))
		}
	}
	return errs
}
