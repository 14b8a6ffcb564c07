package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// DescribeSecurityGroupRules lists the rules of the caller's groups, one
// per peer, by rule ID; a named rule that is not the caller's is not found.
func (s *Service) DescribeSecurityGroupRules(ctx context.Context, ruleIDs []string, filters []Filter, p Page) ([]GroupRule, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkRuleIDs(ruleIDs); err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, false, 5, 1000); err != nil {
		return nil, "", err
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, "", err
	}
	groups, err := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	if err != nil {
		return nil, "", err
	}
	var all []GroupRule
	for _, g := range groups {
		if g.Owner == acct {
			all = append(all, s.allGroupRules(g)...)
		}
	}
	return selectPage(all, selection[GroupRule]{IDs: ruleIDs, Filters: filters, Page: p,
		ID:       func(r GroupRule) string { return r.Rule.ID },
		Field:    ruleField,
		NotFound: errRuleIDNotFound,
	})
}

func ruleField(r GroupRule, name string) ([]string, bool) {
	switch name {
	case "group-id":
		return []string{r.GroupID}, true
	case "security-group-rule-id":
		return []string{r.Rule.ID}, true
	}
	return tagField(r.Rule.Tags, name)
}
