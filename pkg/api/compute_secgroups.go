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
	return &v1.CreateSecurityGroupResponse{GroupId: g.ID, SecurityGroupArn: g.ARN}, nil
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

func groupOut(g controller.SecurityGroup) *v1.SecurityGroup {
	return &v1.SecurityGroup{GroupId: g.ID, GroupName: g.Name, Description: g.Description, VpcId: g.VpcID,
		OwnerId: g.Owner, IpPermissions: permsOut(g.Ingress, g.Owner), IpPermissionsEgress: permsOut(g.Egress, g.Owner), Tags: tagsOut(g.Tags),
		SecurityGroupArn: g.ARN}
}

func groupRefsOut(refs []controller.GroupRef) []*v1.GroupIdentifier {
	var out []*v1.GroupIdentifier
	for _, r := range refs {
		out = append(out, &v1.GroupIdentifier{GroupId: r.ID, GroupName: r.Name})
	}
	return out
}
