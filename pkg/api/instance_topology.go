package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeInstanceTopology answers where running instances sit.
func (c *Compute) DescribeInstanceTopology(ctx context.Context, r *v1.DescribeInstanceTopologyRequest) (*v1.DescribeInstanceTopologyResponse, error) {
	list, next, err := c.svc.DescribeInstanceTopology(ctx, controller.TopologyRequest{InstanceIDs: r.GetInstanceIds(),
		GroupNames: r.GetGroupNames(), Filters: filtersIn(r.GetFilters()), Page: page(r.GetMaxResults(), r.GetNextToken()),
		DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeInstanceTopologyResponse{NextToken: next}
	for _, it := range list {
		out.Instances = append(out.Instances, &v1.InstanceTopology{InstanceId: it.InstanceID, InstanceType: it.InstanceType,
			GroupName: it.GroupName, NetworkNodes: it.NetworkNodes, AvailabilityZone: it.AZ, ZoneId: it.ZoneID})
	}
	return out, nil
}
