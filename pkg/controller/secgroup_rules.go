package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// SGRule is one stored security group rule: a protocol and port range and
// exactly one peer, a CIDR or a group. ID and Tags are the rule's own
// (DescribeSecurityGroupRules); the firewall reads only the traffic and peer.
type SGRule struct {
	ID          string `json:"id,omitempty"` // sgr-…; none on rules recorded before IDs (fillRuleIDs)
	Protocol    string `json:"protocol"`     // tcp, udp, icmp, icmpv6, -1 or a number
	FromPort    int32  `json:"from_port"`
	ToPort      int32  `json:"to_port"`
	CIDR        string `json:"cidr,omitempty"`
	GroupID     string `json:"group_id,omitempty"`
	Description string `json:"description,omitempty"`
	Tags        []Tag  `json:"tags,omitempty"`
}

// same reports whether two rules match the same traffic and peer.
func (r SGRule) same(o SGRule) bool {
	return r.Protocol == o.Protocol && r.FromPort == o.FromPort && r.ToPort == o.ToPort && r.CIDR == o.CIDR && r.GroupID == o.GroupID
}

// IPRange is a CIDR peer of a Permission (IPv4, or IPv6 in IPv6Ranges).
type IPRange struct{ CIDR, Description string }

// GroupPair is a security group peer of a Permission; UserID, when
// given, must be the caller's account.
type GroupPair struct{ GroupID, UserID, Description string }

// Permission is EC2's IpPermission: a protocol and port range with its
// peers. ec2lab stores IPv4 and group peers only: IPv6 ranges and prefix
// lists are refused by authorize and never found by revoke.
type Permission struct {
	Protocol         string
	FromPort, ToPort int32
	IPRanges         []IPRange
	IPv6Ranges       []IPRange
	PrefixListIDs    []string
	Groups           []GroupPair
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
			out[i].Groups = append(out[i].Groups, GroupPair{GroupID: r.GroupID, Description: r.Description})
		}
	}
	return out
}

// RuleEdit is an AuthorizeSecurityGroupIngress/Egress or
// RevokeSecurityGroupIngress/Egress request.
type RuleEdit struct {
	GroupID string
	Egress  bool
	Perms   []Permission
	RuleIDs []string         // revoke only: SecurityGroupRuleId.N instead of Perms
	Tags    map[string][]Tag // authorize only: TagSpecifications by resource type
	DryRun  bool
}

// AuthorizeSecurityGroup adds rules to a group's ingress (or egress), one
// per peer, each with a new ID and the request's security-group-rule tags,
// and returns them.
func (s *Service) AuthorizeSecurityGroup(ctx context.Context, e RuleEdit) ([]GroupRule, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	if len(e.RuleIDs) > 0 {
		return nil, ec2err.New(ec2err.InvalidParameterCombination, "SecurityGroupRuleIds can only be given to revoke rules")
	}
	tags, err := ruleSpecTags(e.Tags)
	if err != nil {
		return nil, err
	}
	g, _, err := s.ownGroup(ctx, acct, e.GroupID)
	if err != nil {
		return nil, err
	}
	rules, foreign, err := s.flatRules(ctx, acct, g.VpcID, e.Perms)
	if err != nil {
		return nil, err
	}
	if foreign != nil {
		return nil, foreign
	}
	if e.DryRun {
		return nil, DryRun()
	}
	var added []SGRule
	g, err = s.changeRules(ctx, g.ID, true, func(r *SecurityGroup) error {
		list, out := ruleList(r, e.Egress), []SGRule(nil)
		// checked on the record the revision guards: race-free
		if err := s.checkQuota(acct, QuotaRulesPerGroup, int64(len(*list)+len(rules))); err != nil {
			return err
		}
		for _, add := range rules {
			if err := checkNoDuplicate(*list, add, ""); err != nil {
				return err
			}
			add.ID, add.Tags = newRuleID(), append([]Tag(nil), tags...)
			*list, out = append(*list, add), append(out, add)
		}
		added = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.groupRules(g, e.Egress, added), nil
}

// RevokeSecurityGroup removes rules from a group's ingress (or egress),
// given as permissions or by rule ID, and returns them. A rule that is not
// there fails the whole request.
func (s *Service) RevokeSecurityGroup(ctx context.Context, e RuleEdit) ([]GroupRule, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkRevokeRequest(e); err != nil {
		return nil, err
	}
	g, _, err := s.ownGroup(ctx, acct, e.GroupID)
	if err != nil {
		return nil, err
	}
	var rules []SGRule
	var foreign error
	if len(e.RuleIDs) == 0 {
		if rules, foreign, err = s.flatRules(ctx, acct, g.VpcID, e.Perms); err != nil {
			return nil, err
		}
	}
	if e.DryRun {
		return nil, DryRun()
	}
	if foreign != nil { // an IPv6 or prefix list rule: never recorded
		return nil, errRuleNotFound()
	}
	var removed []SGRule
	g, err = s.changeRules(ctx, g.ID, true, func(r *SecurityGroup) error {
		list := ruleList(r, e.Egress)
		var err error
		if len(e.RuleIDs) > 0 {
			*list, removed, err = removeRulesByID(*list, e.RuleIDs)
		} else {
			*list, removed, err = removeRules(*list, rules)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.groupRules(g, e.Egress, removed), nil
}

// checkRevokeRequest: rules are given one way, and a revoke has no tags.
func checkRevokeRequest(e RuleEdit) error {
	switch {
	case len(e.Tags) > 0:
		return ec2err.New(ec2err.InvalidParameterCombination, "TagSpecifications can only be given to authorize rules")
	case len(e.RuleIDs) > 0 && len(e.Perms) > 0:
		return ec2err.New(ec2err.InvalidParameterCombination,
			"The parameters ipPermissions and securityGroupRuleIds cannot be used together")
	}
	return checkRuleIDs(e.RuleIDs)
}

func errRuleNotFound() error {
	return ec2err.New(ec2err.InvalidPermissionNotFound, "The specified rule does not exist in this security group.")
}

// checkNoDuplicate fails when list has a rule other than except (an ID)
// for the same traffic and peer as r.
func checkNoDuplicate(list []SGRule, r SGRule, except string) error {
	for _, have := range list {
		if have.ID != except && have.same(r) {
			return ec2err.New(ec2err.InvalidPermissionDuplicate,
				"the specified rule \"peer: %s, %s, ALLOW\" already exists", r.CIDR+r.GroupID, r.Protocol)
		}
	}
	return nil
}

// removeRules drops each of dels from list; one that is absent fails.
func removeRules(list, dels []SGRule) ([]SGRule, []SGRule, error) {
	var removed []SGRule
	for _, del := range dels {
		i := slices.IndexFunc(list, del.same)
		if i < 0 {
			return nil, nil, errRuleNotFound()
		}
		removed = append(removed, list[i])
		list = slices.Delete(slices.Clone(list), i, i+1)
	}
	return list, removed, nil
}

// removeRulesByID drops the rules of list with the given IDs.
func removeRulesByID(list []SGRule, ruleIDs []string) ([]SGRule, []SGRule, error) {
	var removed []SGRule
	for _, id := range ruleIDs {
		i := slices.IndexFunc(list, func(r SGRule) bool { return r.ID == id })
		if i < 0 {
			if slices.ContainsFunc(removed, func(r SGRule) bool { return r.ID == id }) {
				continue // named twice
			}
			return nil, nil, errRuleIDNotFound(id)
		}
		removed = append(removed, list[i])
		list = slices.Delete(slices.Clone(list), i, i+1)
	}
	return list, removed, nil
}

// ruleList is the group's ingress or egress list.
func ruleList(g *SecurityGroup, egress bool) *[]SGRule {
	if egress {
		return &g.Egress
	}
	return &g.Ingress
}

// changeRules edits a group's rules in one update, after giving every rule
// its ID, and (with traffic) pushes the changed firewalls.
func (s *Service) changeRules(ctx context.Context, groupID string, traffic bool, edit func(*SecurityGroup) error) (SecurityGroup, error) {
	g, err := update(ctx, s.st, prefixSecGroup+groupID, func(r *SecurityGroup) error {
		fillRuleIDs(r)
		return edit(r)
	})
	if err != nil {
		return SecurityGroup{}, err
	}
	s.log.Info("security group rules changed", "group", g.ID, "ingress", len(g.Ingress), "egress", len(g.Egress))
	if traffic {
		s.firewallChanged(ctx)
	}
	return g, nil
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
