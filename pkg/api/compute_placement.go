package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreatePlacementGroup creates a placement group.
func (c *Compute) CreatePlacementGroup(ctx context.Context, r *v1.CreatePlacementGroupRequest) (*v1.PlacementGroup, error) {
	g, err := c.svc.CreatePlacementGroup(ctx, r.GetGroupName(), r.GetStrategy(), int(r.GetPartitionCount()),
		specTags(r.GetTagSpecifications())["placement-group"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return placementGroupOut(g), nil
}

// DescribePlacementGroups lists placement groups.
func (c *Compute) DescribePlacementGroups(ctx context.Context, r *v1.DescribePlacementGroupsRequest) (*v1.DescribePlacementGroupsResponse, error) {
	gs, err := c.svc.DescribePlacementGroups(ctx, r.GetGroupNames(), r.GetGroupIds(), filtersIn(r.GetFilters()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribePlacementGroupsResponse{}
	for _, g := range gs {
		out.PlacementGroups = append(out.PlacementGroups, placementGroupOut(g))
	}
	return out, nil
}

// DeletePlacementGroup deletes an unused placement group.
func (c *Compute) DeletePlacementGroup(ctx context.Context, r *v1.DeletePlacementGroupRequest) (*v1.DeletePlacementGroupResponse, error) {
	if err := c.svc.DeletePlacementGroup(ctx, r.GetGroupName(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeletePlacementGroupResponse{}, nil
}

func placementGroupOut(g controller.PlacementGroup) *v1.PlacementGroup {
	return &v1.PlacementGroup{GroupName: g.Name, GroupId: g.ID, Strategy: g.Strategy,
		PartitionCount: int32(g.PartitionCount), State: g.State, Tags: tagsOut(g.Tags), GroupArn: g.ARN}
}
