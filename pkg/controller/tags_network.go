package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Tags of the network resources (VPCs, subnets, security groups and their
// rules, network interfaces, route tables, network ACLs, internet
// gateways) and of placement groups, for CreateTags, DeleteTags and
// DescribeTags (tags.go).

// networkTagHooks registers the tag targets of the network resources and
// of placement groups.
func (s *Service) networkTagHooks(h *hooks) {
	h.tags(wrapTagErrors(recordTags(s, network.VPCIDPrefix, "vpc", prefixVPC,
		func(r *VPC) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })))
	h.tags(wrapTagErrors(recordTags(s, network.SubnetIDPrefix, "subnet", prefixSubnet,
		func(r *Subnet) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })))
	h.tags(s.securityGroupTags())
	h.tags(s.ruleTags())
	h.tags(s.placementGroupTags())
	h.tags(s.networkInterfaceTags())
	h.tags(wrapTagErrors(recordTags(s, ids.RouteTable, "route-table", prefixRouteTable,
		func(r *RouteTable) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })))
	h.tags(wrapTagErrors(recordTags(s, ids.NetworkACL, "network-acl", prefixNetworkACL,
		func(r *NetworkACL) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })))
	h.tags(wrapTagErrors(recordTags(s, ids.InternetGateway, "internet-gateway", prefixInternetGateway,
		func(r *InternetGateway) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })))
}

// securityGroupTags is the groups' tag target; its describe lists their
// rules' tags too.
func (s *Service) securityGroupTags() tagTarget {
	t := wrapTagErrors(recordTags(s, SGIDPrefix, "security-group", prefixSecGroup,
		func(r *SecurityGroup) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags }))
	t.describe = func(ctx context.Context, acct string) (out []TagDescription) {
		groups, _ := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
		for _, r := range groups {
			if r.Owner == acct {
				out = t.describeTags(out, r.ID, r.Tags)
			}
			for _, rule := range s.allGroupRules(r) {
				if rule.Owner == acct {
					out = append(out, tagDescriptions(rule.Rule.ID, ruleResourceType, rule.Rule.Tags)...)
				}
			}
		}
		return out
	}
	return t
}

// ruleTags is the security group rules' tag target: a rule is kept in its
// group's record, and its group's describe lists it.
func (s *Service) ruleTags() tagTarget {
	return tagTarget{idPrefix: SGRuleIDPrefix, kind: ruleResourceType,
		get: func(ctx context.Context, acct, id string) ([]Tag, error) {
			r, err := s.ruleByID(ctx, acct, id)
			if err != nil || r.Owner != acct {
				return nil, store.ErrNotFound
			}
			return r.Rule.Tags, nil
		},
		edit: func(ctx context.Context, acct, id string, edit func([]Tag) ([]Tag, error)) error {
			r, err := s.ruleByID(ctx, acct, id)
			if err != nil {
				return err
			}
			if err := s.editRuleByID(ctx, r.GroupID, id, func(r *SGRule) (e error) { r.Tags, e = edit(r.Tags); return }); err != nil {
				return fmt.Errorf("tag %s: %w", id, err)
			}
			return nil
		}}
}

// placementGroupTags is the placement groups' tag target (kept under their
// account, by name).
func (s *Service) placementGroupTags() tagTarget {
	t := tagTarget{idPrefix: ids.PlacementGroup, kind: "placement-group"}
	t.get = func(ctx context.Context, acct, id string) ([]Tag, error) {
		r, err := s.placementGroupByID(ctx, acct, id)
		if err != nil || r.Owner != acct {
			return nil, store.ErrNotFound
		}
		return r.Tags, nil
	}
	t.edit = func(ctx context.Context, acct, id string, edit func([]Tag) ([]Tag, error)) error {
		g, err := s.placementGroupByID(ctx, acct, id)
		if err != nil {
			return err
		}
		if _, err := update(ctx, s.st, placementGroupKey(acct, g.Name), func(r *PlacementGroup) (e error) { r.Tags, e = edit(r.Tags); return }); err != nil {
			return fmt.Errorf("tag %s: %w", id, err)
		}
		return nil
	}
	t.describe = func(ctx context.Context, acct string) (out []TagDescription) {
		pgs, _ := store.ListJSON[PlacementGroup](ctx, s.st, prefixPlacementGroup+acct+"/")
		for _, r := range pgs {
			if r.Owner == acct {
				out = t.describeTags(out, r.ID, r.Tags)
			}
		}
		return out
	}
	return t
}

// networkInterfaceTags is the interfaces' tag target: they have no records
// of their own; their tags live on their instance's (enis.go).
func (s *Service) networkInterfaceTags() tagTarget {
	t := tagTarget{idPrefix: ids.NetworkInterface, kind: "network-interface"}
	t.get = func(ctx context.Context, acct, id string) ([]Tag, error) {
		r, err := s.ownNetworkInterface(ctx, acct, id)
		if err != nil || r.Owner != acct {
			return nil, store.ErrNotFound
		}
		return r.Tags, nil
	}
	t.edit = func(ctx context.Context, acct, id string, edit func([]Tag) ([]Tag, error)) error {
		key := prefixInstance + ids.InstanceOfPrimaryNetworkInterface(id)
		if _, err := update(ctx, s.st, key, func(r *Instance) (e error) { r.ENITags, e = edit(r.ENITags); return }); err != nil {
			return fmt.Errorf("tag %s: %w", id, err)
		}
		return nil
	}
	t.describe = func(ctx context.Context, acct string) (out []TagDescription) {
		insts, _ := s.instancesBy(ctx, "owner", acct)
		for _, in := range insts {
			for _, ni := range in.NetworkInterfaces() {
				if ni.Owner == acct {
					out = t.describeTags(out, ni.ID, ni.Tags)
				}
			}
		}
		return out
	}
	return t
}

func (s *Service) placementGroupByID(ctx context.Context, acct, id string) (PlacementGroup, error) {
	return findByID(ctx, s.st, prefixPlacementGroup+acct+"/", id, func(g PlacementGroup) string { return g.ID })
}
