package controller

import (
	"context"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// The validation of a rule request's permissions: protocol and ports, and
// each peer (secgroup_rules.go).

// flatRules validates permissions into one rule per peer. Peers ec2lab
// never records (IPv6 ranges, prefix lists) are validated too and reported
// as foreign, the error authorize answers; revoke finds no such rule.
func (s *Service) flatRules(ctx context.Context, acct, vpcID string, perms []Permission) (rules []SGRule, foreign, err error) {
	if len(perms) == 0 {
		return nil, nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ipPermissions")
	}
	for _, p := range perms {
		base, err := ruleBase(p)
		if err != nil {
			return nil, nil, err
		}
		if len(p.IPRanges)+len(p.Groups)+len(p.IPv6Ranges)+len(p.PrefixListIDs) == 0 {
			return nil, nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ipRanges or groups")
		}
		for _, ipr := range p.IPRanges {
			r, err := cidrRule(base, ipr)
			if err != nil {
				return nil, nil, err
			}
			rules = append(rules, r)
		}
		for _, pair := range p.Groups {
			r, err := s.groupPeerRule(ctx, acct, vpcID, base, pair)
			if err != nil {
				return nil, nil, err
			}
			rules = append(rules, r)
		}
		if err := checkForeignPeers(p); err != nil {
			return nil, nil, err
		}
		if foreign == nil {
			foreign = foreignPeerError(p)
		}
	}
	return rules, foreign, nil
}

// cidrRule is base with an IPv4 CIDR peer.
func cidrRule(base SGRule, ipr IPRange) (SGRule, error) {
	pfx, err := netip.ParsePrefix(ipr.CIDR)
	if err != nil || !pfx.Addr().Is4() {
		return SGRule{}, ec2err.New(ec2err.InvalidParameterValue, "CIDR block %s is malformed", ipr.CIDR)
	}
	if err := checkRuleDescription(ipr.Description); err != nil {
		return SGRule{}, err
	}
	base.CIDR, base.Description = pfx.Masked().String(), ipr.Description
	return base, nil
}

// groupPeerRule is base with a group of the same VPC as its peer.
func (s *Service) groupPeerRule(ctx context.Context, acct, vpcID string, base SGRule, pair GroupPair) (SGRule, error) {
	if err := checkRuleDescription(pair.Description); err != nil {
		return SGRule{}, err
	}
	if pair.UserID != "" && pair.UserID != acct {
		return SGRule{}, ec2err.New(ec2err.UnsupportedOperation,
			"Security group rules cannot name groups of other accounts (%s/%s)", pair.UserID, pair.GroupID)
	}
	peer, _, err := s.ownGroup(ctx, acct, pair.GroupID)
	if err != nil {
		return SGRule{}, err
	}
	if peer.VpcID != vpcID {
		return SGRule{}, ec2err.New(ec2err.InvalidGroupNotFound, "You have specified two resources that belong to different networks.")
	}
	base.GroupID, base.Description = pair.GroupID, pair.Description
	return base, nil
}

// checkForeignPeers validates a permission's IPv6 ranges and prefix lists.
func checkForeignPeers(p Permission) error {
	for _, ipr := range p.IPv6Ranges {
		pfx, err := netip.ParsePrefix(ipr.CIDR)
		if err != nil || !pfx.Addr().Is6() || pfx.Addr().Is4In6() {
			return ec2err.New(ec2err.InvalidParameterValue, "CIDR block %s is malformed", ipr.CIDR)
		}
		if err := checkRuleDescription(ipr.Description); err != nil {
			return err
		}
	}
	for _, id := range p.PrefixListIDs {
		if id == "" {
			return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter prefixListId")
		}
	}
	return nil
}

// foreignPeerError is what authorize answers a permission naming an IPv6
// range or a prefix list (nil when it names none): the VPCs of ec2lab have
// no IPv6, and it has no prefix lists.
func foreignPeerError(p Permission) error {
	if len(p.IPv6Ranges) > 0 {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Invalid value '%s' for cidrIpv6: ec2lab VPCs have no IPv6, so security group rules cannot name IPv6 ranges",
			p.IPv6Ranges[0].CIDR)
	}
	if len(p.PrefixListIDs) > 0 {
		return ec2err.New(ec2err.UnsupportedOperation,
			"Prefix lists are not supported by ec2lab: security group rules cannot name %s", p.PrefixListIDs[0])
	}
	return nil
}

// ruleDescriptionChars are the characters EC2 allows in a rule description.
const ruleDescriptionChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789. _-:/()#,@[]+=&;{}!$*"

// checkRuleDescription holds a rule description to EC2's length and characters.
func checkRuleDescription(d string) error {
	bad := func(r rune) bool { return !strings.ContainsRune(ruleDescriptionChars, r) }
	if len(d) > 255 || strings.ContainsFunc(d, bad) {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  %s",
			ruleDescriptionChars)
	}
	return nil
}

// ruleBase normalises a permission's protocol and ports as EC2 stores them.
func ruleBase(p Permission) (SGRule, error) {
	proto := strings.ToLower(p.Protocol)
	switch proto {
	case "":
		return SGRule{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ipProtocol")
	case "all", "-1":
		return SGRule{Protocol: "-1", FromPort: -1, ToPort: -1}, nil
	case "6":
		proto = "tcp"
	case "17":
		proto = "udp"
	case "1":
		proto = "icmp"
	case "58":
		proto = "icmpv6"
	}
	r := SGRule{Protocol: proto, FromPort: p.FromPort, ToPort: p.ToPort}
	switch proto {
	case "tcp", "udp":
		if r.FromPort < 0 || r.ToPort > 65535 || r.FromPort > r.ToPort {
			return SGRule{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid port range %d-%d for %s", r.FromPort, r.ToPort, proto)
		}
	case "icmp", "icmpv6":
		if r.FromPort < -1 || r.FromPort > 255 || r.ToPort < -1 || r.ToPort > 255 {
			return SGRule{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid ICMP type/code %d/%d", r.FromPort, r.ToPort)
		}
	default:
		if n, err := strconv.Atoi(proto); err != nil || n < 0 || n > 255 {
			return SGRule{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for IP protocol.", p.Protocol)
		}
		r.FromPort, r.ToPort = -1, -1
	}
	return r, nil
}
