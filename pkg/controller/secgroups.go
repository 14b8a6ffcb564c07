package controller

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Store key prefixes of the security group records.
const (
	prefixSecGroup = "/secgroups/"
	prefixSGName   = "/sgnames/" // + vpc/name → group ID (uniqueness guard)
)

// SGIDPrefix starts every security group ID.
const SGIDPrefix = "sg"

// DefaultGroupName names the group every VPC is created with.
const DefaultGroupName = "default"

// SecurityGroup is the record of a VPC security group. Its rules are kept
// flat, one peer each (secgroup_rules.go).
type SecurityGroup struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	VpcID       string   `json:"vpc_id"`
	Owner       string   `json:"owner"`
	Ingress     []SGRule `json:"ingress,omitempty"`
	Egress      []SGRule `json:"egress,omitempty"`
	Tags        []Tag    `json:"tags,omitempty"`
	// ARN is computed on read: arn:aws:ec2:REGION:ACCOUNT:security-group/sg-….
	ARN string `json:"-"`
}

// withARN fills a group record's ARN.
func (s *Service) withARN(g SecurityGroup) SecurityGroup {
	g.ARN = fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", s.cfg.Region, g.Owner, g.ID)
	return g
}

// GroupRef names an instance's security group (EC2's GroupIdentifier).
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GroupIDs are the IDs of refs.
func GroupIDs(refs []GroupRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.ID
	}
	return out
}

// newGroup is a group as EC2 creates it: no ingress, all egress; the VPC's
// default group also lets its own members in.
func newGroup(acct, vpcID, name, desc string) SecurityGroup {
	g := SecurityGroup{ID: ids.New(SGIDPrefix), Name: name, Description: desc, VpcID: vpcID, Owner: acct,
		Egress: []SGRule{{ID: newRuleID(), Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"}}}
	if name == DefaultGroupName {
		g.Ingress = []SGRule{{ID: newRuleID(), Protocol: "-1", FromPort: -1, ToPort: -1, GroupID: g.ID}}
	}
	return g
}

// groupOps records g with its name guard.
func groupOps(g SecurityGroup) []store.Op {
	op, _ := store.PutJSON(prefixSecGroup+g.ID, g, store.MustNotExist)
	name, _ := store.PutJSON(prefixSGName+g.VpcID+"/"+g.Name, g.ID, store.MustNotExist)
	return []store.Op{op, name}
}

// defaultGroupOps records the default group of a VPC being created.
func defaultGroupOps(acct, vpcID string) []store.Op {
	return groupOps(newGroup(acct, vpcID, DefaultGroupName, "default VPC security group"))
}

// CreateSecurityGroup records a group in vpcID (empty: the default VPC).
func (s *Service) CreateSecurityGroup(ctx context.Context, name, desc, vpcID string, tags []Tag, dryRun bool) (SecurityGroup, error) {
	acct, err := account(ctx)
	if err != nil {
		return SecurityGroup{}, err
	}
	if name == "" || desc == "" {
		return SecurityGroup{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameters GroupName and GroupDescription")
	}
	if len(name) > 255 || len(desc) > 255 || strings.HasPrefix(strings.ToLower(name), "sg-") || name == DefaultGroupName {
		return SecurityGroup{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for groupName.", name)
	}
	if err := validateTags(tags); err != nil {
		return SecurityGroup{}, err
	}
	if vpcID == "" {
		if vpcID, err = s.defaultVPCID(ctx, acct); err != nil {
			return SecurityGroup{}, err
		}
	}
	v, _, err := s.ownVPC(ctx, acct, vpcID)
	if err != nil {
		return SecurityGroup{}, err
	}
	if dryRun {
		return SecurityGroup{}, DryRun()
	}
	release, err := s.admit(ctx, acct, QuotaSecurityGroups, "", 1, s.countSecurityGroups(acct))
	if err != nil {
		return SecurityGroup{}, err
	}
	defer release()
	g := newGroup(acct, v.ID, name, desc)
	g.Tags = tags
	if _, err := s.st.Txn(ctx, groupOps(g)...); errors.Is(err, store.ErrConflict) {
		return SecurityGroup{}, ec2err.New(ec2err.InvalidGroupDuplicate, "The security group '%s' already exists for VPC '%s'", name, v.ID)
	} else if err != nil {
		return SecurityGroup{}, fmt.Errorf("record %s: %w", g.ID, err)
	}
	s.log.Info("security group created", "group", g.ID, "name", name, "vpc", v.ID, "account", acct)
	return s.withARN(g), nil
}

func (s *Service) defaultVPCID(ctx context.Context, acct string) (string, error) {
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return "", err
	}
	id, _, err := store.GetJSON[string](ctx, s.st, prefixDefaultVPC+acct)
	if err != nil {
		return "", ec2err.New(ec2err.VPCIdNotSpecified, "No default VPC for this user")
	}
	return id, nil
}

// DeleteSecurityGroup removes a group no instance and no other group's
// rule uses; groupName names a group of the default VPC.
func (s *Service) DeleteSecurityGroup(ctx context.Context, groupID, groupName string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	g, rev, err := s.groupByIDOrName(ctx, acct, groupID, groupName)
	if err != nil {
		return err
	}
	if g.Name == DefaultGroupName {
		return ec2err.New(ec2err.CannotDelete, "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.ID)
	}
	if err := s.groupInUse(ctx, g.ID); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	ops := []store.Op{{Key: prefixSecGroup + g.ID, Delete: true, ExpectRevision: rev},
		{Key: prefixSGName + g.VpcID + "/" + g.Name, Delete: true, ExpectRevision: -1}}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return fmt.Errorf("delete %s: %w", g.ID, err)
	}
	s.log.Info("security group deleted", "group", g.ID, "account", acct)
	return nil
}

// groupInUse fails with DependencyViolation while a live instance or
// another group's rule refers to the group.
func (s *Service) groupInUse(ctx context.Context, id string) error {
	insts, err := s.instances(ctx)
	if err != nil {
		return err
	}
	for _, in := range insts {
		if in.State != StateTerminated && contains(GroupIDs(in.SecurityGroups), id) {
			return ec2err.New(ec2err.DependencyViolation, "resource %s has a dependent object", id)
		}
	}
	groups, err := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	if err != nil {
		return err
	}
	for _, g := range groups {
		for _, r := range append(append([]SGRule{}, g.Ingress...), g.Egress...) {
			if g.ID != id && r.GroupID == id {
				return ec2err.New(ec2err.DependencyViolation, "resource %s has a dependent object", id)
			}
		}
	}
	return nil
}

func (s *Service) groupByIDOrName(ctx context.Context, acct, id, name string) (SecurityGroup, int64, error) {
	if id == "" && name == "" {
		return SecurityGroup{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter GroupId or GroupName")
	}
	if id == "" {
		vpc, err := s.defaultVPCID(ctx, acct)
		if err != nil {
			return SecurityGroup{}, 0, err
		}
		if id, _, err = store.GetJSON[string](ctx, s.st, prefixSGName+vpc+"/"+name); err != nil {
			return SecurityGroup{}, 0, ec2err.New(ec2err.InvalidGroupNotFound, "The security group '%s' does not exist in default VPC '%s'", name, vpc)
		}
	}
	return s.ownGroup(ctx, acct, id)
}

func (s *Service) ownGroup(ctx context.Context, acct, id string) (SecurityGroup, int64, error) {
	if id == "" {
		return SecurityGroup{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter GroupId")
	}
	if !ids.Valid(SGIDPrefix, id) {
		return SecurityGroup{}, 0, ec2err.New(ec2err.InvalidGroupIDMalformed, "Invalid id: \"%s\" (expecting \"sg-...\")", id)
	}
	g, rev, err := store.GetJSON[SecurityGroup](ctx, s.st, prefixSecGroup+id)
	if err != nil || g.Owner != acct {
		return SecurityGroup{}, 0, ec2err.New(ec2err.InvalidGroupNotFound, "The security group '%s' does not exist", id)
	}
	return g, rev, nil
}

// DescribeSecurityGroups lists the caller's groups.
func (s *Service) DescribeSecurityGroups(ctx context.Context, idList, names []string, filters []Filter, p Page) ([]SecurityGroup, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0 || len(names) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	if err != nil {
		return nil, "", err
	}
	byID, keys := map[string]SecurityGroup{}, []string{}
	for _, g := range all {
		if g.Owner != acct || (len(idList) > 0 && !contains(idList, g.ID)) || (len(names) > 0 && !contains(names, g.Name)) {
			continue
		}
		ok, err := matches(filters, func(n string) ([]string, bool) { return groupField(g, n) })
		if err != nil {
			return nil, "", err
		}
		if ok {
			byID[g.ID], keys = g, append(keys, g.ID)
		}
	}
	for _, id := range idList {
		if _, ok := byID[id]; !ok {
			return nil, "", ec2err.New(ec2err.InvalidGroupNotFound, "The security group '%s' does not exist", id)
		}
	}
	sort.Strings(keys)
	page, next, err := paginate(keys, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]SecurityGroup, len(page))
	for i, id := range page {
		out[i] = s.withARN(byID[id])
	}
	return out, next, nil
}

func groupField(g SecurityGroup, name string) ([]string, bool) {
	switch name {
	case "group-id":
		return []string{g.ID}, true
	case "group-name":
		return []string{g.Name}, true
	case "description":
		return []string{g.Description}, true
	case "vpc-id":
		return []string{g.VpcID}, true
	case "owner-id":
		return []string{g.Owner}, true
	}
	return tagField(g.Tags, name)
}

// vpcGroupsDeleteOps removes a VPC's default group with it; other groups
// are dependencies.
func (s *Service) vpcGroupsDeleteOps(ctx context.Context, vpcID string) ([]store.Op, error) {
	groups, err := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	if err != nil {
		return nil, err
	}
	var ops []store.Op
	for _, g := range groups {
		if g.VpcID != vpcID {
			continue
		}
		if g.Name != DefaultGroupName {
			return nil, ec2err.New(ec2err.DependencyViolation, "The vpc '%s' has dependencies and cannot be deleted.", vpcID)
		}
		ops = append(ops, store.Op{Key: prefixSecGroup + g.ID, Delete: true, ExpectRevision: -1},
			store.Op{Key: prefixSGName + g.VpcID + "/" + g.Name, Delete: true, ExpectRevision: -1})
	}
	return ops, nil
}
