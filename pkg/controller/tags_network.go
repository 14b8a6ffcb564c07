package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Tags of the network resources (VPCs, subnets, security groups and their
// rules, network interfaces, route tables, network ACLs) and of placement
// groups, for CreateTags, DeleteTags and DescribeTags (tags.go).

// kindSGRule stands for security group rules where resourceKind gives a
// store prefix: a rule is kept in its group's record, not under a key.
const kindSGRule = "security-group-rule:"

// prefixENI stands for network interfaces in resourceKind: they have no
// records of their own; their tags live on their instance's (enis.go).
const prefixENI = "eni:"

// networkTags returns the tags of the caller's network resource or
// placement group id (prefix is its store prefix, from resourceKind).
func (s *Service) networkTags(ctx context.Context, acct, prefix, id string) ([]Tag, error) {
	notFound := ec2err.New(ec2err.InvalidID, "The ID '%s' does not exist", id)
	var tags []Tag
	owner := ""
	switch prefix {
	case prefixVPC:
		r, _, err := store.GetJSON[VPC](ctx, s.st, prefix+id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Tags, r.Owner
	case prefixSubnet:
		r, _, err := store.GetJSON[Subnet](ctx, s.st, prefix+id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Tags, r.Owner
	case prefixSecGroup:
		r, _, err := store.GetJSON[SecurityGroup](ctx, s.st, prefix+id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Tags, r.Owner
	case prefixPlacementGroup:
		r, err := s.placementGroupByID(ctx, acct, id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Tags, r.Owner
	case prefixENI:
		r, err := s.ownNetworkInterface(ctx, acct, id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Tags, r.Owner
	case prefixRouteTable:
		r, _, err := store.GetJSON[RouteTable](ctx, s.st, prefix+id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Tags, r.Owner
	case prefixNetworkACL:
		r, _, err := store.GetJSON[NetworkACL](ctx, s.st, prefix+id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Tags, r.Owner
	case kindSGRule:
		r, err := s.ruleByID(ctx, acct, id)
		if err != nil {
			return nil, notFound
		}
		tags, owner = r.Rule.Tags, r.Owner
	}
	if owner != acct {
		return nil, notFound
	}
	return tags, nil
}

// updateNetworkTags applies edit to the tags of a resource networkTags found.
func (s *Service) updateNetworkTags(ctx context.Context, acct, prefix, id string, edit func([]Tag) ([]Tag, error)) error {
	var err error
	switch prefix {
	case prefixVPC:
		_, err = update(ctx, s.st, prefix+id, func(r *VPC) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixSubnet:
		_, err = update(ctx, s.st, prefix+id, func(r *Subnet) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixSecGroup:
		_, err = update(ctx, s.st, prefix+id, func(r *SecurityGroup) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixPlacementGroup:
		g, gerr := s.placementGroupByID(ctx, acct, id)
		if gerr != nil {
			return gerr
		}
		_, err = update(ctx, s.st, placementGroupKey(acct, g.Name), func(r *PlacementGroup) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixENI: // the interface's tags live on its instance's record
		key := prefixInstance + ids.InstanceOfPrimaryNetworkInterface(id)
		_, err = update(ctx, s.st, key, func(r *Instance) (e error) { r.ENITags, e = edit(r.ENITags); return })
	case prefixRouteTable:
		_, err = update(ctx, s.st, prefix+id, func(r *RouteTable) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixNetworkACL:
		_, err = update(ctx, s.st, prefix+id, func(r *NetworkACL) (e error) { r.Tags, e = edit(r.Tags); return })
	case kindSGRule:
		r, rerr := s.ruleByID(ctx, acct, id)
		if rerr != nil {
			return rerr
		}
		err = s.editRuleByID(ctx, r.GroupID, id, func(r *SGRule) (e error) { r.Tags, e = edit(r.Tags); return })
	}
	if err != nil {
		return fmt.Errorf("tag %s: %w", id, err)
	}
	return nil
}

func (s *Service) placementGroupByID(ctx context.Context, acct, id string) (PlacementGroup, error) {
	return findByID(ctx, s.st, prefixPlacementGroup+acct+"/", id, func(g PlacementGroup) string { return g.ID })
}

// networkTagDescriptions lists the tags of the caller's network resources
// and placement groups.
func (s *Service) networkTagDescriptions(ctx context.Context, acct string) []TagDescription {
	var out []TagDescription
	add := func(id, kind, owner string, tags []Tag) {
		if owner != acct {
			return
		}
		for _, t := range tags {
			out = append(out, TagDescription{ResourceID: id, ResourceType: kind, Key: t.Key, Value: t.Value})
		}
	}
	vpcs, _ := store.ListJSON[VPC](ctx, s.st, prefixVPC)
	for _, r := range vpcs {
		add(r.ID, "vpc", r.Owner, r.Tags)
	}
	subs, _ := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	for _, r := range subs {
		add(r.ID, "subnet", r.Owner, r.Tags)
	}
	groups, _ := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	for _, r := range groups {
		add(r.ID, "security-group", r.Owner, r.Tags)
		for _, rule := range s.allGroupRules(r) {
			add(rule.Rule.ID, ruleResourceType, rule.Owner, rule.Rule.Tags)
		}
	}
	pgs, _ := store.ListJSON[PlacementGroup](ctx, s.st, prefixPlacementGroup+acct+"/")
	for _, r := range pgs {
		add(r.ID, "placement-group", r.Owner, r.Tags)
	}
	rts, _ := store.ListJSON[RouteTable](ctx, s.st, prefixRouteTable)
	for _, r := range rts {
		add(r.ID, "route-table", r.Owner, r.Tags)
	}
	acls, _ := store.ListJSON[NetworkACL](ctx, s.st, prefixNetworkACL)
	for _, r := range acls {
		add(r.ID, "network-acl", r.Owner, r.Tags)
	}
	insts, _ := s.instancesBy(ctx, "owner", acct)
	for _, in := range insts {
		for _, ni := range in.NetworkInterfaces() {
			add(ni.ID, "network-interface", ni.Owner, ni.Tags)
		}
	}
	return out
}
