package controller

import (
	"context"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// RuleUpdate is one rule of ModifySecurityGroupRules: the rule's ID and
// its whole new content, with exactly one peer.
type RuleUpdate struct {
	RuleID           string
	Protocol         string
	FromPort, ToPort *int32 // nil: not given
	CIDR, CIDRv6     string
	PrefixListID     string
	PeerGroupID      string
	Description      string
}

// ModifySecurityGroupRules replaces rules of a group in place: each keeps
// its ID, direction and tags; all change or none.
func (s *Service) ModifySecurityGroupRules(ctx context.Context, groupID string, updates []RuleUpdate, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	g, _, err := s.ownGroup(ctx, acct, groupID)
	if err != nil {
		return err
	}
	if len(updates) == 0 {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter SecurityGroupRules")
	}
	current := withRuleIDs(g)
	news := make([]SGRule, len(updates))
	for i, u := range updates {
		if news[i], err = s.updatedRule(ctx, acct, current, u); err != nil {
			return err
		}
	}
	if dryRun {
		return DryRun()
	}
	_, err = s.changeRules(ctx, g.ID, true, func(r *SecurityGroup) error {
		for i, u := range updates {
			if err := replaceRule(r, u.RuleID, news[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// updatedRule validates u against g (every rule with its ID) into the new
// content of its rule.
func (s *Service) updatedRule(ctx context.Context, acct string, g SecurityGroup, u RuleUpdate) (SGRule, error) {
	if u.RuleID == "" {
		return SGRule{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter SecurityGroupRuleId")
	}
	if err := checkRuleIDs([]string{u.RuleID}); err != nil {
		return SGRule{}, err
	}
	has := func(r SGRule) bool { return r.ID == u.RuleID }
	if !slices.ContainsFunc(g.Ingress, has) && !slices.ContainsFunc(g.Egress, has) {
		return SGRule{}, errRuleIDNotFound(u.RuleID)
	}
	p, err := updatePermission(u)
	if err != nil {
		return SGRule{}, err
	}
	rules, foreign, err := s.flatRules(ctx, acct, g.VpcID, []Permission{p})
	if err != nil {
		return SGRule{}, err
	}
	if foreign != nil {
		return SGRule{}, foreign
	}
	return rules[0], nil
}

// updatePermission is u as a permission with its one peer.
func updatePermission(u RuleUpdate) (Permission, error) {
	p := Permission{Protocol: u.Protocol, FromPort: -1, ToPort: -1}
	if u.Protocol == "" {
		return p, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly.")
	}
	if u.FromPort != nil {
		p.FromPort = *u.FromPort
	}
	if u.ToPort != nil {
		p.ToPort = *u.ToPort
	}
	if base, _ := ruleBase(p); (base.Protocol == "tcp" || base.Protocol == "udp") && (u.FromPort == nil || u.ToPort == nil) {
		return p, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid value for portRange. Must specify both from and to ports with TCP/UDP.")
	}
	peers := 0
	for _, v := range []string{u.CIDR, u.CIDRv6, u.PrefixListID, u.PeerGroupID} {
		if v != "" {
			peers++
		}
	}
	switch {
	case peers > 1:
		return p, ec2err.New(ec2err.InvalidParameterCombination,
			"Only one of cidrIp, cidrIpv6, prefixListId, or referencedGroupId can be specified")
	case peers == 0:
		return p, ec2err.New(ec2err.MissingParameter,
			"The request must contain exactly one of: cidrIp, cidrIpv6, prefixListId, or referencedGroupId")
	case u.CIDR != "":
		p.IPRanges = []IPRange{{CIDR: u.CIDR, Description: u.Description}}
	case u.CIDRv6 != "":
		p.IPv6Ranges = []IPRange{{CIDR: u.CIDRv6, Description: u.Description}}
	case u.PrefixListID != "":
		p.PrefixListIDs = []string{u.PrefixListID}
	default:
		p.Groups = []GroupPair{{GroupID: u.PeerGroupID, Description: u.Description}}
	}
	return p, nil
}

// replaceRule gives the rule id of g the traffic, peer and description of
// n, unless another rule of its list already has that traffic and peer.
func replaceRule(g *SecurityGroup, id string, n SGRule) error {
	for _, egress := range []bool{false, true} {
		list := *ruleList(g, egress)
		i := slices.IndexFunc(list, func(r SGRule) bool { return r.ID == id })
		if i < 0 {
			continue
		}
		if err := checkNoDuplicate(list, n, id); err != nil {
			return err
		}
		n.ID, n.Tags = id, list[i].Tags
		list[i] = n
		return nil
	}
	return errRuleIDNotFound(id)
}

// RuleDescription is one of UpdateSecurityGroupRuleDescriptions' rule IDs
// with its new description.
type RuleDescription struct{ RuleID, Description string }

// UpdateSecurityGroupRuleDescriptions sets the descriptions of rules of a
// group's ingress (or egress), found by their permissions (each peer's
// description is its rule's new one) or by rule ID; an empty description
// removes it.
func (s *Service) UpdateSecurityGroupRuleDescriptions(ctx context.Context, groupID, groupName string, egress bool,
	perms []Permission, descs []RuleDescription, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	g, _, err := s.groupByIDOrName(ctx, acct, groupID, groupName)
	if err != nil {
		return err
	}
	rules, foreign, err := s.describedRules(ctx, acct, g.VpcID, perms, descs)
	if err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	if foreign != nil {
		return errRuleNotFound()
	}
	_, err = s.changeRules(ctx, g.ID, false, func(r *SecurityGroup) error {
		list := *ruleList(r, egress)
		for _, want := range rules {
			match, notFound := want.same, errRuleNotFound()
			if want.ID != "" {
				match, notFound = func(r SGRule) bool { return r.ID == want.ID }, errRuleIDNotFound(want.ID)
			}
			i := slices.IndexFunc(list, match)
			if i < 0 {
				return notFound
			}
			list[i].Description = want.Description
		}
		return nil
	})
	return err
}

// describedRules validates UpdateSecurityGroupRuleDescriptions' rules: one
// per peer of perms, or one with only an ID and a description per desc.
func (s *Service) describedRules(ctx context.Context, acct, vpcID string, perms []Permission,
	descs []RuleDescription) (rules []SGRule, foreign, err error) {
	switch {
	case len(perms) > 0 && len(descs) > 0:
		return nil, nil, ec2err.New(ec2err.InvalidParameterCombination,
			"The parameters IpPermissions and SecurityGroupRuleDescriptions cannot be used together")
	case len(perms) > 0:
		return s.flatRules(ctx, acct, vpcID, perms)
	case len(descs) == 0:
		return nil, nil, ec2err.New(ec2err.MissingParameter,
			"The request must contain the parameter IpPermissions or SecurityGroupRuleDescriptions")
	}
	rules = make([]SGRule, len(descs))
	for i, d := range descs {
		if err := checkRuleIDs([]string{d.RuleID}); err != nil {
			return nil, nil, err
		}
		if err := checkRuleDescription(d.Description); err != nil {
			return nil, nil, err
		}
		rules[i] = SGRule{ID: d.RuleID, Description: d.Description}
	}
	return rules, nil, nil
}
