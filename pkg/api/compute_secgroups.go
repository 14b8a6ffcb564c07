package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateSecurityGroup creates a security group in a VPC.
func (c *Compute) CreateSecurityGroup(ctx context.Context, r *v1.CreateSecurityGroupRequest) (*v1.CreateSecurityGroupResponse, error) {
	g, err := c.svc.CreateSecurityGroup(ctx, r.GetGroupName(), r.GetDescription(), r.GetVpcId(),
		specTags(r.GetTagSpecifications())["security-group"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.CreateSecurityGroupResponse{GroupId: g.ID}, nil
}

// DeleteSecurityGroup deletes a group no instance uses.
func (c *Compute) DeleteSecurityGroup(ctx context.Context, r *v1.DeleteSecurityGroupRequest) (*v1.DeleteSecurityGroupResponse, error) {
	if err := c.svc.DeleteSecurityGroup(ctx, r.GetGroupId(), r.GetGroupName(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteSecurityGroupResponse{}, nil
}

// DescribeSecurityGroups lists security groups with their rules.
func (c *Compute) DescribeSecurityGroups(ctx context.Context, r *v1.DescribeSecurityGroupsRequest) (*v1.DescribeSecurityGroupsResponse, error) {
	gs, next, err := c.svc.DescribeSecurityGroups(ctx, r.GetGroupIds(), r.GetGroupNames(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeSecurityGroupsResponse{NextToken: next}
	for _, g := range gs {
		out.SecurityGroups = append(out.SecurityGroups, groupOut(g))
	}
	return out, nil
}

// AuthorizeSecurityGroupIngress adds inbound rules.
func (c *Compute) AuthorizeSecurityGroupIngress(ctx context.Context, r *v1.SecurityGroupRulesRequest) (*v1.SecurityGroupRulesResponse, error) {
	return rulesDone(c.svc.AuthorizeSecurityGroup(ctx, r.GetGroupId(), false, permsIn(r.GetIpPermissions()), r.GetDryRun()))
}

// AuthorizeSecurityGroupEgress adds outbound rules.
func (c *Compute) AuthorizeSecurityGroupEgress(ctx context.Context, r *v1.SecurityGroupRulesRequest) (*v1.SecurityGroupRulesResponse, error) {
	return rulesDone(c.svc.AuthorizeSecurityGroup(ctx, r.GetGroupId(), true, permsIn(r.GetIpPermissions()), r.GetDryRun()))
}

// RevokeSecurityGroupIngress removes inbound rules.
func (c *Compute) RevokeSecurityGroupIngress(ctx context.Context, r *v1.SecurityGroupRulesRequest) (*v1.SecurityGroupRulesResponse, error) {
	return rulesDone(c.svc.RevokeSecurityGroup(ctx, r.GetGroupId(), false, permsIn(r.GetIpPermissions()), r.GetDryRun()))
}

// RevokeSecurityGroupEgress removes outbound rules.
func (c *Compute) RevokeSecurityGroupEgress(ctx context.Context, r *v1.SecurityGroupRulesRequest) (*v1.SecurityGroupRulesResponse, error) {
	return rulesDone(c.svc.RevokeSecurityGroup(ctx, r.GetGroupId(), true, permsIn(r.GetIpPermissions()), r.GetDryRun()))
}

func rulesDone(err error) (*v1.SecurityGroupRulesResponse, error) {
	if err != nil {
		return nil, err
	}
	return &v1.SecurityGroupRulesResponse{Return: true}, nil
}

func permsIn(ps []*v1.IpPermission) []controller.Permission {
	var out []controller.Permission
	for _, p := range ps {
		cp := controller.Permission{Protocol: p.GetIpProtocol(), FromPort: p.GetFromPort(), ToPort: p.GetToPort()}
		for _, r := range p.GetIpRanges() {
			cp.IPRanges = append(cp.IPRanges, controller.IPRange{CIDR: r.GetCidrIp(), Description: r.GetDescription()})
		}
		for _, g := range p.GetUserIdGroupPairs() {
			cp.GroupIDs = append(cp.GroupIDs, g.GetGroupId())
		}
		out = append(out, cp)
	}
	return out
}

func permsOut(rules []controller.SGRule) []*v1.IpPermission {
	var out []*v1.IpPermission
	for _, p := range controller.Permissions(rules) {
		vp := &v1.IpPermission{IpProtocol: p.Protocol, FromPort: p.FromPort, ToPort: p.ToPort}
		for _, r := range p.IPRanges {
			vp.IpRanges = append(vp.IpRanges, &v1.IpRange{CidrIp: r.CIDR, Description: r.Description})
		}
		for _, id := range p.GroupIDs {
			vp.UserIdGroupPairs = append(vp.UserIdGroupPairs, &v1.UserIdGroupPair{GroupId: id})
		}
		out = append(out, vp)
	}
	return out
}

func groupOut(g controller.SecurityGroup) *v1.SecurityGroup {
	return &v1.SecurityGroup{GroupId: g.ID, GroupName: g.Name, Description: g.Description, VpcId: g.VpcID,
		OwnerId: g.Owner, IpPermissions: permsOut(g.Ingress), IpPermissionsEgress: permsOut(g.Egress), Tags: tagsOut(g.Tags)}
}

func groupRefsOut(refs []controller.GroupRef) []*v1.GroupIdentifier {
	var out []*v1.GroupIdentifier
	for _, r := range refs {
		out = append(out, &v1.GroupIdentifier{GroupId: r.ID, GroupName: r.Name})
	}
	return out
}
