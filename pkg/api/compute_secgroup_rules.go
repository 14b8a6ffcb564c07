package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// AuthorizeSecurityGroupIngress adds inbound rules.
func (c *Compute) AuthorizeSecurityGroupIngress(ctx context.Context, r *v1.SecurityGroupRulesRequest) (*v1.SecurityGroupRulesResponse, error) {
	return c.authorize(ctx, r, false)
}

// AuthorizeSecurityGroupEgress adds outbound rules.
func (c *Compute) AuthorizeSecurityGroupEgress(ctx context.Context, r *v1.SecurityGroupRulesRequest) (*v1.SecurityGroupRulesResponse, error) {
	return c.authorize(ctx, r, true)
}

func (c *Compute) authorize(ctx context.Context, r *v1.SecurityGroupRulesRequest, egress bool) (*v1.SecurityGroupRulesResponse, error) {
	added, err := c.svc.AuthorizeSecurityGroup(ctx, controller.RuleEdit{GroupID: r.GetGroupId(), Egress: egress,
		Perms: permsIn(r.GetIpPermissions()), Tags: specTags(r.GetTagSpecifications()), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.SecurityGroupRulesResponse{Return: true, SecurityGroupRules: rulesOut(added)}, nil
}

// RevokeSecurityGroupIngress removes inbound rules.
func (c *Compute) RevokeSecurityGroupIngress(ctx context.Context, r *v1.RevokeSecurityGroupRulesRequest) (*v1.RevokeSecurityGroupRulesResponse, error) {
	return c.revoke(ctx, r, false)
}

// RevokeSecurityGroupEgress removes outbound rules.
func (c *Compute) RevokeSecurityGroupEgress(ctx context.Context, r *v1.RevokeSecurityGroupRulesRequest) (*v1.RevokeSecurityGroupRulesResponse, error) {
	return c.revoke(ctx, r, true)
}

func (c *Compute) revoke(ctx context.Context, r *v1.RevokeSecurityGroupRulesRequest, egress bool) (*v1.RevokeSecurityGroupRulesResponse, error) {
	removed, err := c.svc.RevokeSecurityGroup(ctx, controller.RuleEdit{GroupID: r.GetGroupId(), Egress: egress,
		Perms: permsIn(r.GetIpPermissions()), RuleIDs: r.GetSecurityGroupRuleIds(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.RevokeSecurityGroupRulesResponse{Return: true, RevokedSecurityGroupRules: rulesOut(removed)}, nil
}

// DescribeSecurityGroupRules lists rules one by one.
func (c *Compute) DescribeSecurityGroupRules(ctx context.Context, r *v1.DescribeSecurityGroupRulesRequest) (*v1.DescribeSecurityGroupRulesResponse, error) {
	rules, next, err := c.svc.DescribeSecurityGroupRules(ctx, r.GetSecurityGroupRuleIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	return &v1.DescribeSecurityGroupRulesResponse{SecurityGroupRules: rulesOut(rules), NextToken: next}, nil
}

// ModifySecurityGroupRules replaces rules in place.
func (c *Compute) ModifySecurityGroupRules(ctx context.Context, r *v1.ModifySecurityGroupRulesRequest) (*v1.ModifySecurityGroupRulesResponse, error) {
	var updates []controller.RuleUpdate
	for _, u := range r.GetSecurityGroupRules() {
		n := u.GetSecurityGroupRule()
		updates = append(updates, controller.RuleUpdate{RuleID: u.GetSecurityGroupRuleId(), Protocol: n.GetIpProtocol(),
			FromPort: n.FromPort, ToPort: n.ToPort, CIDR: n.GetCidrIpv4(), CIDRv6: n.GetCidrIpv6(),
			PrefixListID: n.GetPrefixListId(), PeerGroupID: n.GetReferencedGroupId(), Description: n.GetDescription()})
	}
	if err := c.svc.ModifySecurityGroupRules(ctx, r.GetGroupId(), updates, r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ModifySecurityGroupRulesResponse{Return: true}, nil
}

// UpdateSecurityGroupRuleDescriptionsIngress sets inbound rules' descriptions.
func (c *Compute) UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, r *v1.UpdateSecurityGroupRuleDescriptionsRequest) (*v1.UpdateSecurityGroupRuleDescriptionsResponse, error) {
	return c.updateDescriptions(ctx, r, false)
}

// UpdateSecurityGroupRuleDescriptionsEgress sets outbound rules' descriptions.
func (c *Compute) UpdateSecurityGroupRuleDescriptionsEgress(ctx context.Context, r *v1.UpdateSecurityGroupRuleDescriptionsRequest) (*v1.UpdateSecurityGroupRuleDescriptionsResponse, error) {
	return c.updateDescriptions(ctx, r, true)
}

func (c *Compute) updateDescriptions(ctx context.Context, r *v1.UpdateSecurityGroupRuleDescriptionsRequest, egress bool) (*v1.UpdateSecurityGroupRuleDescriptionsResponse, error) {
	var descs []controller.RuleDescription
	for _, d := range r.GetSecurityGroupRuleDescriptions() {
		descs = append(descs, controller.RuleDescription{RuleID: d.GetSecurityGroupRuleId(), Description: d.GetDescription()})
	}
	err := c.svc.UpdateSecurityGroupRuleDescriptions(ctx, r.GetGroupId(), r.GetGroupName(), egress,
		permsIn(r.GetIpPermissions()), descs, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.UpdateSecurityGroupRuleDescriptionsResponse{Return: true}, nil
}

func permsIn(ps []*v1.IpPermission) []controller.Permission {
	var out []controller.Permission
	for _, p := range ps {
		cp := controller.Permission{Protocol: p.GetIpProtocol(), FromPort: p.GetFromPort(), ToPort: p.GetToPort()}
		for _, r := range p.GetIpRanges() {
			cp.IPRanges = append(cp.IPRanges, controller.IPRange{CIDR: r.GetCidrIp(), Description: r.GetDescription()})
		}
		for _, r := range p.GetIpv6Ranges() {
			cp.IPv6Ranges = append(cp.IPv6Ranges, controller.IPRange{CIDR: r.GetCidrIpv6(), Description: r.GetDescription()})
		}
		for _, pl := range p.GetPrefixListIds() {
			cp.PrefixListIDs = append(cp.PrefixListIDs, pl.GetPrefixListId())
		}
		for _, g := range p.GetUserIdGroupPairs() {
			cp.Groups = append(cp.Groups, controller.GroupPair{GroupID: g.GetGroupId(), UserID: g.GetUserId(),
				Description: g.GetDescription()})
		}
		out = append(out, cp)
	}
	return out
}

// permsOut regroups rules of a group of owner into permissions.
func permsOut(rules []controller.SGRule, owner string) []*v1.IpPermission {
	var out []*v1.IpPermission
	for _, p := range controller.Permissions(rules) {
		vp := &v1.IpPermission{IpProtocol: p.Protocol, FromPort: p.FromPort, ToPort: p.ToPort}
		for _, r := range p.IPRanges {
			vp.IpRanges = append(vp.IpRanges, &v1.IpRange{CidrIp: r.CIDR, Description: r.Description})
		}
		for _, g := range p.Groups {
			vp.UserIdGroupPairs = append(vp.UserIdGroupPairs, &v1.UserIdGroupPair{GroupId: g.GroupID, UserId: owner,
				Description: g.Description})
		}
		out = append(out, vp)
	}
	return out
}

// rulesOut shows rules one by one (EC2's SecurityGroupRule).
func rulesOut(rules []controller.GroupRule) []*v1.SecurityGroupRule {
	out := make([]*v1.SecurityGroupRule, len(rules))
	for i, r := range rules {
		out[i] = &v1.SecurityGroupRule{SecurityGroupRuleId: r.Rule.ID, GroupId: r.GroupID, GroupOwnerId: r.Owner,
			IsEgress: r.Egress, IpProtocol: r.Rule.Protocol, FromPort: r.Rule.FromPort, ToPort: r.Rule.ToPort,
			CidrIpv4: r.Rule.CIDR, Description: r.Rule.Description, Tags: tagsOut(r.Rule.Tags), SecurityGroupRuleArn: r.ARN}
		if r.Rule.GroupID != "" {
			out[i].ReferencedGroupInfo = &v1.ReferencedSecurityGroup{GroupId: r.Rule.GroupID, UserId: r.Owner}
		}
	}
	return out
}
