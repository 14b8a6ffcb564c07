package controller

import (
	"context"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// SecurityGroupReference is a group of another VPC whose rules refer to
// one of the caller's groups through a VPC peering connection.
type SecurityGroupReference struct {
	GroupID, ReferencingVpcID, VpcPeeringConnectionID string
}

// DescribeSecurityGroupReferences answers the groups of peered VPCs that
// refer to the caller's groupIDs. ec2lab has no VPC peering, so no group of
// another VPC can refer to them: the answer is empty once each group is
// known to be the caller's.
func (s *Service) DescribeSecurityGroupReferences(ctx context.Context, groupIDs []string, dryRun bool) ([]SecurityGroupReference, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	if len(groupIDs) == 0 {
		return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter GroupId")
	}
	for _, id := range groupIDs {
		if _, _, err := s.ownGroup(ctx, acct, id); err != nil {
			return nil, err
		}
	}
	if dryRun {
		return nil, DryRun()
	}
	return nil, nil
}

// vpcGroupQuery is the common start of the by-VPC group queries: the
// caller's account once its page size (5 to maxResults) and vpcID (its
// own) are checked, and every recorded group.
func (s *Service) vpcGroupQuery(ctx context.Context, vpcID string, p Page, maxResults int, dryRun bool) (string, []SecurityGroup, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", nil, err
	}
	if err := checkMaxResults(p, false, 5, maxResults); err != nil {
		return "", nil, err
	}
	if _, _, err := s.ownVPC(ctx, acct, vpcID); err != nil {
		return "", nil, err
	}
	if dryRun {
		return "", nil, DryRun()
	}
	groups, err := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	return acct, groups, err
}

// SecurityGroupForVpc is a group GetSecurityGroupsForVpc answers: one the
// caller may associate with network interfaces in the VPC.
type SecurityGroupForVpc struct {
	GroupID, GroupName, Description, OwnerID, PrimaryVpcID string
	Tags                                                   []Tag
}

// GetSecurityGroupsForVpc lists the caller's groups usable in vpcID (the
// groups made in it: ec2lab shares no VPC), filtered and paginated.
func (s *Service) GetSecurityGroupsForVpc(ctx context.Context, vpcID string, filters []Filter, p Page, dryRun bool) ([]SecurityGroupForVpc, string, error) {
	acct, groups, err := s.vpcGroupQuery(ctx, vpcID, p, 1000, dryRun)
	if err != nil {
		return nil, "", err
	}
	var all []SecurityGroupForVpc
	for _, g := range groups {
		all = append(all, SecurityGroupForVpc{GroupID: g.ID, GroupName: g.Name, Description: g.Description,
			OwnerID: g.Owner, PrimaryVpcID: g.VpcID, Tags: g.Tags})
	}
	return selectPage(all, selection[SecurityGroupForVpc]{Filters: filters, Page: p,
		ID:    func(g SecurityGroupForVpc) string { return g.GroupID },
		Field: groupForVpcField,
		Keep:  func(g SecurityGroupForVpc) bool { return g.OwnerID == acct && g.PrimaryVpcID == vpcID }})
}

// groupForVpcField answers GetSecurityGroupsForVpc's filters.
func groupForVpcField(g SecurityGroupForVpc, name string) ([]string, bool) {
	switch name {
	case "group-id":
		return []string{g.GroupID}, true
	case "group-name":
		return []string{g.GroupName}, true
	case "description":
		return []string{g.Description}, true
	case "owner-id":
		return []string{g.OwnerID}, true
	case "primary-vpc-id":
		return []string{g.PrimaryVpcID}, true
	}
	return tagField(g.Tags, name)
}

// StaleSecurityGroup is a group of the VPC with rules that refer to
// security groups that no longer exist (or, on EC2, to groups of a peered
// VPC whose peering is gone).
type StaleSecurityGroup struct {
	GroupID, GroupName, Description, VpcID string
	StaleIngress, StaleEgress              []StalePermission
}

// StalePermission is one stale rule: its traffic and the groups it refers
// to that no longer exist.
type StalePermission struct {
	Protocol         string
	FromPort, ToPort int32
	GroupIDs         []string
}

// DescribeStaleSecurityGroups lists the caller's groups of vpcID whose
// rules refer to security groups that do not exist (any more), computed
// from the recorded rules.
func (s *Service) DescribeStaleSecurityGroups(ctx context.Context, vpcID string, p Page, dryRun bool) ([]StaleSecurityGroup, string, error) {
	acct, groups, err := s.vpcGroupQuery(ctx, vpcID, p, 255, dryRun)
	if err != nil {
		return nil, "", err
	}
	live := map[string]string{} // group ID → VPC
	for _, g := range groups {
		live[g.ID] = g.VpcID
	}
	var all []StaleSecurityGroup
	for _, g := range groups {
		if g.Owner != acct || g.VpcID != vpcID {
			continue
		}
		in, eg := staleRules(g.Ingress, live, vpcID), staleRules(g.Egress, live, vpcID)
		if len(in) > 0 || len(eg) > 0 {
			all = append(all, StaleSecurityGroup{GroupID: g.ID, GroupName: g.Name, Description: g.Description,
				VpcID: g.VpcID, StaleIngress: in, StaleEgress: eg})
		}
	}
	return selectPage(all, selection[StaleSecurityGroup]{Page: p, ID: func(g StaleSecurityGroup) string { return g.GroupID }})
}

// staleRules gathers, by traffic, the rules' group peers that do not
// exist in vpcID.
func staleRules(rules []SGRule, live map[string]string, vpcID string) []StalePermission {
	var out []StalePermission
	for _, r := range rules {
		if vpc, ok := live[r.GroupID]; r.GroupID == "" || (ok && vpc == vpcID) {
			continue
		}
		i := slices.IndexFunc(out, func(p StalePermission) bool {
			return p.Protocol == r.Protocol && p.FromPort == r.FromPort && p.ToPort == r.ToPort
		})
		if i < 0 {
			out, i = append(out, StalePermission{Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort}), len(out)
		}
		out[i].GroupIDs = append(out[i].GroupIDs, r.GroupID)
	}
	return out
}
