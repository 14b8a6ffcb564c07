package controller

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// ACLEntrySpec is what CreateNetworkACLEntry and ReplaceNetworkACLEntry
// ask for. The ports and the ICMP type and code are pointers: absent is not
// zero.
type ACLEntrySpec struct {
	NetworkACLID string
	RuleNumber   int
	// Protocol is -1, a protocol number (0-255) or one of the names EC2's
	// clients take (all, tcp, udp, icmp, icmpv6); the entry keeps the number.
	Protocol   string
	RuleAction string
	Egress     bool
	CIDR       string
	// IPv6CIDR is refused: ec2lab networks are IPv4 only.
	IPv6CIDR           string
	PortFrom, PortTo   *int
	IcmpType, IcmpCode *int
}

// aclProtocolNames are the protocol names accepted for their numbers.
var aclProtocolNames = map[string]string{"all": ACLAllProtocol, "tcp": ACLProtocolTCP, "udp": ACLProtocolUDP,
	"icmp": ACLProtocolICMP, "icmpv6": "58"}

// entry validates a spec into the entry it makes: the protocol as its
// number, the CIDR block in canonical form, the ports only for tcp and udp,
// the ICMP type and code only for icmp.
func (sp ACLEntrySpec) entry() (ACLEntry, error) {
	if sp.RuleNumber < 1 || sp.RuleNumber >= ACLLastRule {
		return ACLEntry{}, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid value '%d' for ruleNumber. It must be an integer from 1 to %d.", sp.RuleNumber, ACLLastRule-1)
	}
	proto, err := aclProtocol(sp.Protocol)
	if err != nil {
		return ACLEntry{}, err
	}
	if sp.RuleAction != ACLAllow && sp.RuleAction != ACLDeny {
		return ACLEntry{}, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid value '%s' for ruleAction. It must be allow or deny.", sp.RuleAction)
	}
	if sp.IPv6CIDR != "" {
		return ACLEntry{}, ec2err.New(ec2err.UnsupportedOperation,
			"The parameter Ipv6CidrBlock is not supported: ec2lab networks are IPv4 only")
	}
	cidr, err := aclCIDR(sp.CIDR)
	if err != nil {
		return ACLEntry{}, err
	}
	e := ACLEntry{RuleNumber: sp.RuleNumber, Protocol: proto, RuleAction: sp.RuleAction, Egress: sp.Egress, CIDR: cidr}
	switch {
	case e.HasPorts():
		e.PortFrom, e.PortTo, err = aclPorts(sp.PortFrom, sp.PortTo)
	case e.HasIcmp():
		e.IcmpType, e.IcmpCode, err = aclIcmp(sp.IcmpType, sp.IcmpCode)
	}
	return e, err
}

// aclProtocol is the protocol number of p.
func aclProtocol(p string) (string, error) {
	if p == "" {
		return "", ec2err.New(ec2err.MissingParameter, "The request must contain the parameter protocol")
	}
	if n, ok := aclProtocolNames[strings.ToLower(p)]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < -1 || n > 255 {
		return "", ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for IP protocol. Unknown protocol.", p)
	}
	return strconv.Itoa(n), nil
}

// aclCIDR is an IPv4 CIDR block in canonical form (host bits cleared).
func aclCIDR(c string) (string, error) {
	if c == "" {
		return "", ec2err.New(ec2err.MissingParameter, "The request must contain the parameter cidrBlock")
	}
	p, err := netip.ParsePrefix(c)
	if err != nil || !p.Addr().Is4() {
		return "", ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", c)
	}
	return p.Masked().String(), nil
}

// aclPorts checks a tcp or udp entry's port range.
func aclPorts(from, to *int) (int, int, error) {
	if from == nil {
		return 0, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter portRange.from")
	}
	if to == nil {
		return 0, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter portRange.to")
	}
	if *from < 0 || *to > 65535 || *from > *to {
		return 0, 0, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid port range %d-%d: ports are 0 to 65535, from no greater than to.", *from, *to)
	}
	return *from, *to, nil
}

// aclIcmp checks an icmp entry's type and code (-1: any).
func aclIcmp(typ, code *int) (int, int, error) {
	if typ == nil {
		return 0, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter icmpTypeCode.type")
	}
	if code == nil {
		return 0, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter icmpTypeCode.code")
	}
	for _, v := range []int{*typ, *code} {
		if v < -1 || v > 255 {
			return 0, 0, ec2err.New(ec2err.InvalidParameterValue, "Invalid ICMP type or code %d: it must be -1 to 255.", v)
		}
	}
	return *typ, *code, nil
}

// CreateNetworkACLEntry adds an entry to a network ACL; its number must be
// free in its direction.
func (s *Service) CreateNetworkACLEntry(ctx context.Context, sp ACLEntrySpec, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	return s.editACLEntries(ctx, sp.NetworkACLID, dryRun, sp.entry, func(entries []ACLEntry, e ACLEntry) ([]ACLEntry, error) {
		if i := aclEntryIndex(entries, e.RuleNumber, e.Egress); i >= 0 {
			return nil, ec2err.New(ec2err.NetworkACLEntryAlreadyExists,
				"The network acl entry identified by %d already exists.", e.RuleNumber)
		}
		entries = append(entries, e)
		// Checked again inside the revision-checked update, so the count
		// cannot race.
		return entries, s.checkQuota(acct, QuotaACLRules, aclRulesIn(entries, e.Egress))
	})
}

// aclRulesIn counts the entries of one direction that count against the
// rules quota: all but the catch-all deny.
func aclRulesIn(entries []ACLEntry, egress bool) int64 {
	var n int64
	for _, e := range entries {
		if e.Egress == egress && e.RuleNumber != ACLLastRule {
			n++
		}
	}
	return n
}

// ReplaceNetworkACLEntry replaces the entry of a network ACL with the
// spec's number and direction.
func (s *Service) ReplaceNetworkACLEntry(ctx context.Context, sp ACLEntrySpec, dryRun bool) error {
	return s.editACLEntries(ctx, sp.NetworkACLID, dryRun, sp.entry, func(entries []ACLEntry, e ACLEntry) ([]ACLEntry, error) {
		i := aclEntryIndex(entries, e.RuleNumber, e.Egress)
		if i < 0 {
			return nil, aclEntryNotFound(e.RuleNumber)
		}
		entries[i] = e
		return entries, nil
	})
}

// DeleteNetworkACLEntry removes the entry numbered rule in the direction
// egress says.
func (s *Service) DeleteNetworkACLEntry(ctx context.Context, aclID string, rule int, egress bool, dryRun bool) error {
	key := func() (ACLEntry, error) {
		if rule < 1 || rule >= ACLLastRule {
			return ACLEntry{}, ec2err.New(ec2err.InvalidParameterValue,
				"Invalid value '%d' for ruleNumber. It must be an integer from 1 to %d.", rule, ACLLastRule-1)
		}
		return ACLEntry{RuleNumber: rule, Egress: egress}, nil
	}
	return s.editACLEntries(ctx, aclID, dryRun, key, func(entries []ACLEntry, e ACLEntry) ([]ACLEntry, error) {
		i := aclEntryIndex(entries, e.RuleNumber, e.Egress)
		if i < 0 {
			return nil, aclEntryNotFound(e.RuleNumber)
		}
		return append(entries[:i], entries[i+1:]...), nil
	})
}

// editACLEntries checks the caller's ACL and the entry, then rewrites the
// ACL's entries with edit (which sees them afresh on each retry), kept in
// EC2's order.
func (s *Service) editACLEntries(ctx context.Context, aclID string, dryRun bool, entry func() (ACLEntry, error),
	edit func([]ACLEntry, ACLEntry) ([]ACLEntry, error)) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	acl, _, err := s.ownNetworkACL(ctx, acct, aclID)
	if err != nil {
		return err
	}
	e, err := entry()
	if err != nil {
		return err
	}
	if _, err := edit(append([]ACLEntry(nil), acl.Entries...), e); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixNetworkACL+acl.ID, func(r *NetworkACL) error {
		entries, err := edit(r.Entries, e)
		r.Entries = sortedACLEntries(entries)
		return err
	})
	if err != nil {
		return fmt.Errorf("edit entries of %s: %w", acl.ID, err)
	}
	s.log.Info("network acl entries changed", "acl", acl.ID, "rule", e.RuleNumber, "egress", e.Egress, "account", acct)
	return nil
}

func aclEntryNotFound(rule int) error {
	return ec2err.New(ec2err.InvalidNetworkACLEntryNotFound, "The network acl entry identified by %d could not be found.", rule)
}

// aclEntryIndex is the index of the entry numbered rule in one direction;
// -1 when there is none.
func aclEntryIndex(entries []ACLEntry, rule int, egress bool) int {
	for i, e := range entries {
		if e.RuleNumber == rule && e.Egress == egress {
			return i
		}
	}
	return -1
}

// sortedACLEntries orders entries as the records keep them: egress first,
// then ingress, each by rule number.
func sortedACLEntries(entries []ACLEntry) []ACLEntry {
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].Egress != entries[j].Egress {
			return entries[i].Egress
		}
		return entries[i].RuleNumber < entries[j].RuleNumber
	})
	return entries
}
