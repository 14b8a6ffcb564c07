package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// SGRule is one stored security group rule: a protocol and port range and
// exactly one peer, a CIDR or a group.
type SGRule struct {
	Protocol    string `json:"protocol"` // tcp, udp, icmp, icmpv6, -1 or a number
	FromPort    int32  `json:"from_port"`
	ToPort      int32  `json:"to_port"`
	CIDR        string `json:"cidr,omitempty"`
	GroupID     string `json:"group_id,omitempty"`
	Description string `json:"description,omitempty"`
}

// same reports whether two rules match the same traffic and peer.
func (r SGRule) same(o SGRule) bool {
	return r.Protocol == o.Protocol && r.FromPort == o.FromPort && r.ToPort == o.ToPort && r.CIDR == o.CIDR && r.GroupID == o.GroupID
}

// IPRange is a CIDR peer of a Permission.
type IPRange struct{ CIDR, Description string }

// Permission is EC2's IpPermission: a protocol and port range with its peers.
type Permission struct {
	Protocol         string
	FromPort, ToPort int32
	IPRanges         []IPRange
	GroupIDs         []string
}

// Permissions regroups flat rules by protocol and ports, in order.
func Permissions(rules []SGRule) []Permission {
	var out []Permission
	for _, r := range rules {
		i := 0
		for ; i < len(out); i++ {
			if out[i].Protocol == r.Protocol && out[i].FromPort == r.FromPort && out[i].ToPort == r.ToPort {
				break
			}
		}
		if i == len(out) {
			out = append(out, Permission{Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort})
		}
		if r.CIDR != "" {
			out[i].IPRanges = append(out[i].IPRanges, IPRange{CIDR: r.CIDR, Description: r.Description})
		} else {
			out[i].GroupIDs = append(out[i].GroupIDs, r.GroupID)
		}
	}
	return out
}

// AuthorizeSecurityGroup adds rules to a group's ingress (or egress).
func (s *Service) AuthorizeSecurityGroup(ctx context.Context, groupID string, egress bool, perms []Permission, dryRun bool) error {
	return s.editRules(ctx, groupID, egress, perms, dryRun, func(have []SGRule, add SGRule) ([]SGRule, error) {
		for _, r := range have {
			if r.same(add) {
				return nil, ec2err.New(ec2err.InvalidPermissionDuplicate,
					"the specified rule \"peer: %s, %s, ALLOW\" already exists", add.CIDR+add.GroupID, add.Protocol)
			}
		}
		return append(have, add), nil
	})
}

// RevokeSecurityGroup removes rules from a group's ingress (or egress).
func (s *Service) RevokeSecurityGroup(ctx context.Context, groupID string, egress bool, perms []Permission, dryRun bool) error {
	return s.editRules(ctx, groupID, egress, perms, dryRun, func(have []SGRule, del SGRule) ([]SGRule, error) {
		for i, r := range have {
			if r.same(del) {
				return append(have[:i:i], have[i+1:]...), nil
			}
		}
		return nil, ec2err.New(ec2err.InvalidPermissionNotFound,
			"The specified rule does not exist in this security group.")
	})
}

func (s *Service) editRules(ctx context.Context, groupID string, egress bool, perms []Permission, dryRun bool,
	edit func([]SGRule, SGRule) ([]SGRule, error)) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	g, _, err := s.ownGroup(ctx, acct, groupID)
	if err != nil {
		return err
	}
	rules, err := s.flatRules(ctx, acct, g.VpcID, perms)
	if err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixSecGroup+g.ID, func(r *SecurityGroup) error {
		list := &r.Ingress
		if egress {
			list = &r.Egress
		}
		for _, rule := range rules {
			if *list, err = edit(*list, rule); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("security group rules changed", "group", g.ID, "egress", egress, "rules", len(rules))
	s.firewallChanged(ctx)
	return nil
}

// flatRules validates permissions into one rule per peer.
func (s *Service) flatRules(ctx context.Context, acct, vpcID string, perms []Permission) ([]SGRule, error) {
	if len(perms) == 0 {
		return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ipPermissions")
	}
	var out []SGRule
	for _, p := range perms {
		base, err := ruleBase(p)
		if err != nil {
			return nil, err
		}
		if len(p.IPRanges) == 0 && len(p.GroupIDs) == 0 {
			return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ipRanges or groups")
		}
		for _, ipr := range p.IPRanges {
			pfx, err := netip.ParsePrefix(ipr.CIDR)
			if err != nil || !pfx.Addr().Is4() {
				return nil, ec2err.New(ec2err.InvalidParameterValue, "CIDR block %s is malformed", ipr.CIDR)
			}
			r := base
			r.CIDR, r.Description = pfx.Masked().String(), ipr.Description
			out = append(out, r)
		}
		for _, id := range p.GroupIDs {
			peer, _, err := s.ownGroup(ctx, acct, id)
			if err != nil {
				return nil, err
			}
			if peer.VpcID != vpcID {
				return nil, ec2err.New(ec2err.InvalidGroupNotFound, "You have specified two resources that belong to different networks.")
			}
			r := base
			r.GroupID = id
			out = append(out, r)
		}
	}
	return out, nil
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

// launchGroups resolves RunInstances' groups: they must be the caller's and
// in the subnet's VPC; none means the VPC's default group.
func (s *Service) launchGroups(ctx context.Context, acct string, ids []string, subnet *Subnet) ([]GroupRef, error) {
	vpcID, err := s.defaultVPCID(ctx, acct) // no subnet: a default subnet
	if err != nil {
		return nil, err
	}
	if subnet != nil {
		vpcID = subnet.VpcID
	}
	if len(ids) == 0 {
		id, err := s.ensureDefaultGroup(ctx, acct, vpcID)
		if err != nil {
			return nil, err
		}
		return []GroupRef{{ID: id, Name: DefaultGroupName}}, nil
	}
	var out []GroupRef
	for _, id := range ids {
		g, _, err := s.ownGroup(ctx, acct, id)
		if err != nil {
			return nil, err
		}
		if g.VpcID != vpcID {
			return nil, ec2err.New(ec2err.InvalidParameter,
				"Security group %s and subnet belong to different networks.", id)
		}
		if !containsFunc(out, func(r GroupRef) bool { return r.ID == id }) {
			out = append(out, GroupRef{ID: id, Name: g.Name})
		}
	}
	return out, nil
}

// ensureDefaultGroup returns the VPC's default group, making it for a VPC
// recorded before security groups existed.
func (s *Service) ensureDefaultGroup(ctx context.Context, acct, vpcID string) (string, error) {
	key := prefixSGName + vpcID + "/" + DefaultGroupName
	if id, _, err := store.GetJSON[string](ctx, s.st, key); err == nil {
		return id, nil
	}
	if _, err := s.st.Txn(ctx, defaultGroupOps(acct, vpcID)...); err != nil && !errors.Is(err, store.ErrConflict) {
		return "", fmt.Errorf("default group of %s: %w", vpcID, err)
	}
	id, _, err := store.GetJSON[string](ctx, s.st, key)
	return id, err
}
