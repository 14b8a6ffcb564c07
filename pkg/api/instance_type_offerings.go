package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeInstanceTypeOfferings lists the types each location offers.
func (c *Compute) DescribeInstanceTypeOfferings(ctx context.Context, r *v1.DescribeInstanceTypeOfferingsRequest) (*v1.DescribeInstanceTypeOfferingsResponse, error) {
	list, next, err := c.svc.InstanceTypeOfferings(ctx, controller.OfferingsRequest{LocationType: r.GetLocationType(),
		Filters: filtersIn(r.GetFilters()), Page: page(r.GetMaxResults(), r.GetNextToken()), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeInstanceTypeOfferingsResponse{NextToken: next}
	for _, o := range list {
		out.InstanceTypeOfferings = append(out.InstanceTypeOfferings,
			&v1.InstanceTypeOffering{InstanceType: o.InstanceType, LocationType: o.LocationType, Location: o.Location})
	}
	return out, nil
}
