package firewall

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Rule is one security group permission: traffic of Protocol to ports
// FromPort..ToPort from (ingress) or to (egress) any of CIDRs or the members
// of any of SourceGroups.
type Rule struct {
	// Protocol is "tcp", "udp", "icmp", "icmpv6", "-1" (all) or an IP
	// protocol number ("6", "17", ...), as in EC2's IpProtocol.
	Protocol string
	// FromPort and ToPort bound the destination port range for tcp and udp
	// (-1 or 0..65535 for all). For icmp/icmpv6 FromPort is the ICMP type
	// and ToPort the code, -1 meaning any.
	FromPort, ToPort int
	// CIDRs are the peer ranges (IPv4 or IPv6).
	CIDRs []netip.Prefix
	// SourceGroups are peer security group IDs; their members come from
	// Desired.Members. For egress rules they name destination groups.
	SourceGroups []string
}

// Group is a security group: its ID and its rules. A group without rules
// in a direction allows nothing in that direction.
type Group struct {
	ID      string
	Ingress []Rule
	Egress  []Rule
}

// Port is one instance network interface on this host.
type Port struct {
	// Tap is the bridge port's device name (the guest's tap).
	Tap string
	// IP is the interface's private address; when valid, IPv4 packets from
	// the tap with another source address are dropped.
	IP netip.Addr
	// MAC is the interface's address; when set, frames from the tap with
	// another source MAC are dropped.
	MAC string
	// Groups are the security group IDs of the interface.
	Groups []string
	// AnySource turns EC2's source/destination check off: IP packets from
	// the tap may carry any source address (a NAT or router instance
	// forwarding others' traffic). Its MAC and its ARP stay held to its own.
	AnySource bool
	// Bridge is the port's bridge: its flows routed through the host (NAT
	// egress, an Elastic IP) are matched by it and IP. Empty: routed
	// flows are not filtered (only bridged ones).
	Bridge string
}

// Desired is everything the host firewall enforces.
type Desired struct {
	Groups []Group
	Ports  []Port
	// Members maps a group ID to the private IPs of its members on all
	// hosts, for rules naming source groups.
	Members map[string][]netip.Addr
}

// AllTraffic is the egress rule every new EC2 group starts with.
func AllTraffic() []Rule {
	return []Rule{{Protocol: "-1", FromPort: -1, ToPort: -1,
		CIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}}}
}

// NewGroup returns a group as EC2 creates it: no ingress, all egress.
func NewGroup(id string) Group {
	return Group{ID: id, Egress: AllTraffic()}
}

// NewDefaultGroup returns a VPC's default group as EC2 creates it: ingress
// from its own members, all egress.
func NewDefaultGroup(id string) Group {
	g := NewGroup(id)
	g.Ingress = []Rule{{Protocol: "-1", FromPort: -1, ToPort: -1, SourceGroups: []string{id}}}
	return g
}

// protocol numbers.
const (
	protoAll    = 0
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// protoNumber maps an EC2 IpProtocol to an IP protocol number (0 = all).
func protoNumber(p string) (uint8, error) {
	switch strings.ToLower(p) {
	case "-1", "all":
		return protoAll, nil
	case "tcp":
		return protoTCP, nil
	case "udp":
		return protoUDP, nil
	case "icmp":
		return protoICMP, nil
	case "icmpv6":
		return protoICMPv6, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 255 {
		return 0, fmt.Errorf("invalid protocol %q", p)
	}
	return uint8(n), nil
}

// validate checks a rule's ports for its protocol.
func (r Rule) validate(proto uint8) error {
	switch proto {
	case protoTCP, protoUDP:
		if r.FromPort == -1 && r.ToPort == -1 {
			return nil
		}
		if r.FromPort < 0 || r.ToPort > 65535 || r.FromPort > r.ToPort {
			return fmt.Errorf("invalid port range %d-%d", r.FromPort, r.ToPort)
		}
	case protoICMP, protoICMPv6:
		if r.FromPort < -1 || r.FromPort > 255 || r.ToPort < -1 || r.ToPort > 255 {
			return fmt.Errorf("invalid icmp type/code %d/%d", r.FromPort, r.ToPort)
		}
	}
	return nil
}
