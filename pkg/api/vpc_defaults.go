package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateDefaultVpc makes the caller a default VPC when it has none.
func (c *Compute) CreateDefaultVpc(ctx context.Context, r *v1.CreateDefaultVpcRequest) (*v1.Vpc, error) {
	v, err := c.svc.CreateDefaultVpc(ctx, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return vpcOut(v), nil
}

// CreateDefaultSubnet makes a zone's default subnet in the default VPC.
func (c *Compute) CreateDefaultSubnet(ctx context.Context, r *v1.CreateDefaultSubnetRequest) (*v1.Subnet, error) {
	sn, err := c.svc.CreateDefaultSubnet(ctx, controller.DefaultSubnetRequest{AZ: r.GetAvailabilityZone(),
		AZID: r.GetAvailabilityZoneId(), IPv6Native: r.GetIpv6Native(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return subnetOut(sn), nil
}
