package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeSecurityGroupReferences answers the peered VPCs' groups that
// refer to the given groups (none: ec2lab has no peering).
func (c *Compute) DescribeSecurityGroupReferences(ctx context.Context, r *v1.DescribeSecurityGroupReferencesRequest) (*v1.DescribeSecurityGroupReferencesResponse, error) {
	refs, err := c.svc.DescribeSecurityGroupReferences(ctx, r.GetGroupIds(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeSecurityGroupReferencesResponse{}
	for _, ref := range refs {
		out.SecurityGroupReferenceSet = append(out.SecurityGroupReferenceSet, &v1.SecurityGroupReference{GroupId: ref.GroupID,
			ReferencingVpcId: ref.ReferencingVpcID, VpcPeeringConnectionId: ref.VpcPeeringConnectionID})
	}
	return out, nil
}

// DescribeStaleSecurityGroups lists a VPC's groups with rules that refer
// to groups that no longer exist.
func (c *Compute) DescribeStaleSecurityGroups(ctx context.Context, r *v1.DescribeStaleSecurityGroupsRequest) (*v1.DescribeStaleSecurityGroupsResponse, error) {
	groups, next, err := c.svc.DescribeStaleSecurityGroups(ctx, r.GetVpcId(), page(r.GetMaxResults(), r.GetNextToken()), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeStaleSecurityGroupsResponse{NextToken: next}
	for _, g := range groups {
		sg := &v1.StaleSecurityGroup{GroupId: g.GroupID, GroupName: g.GroupName, Description: g.Description, VpcId: g.VpcID}
		for _, p := range g.StaleIngress {
			sg.StaleIpPermissions = append(sg.StaleIpPermissions, stalePermissionOut(p))
		}
		for _, p := range g.StaleEgress {
			sg.StaleIpPermissionsEgress = append(sg.StaleIpPermissionsEgress, stalePermissionOut(p))
		}
		out.StaleSecurityGroupSet = append(out.StaleSecurityGroupSet, sg)
	}
	return out, nil
}

func stalePermissionOut(p controller.StalePermission) *v1.StaleIpPermission {
	out := &v1.StaleIpPermission{IpProtocol: p.Protocol, FromPort: p.FromPort, ToPort: p.ToPort}
	for _, id := range p.GroupIDs {
		out.UserIdGroupPairs = append(out.UserIdGroupPairs, &v1.UserIdGroupPair{GroupId: id})
	}
	return out
}

// GetSecurityGroupsForVpc lists the caller's groups usable in a VPC.
func (c *Compute) GetSecurityGroupsForVpc(ctx context.Context, r *v1.GetSecurityGroupsForVpcRequest) (*v1.GetSecurityGroupsForVpcResponse, error) {
	groups, next, err := c.svc.GetSecurityGroupsForVpc(ctx, r.GetVpcId(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.GetSecurityGroupsForVpcResponse{NextToken: next}
	for _, g := range groups {
		out.SecurityGroupForVpcs = append(out.SecurityGroupForVpcs, &v1.SecurityGroupForVpc{GroupId: g.GroupID,
			GroupName: g.GroupName, Description: g.Description, OwnerId: g.OwnerID, PrimaryVpcId: g.PrimaryVpcID,
			Tags: tagsOut(g.Tags)})
	}
	return out, nil
}
