package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateDhcpOptions records a DHCP option set.
func (c *Compute) CreateDhcpOptions(ctx context.Context, r *v1.CreateDhcpOptionsRequest) (*v1.CreateDhcpOptionsResponse, error) {
	var confs []controller.DhcpConfiguration
	for _, dc := range r.GetDhcpConfigurations() {
		confs = append(confs, controller.DhcpConfiguration{Key: dc.GetKey(), Values: dc.GetValues()})
	}
	d, err := c.svc.CreateDhcpOptions(ctx, confs, specTags(r.GetTagSpecifications())["dhcp-options"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.CreateDhcpOptionsResponse{DhcpOptions: dhcpOptionsOut(d)}, nil
}

// DeleteDhcpOptions deletes a set no VPC uses.
func (c *Compute) DeleteDhcpOptions(ctx context.Context, r *v1.DeleteDhcpOptionsRequest) (*v1.DeleteDhcpOptionsResponse, error) {
	if err := c.svc.DeleteDhcpOptions(ctx, r.GetDhcpOptionsId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteDhcpOptionsResponse{}, nil
}

// AssociateDhcpOptions gives a VPC a set, or "default".
func (c *Compute) AssociateDhcpOptions(ctx context.Context, r *v1.AssociateDhcpOptionsRequest) (*v1.AssociateDhcpOptionsResponse, error) {
	if err := c.svc.AssociateDhcpOptions(ctx, r.GetDhcpOptionsId(), r.GetVpcId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.AssociateDhcpOptionsResponse{}, nil
}

// DescribeDhcpOptions lists the caller's sets.
func (c *Compute) DescribeDhcpOptions(ctx context.Context, r *v1.DescribeDhcpOptionsRequest) (*v1.DescribeDhcpOptionsResponse, error) {
	ds, next, err := c.svc.DescribeDhcpOptions(ctx, r.GetDhcpOptionsIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	if r.GetDryRun() {
		return nil, controller.DryRun()
	}
	out := &v1.DescribeDhcpOptionsResponse{NextToken: next}
	for _, d := range ds {
		out.DhcpOptions = append(out.DhcpOptions, dhcpOptionsOut(d))
	}
	return out, nil
}

func dhcpOptionsOut(d controller.DhcpOptions) *v1.DhcpOptions {
	out := &v1.DhcpOptions{DhcpOptionsId: d.ID, OwnerId: d.Owner, Tags: tagsOut(d.Tags)}
	for _, c := range d.Configurations {
		out.DhcpConfigurations = append(out.DhcpConfigurations, &v1.DhcpConfiguration{Key: c.Key, Values: c.Values})
	}
	return out
}
