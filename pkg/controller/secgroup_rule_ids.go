package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// SGRuleIDPrefix starts every security group rule ID.
const SGRuleIDPrefix = "sgr"

// ruleResourceType is a rule's EC2 resource type (TagSpecifications, DescribeTags).
const ruleResourceType = "security-group-rule"

// GroupRule is one rule with its group, as DescribeSecurityGroupRules and
// the answers of authorize and revoke show it.
type GroupRule struct {
	GroupID, Owner string
	ARN            string // arn:aws:ec2:region:account:security-group-rule/sgr-…
	Egress         bool
	Rule           SGRule
}

func newRuleID() string { return ids.New(SGRuleIDPrefix) }

// derivedRuleID is the ID of a rule recorded before rules had IDs: a
// digest of its group, direction, traffic and peer (unique in its group),
// so that it stays the same until changeRules records it.
func derivedRuleID(groupID string, egress bool, r SGRule) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%t|%s|%d|%d|%s|%s", groupID, egress, r.Protocol, r.FromPort, r.ToPort, r.CIDR, r.GroupID))
	return SGRuleIDPrefix + "-" + hex.EncodeToString(sum[:])[:17]
}

// fillRuleIDs gives every rule of g without an ID its derived one.
func fillRuleIDs(g *SecurityGroup) {
	for _, egress := range []bool{false, true} {
		list := ruleList(g, egress)
		for i := range *list {
			if (*list)[i].ID == "" {
				(*list)[i].ID = derivedRuleID(g.ID, egress, (*list)[i])
			}
		}
	}
}

// withRuleIDs is g, every rule with its ID, sharing nothing with g.
func withRuleIDs(g SecurityGroup) SecurityGroup {
	g.Ingress, g.Egress = slices.Clone(g.Ingress), slices.Clone(g.Egress)
	fillRuleIDs(&g)
	return g
}

// groupRules shows rules of g's ingress (or egress).
func (s *Service) groupRules(g SecurityGroup, egress bool, rules []SGRule) []GroupRule {
	out := make([]GroupRule, len(rules))
	for i, r := range rules {
		out[i] = GroupRule{GroupID: g.ID, Owner: g.Owner, Egress: egress, Rule: r,
			ARN: fmt.Sprintf("arn:aws:ec2:%s:%s:%s/%s", s.cfg.Region, g.Owner, ruleResourceType, r.ID)}
	}
	return out
}

// allGroupRules shows every rule of g, ingress first.
func (s *Service) allGroupRules(g SecurityGroup) []GroupRule {
	g = withRuleIDs(g)
	return append(s.groupRules(g, false, g.Ingress), s.groupRules(g, true, g.Egress)...)
}

// checkRuleIDs requires each ID to have the sgr- shape.
func checkRuleIDs(ruleIDs []string) error {
	for _, id := range ruleIDs {
		if !ids.Valid(SGRuleIDPrefix, id) {
			return ec2err.New(ec2err.InvalidSecurityGroupRuleIDMalformed, "Invalid id: \"%s\" (expecting \"sgr-...\")", id)
		}
	}
	return nil
}

func errRuleIDNotFound(id string) error {
	return ec2err.New(ec2err.InvalidSecurityGroupRuleIDNotFound, "The security group rule ID '%s' does not exist", id)
}

// ruleSpecTags are the tags TagSpecifications give new rules; another
// resource type is refused.
func ruleSpecTags(specs map[string][]Tag) ([]Tag, error) {
	for kind := range specs {
		if kind != ruleResourceType {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "'%s' is not a valid taggable resource type for this operation.", kind)
		}
	}
	tags := specs[ruleResourceType]
	return tags, validateTags(tags)
}

// ruleByID finds one of the caller's rules.
func (s *Service) ruleByID(ctx context.Context, acct, id string) (GroupRule, error) {
	groups, err := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	if err != nil {
		return GroupRule{}, err
	}
	for _, g := range groups {
		if g.Owner != acct {
			continue
		}
		for _, r := range s.allGroupRules(g) {
			if r.Rule.ID == id {
				return r, nil
			}
		}
	}
	return GroupRule{}, errRuleIDNotFound(id)
}

// editRuleByID applies edit to the rule id of the group groupID.
func (s *Service) editRuleByID(ctx context.Context, groupID, id string, edit func(*SGRule) error) error {
	_, err := s.changeRules(ctx, groupID, false, func(g *SecurityGroup) error {
		for _, egress := range []bool{false, true} {
			list := *ruleList(g, egress)
			if i := slices.IndexFunc(list, func(r SGRule) bool { return r.ID == id }); i >= 0 {
				return edit(&list[i])
			}
		}
		return errRuleIDNotFound(id)
	})
	return err
}
