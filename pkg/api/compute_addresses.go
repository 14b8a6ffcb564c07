package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// AllocateAddress allocates an Elastic IP of the region's pool.
func (c *Compute) AllocateAddress(ctx context.Context, r *v1.AllocateAddressRequest) (*v1.AllocateAddressResponse, error) {
	a, err := c.svc.AllocateAddress(ctx, controller.AllocateRequest{Domain: r.GetDomain(), Address: r.GetAddress(),
		PublicIPv4Pool: r.GetPublicIpv4Pool(), NetworkBorderGroup: r.GetNetworkBorderGroup(),
		CustomerOwnedIPv4Pool: r.GetCustomerOwnedIpv4Pool(), IpamPoolID: r.GetIpamPoolId(),
		Tags: specTags(r.GetTagSpecifications())["elastic-ip"], DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.AllocateAddressResponse{AllocationId: a.AllocationID, PublicIp: a.PublicIP, Domain: a.Domain,
		PublicIpv4Pool: a.PublicIPv4Pool, NetworkBorderGroup: a.NetworkBorderGroup}, nil
}

// AssociateAddress associates an Elastic IP with an instance or interface.
func (c *Compute) AssociateAddress(ctx context.Context, r *v1.AssociateAddressRequest) (*v1.AssociateAddressResponse, error) {
	id, err := c.svc.AssociateAddress(ctx, controller.AssociateRequest{AllocationID: r.GetAllocationId(),
		PublicIP: r.GetPublicIp(), InstanceID: r.GetInstanceId(), NetworkInterfaceID: r.GetNetworkInterfaceId(),
		PrivateIP: r.GetPrivateIpAddress(), AllowReassociation: r.GetAllowReassociation(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.AssociateAddressResponse{AssociationId: id}, nil
}

// DisassociateAddress ends an Elastic IP's association.
func (c *Compute) DisassociateAddress(ctx context.Context, r *v1.DisassociateAddressRequest) (*v1.DisassociateAddressResponse, error) {
	if err := c.svc.DisassociateAddress(ctx, r.GetAssociationId(), r.GetPublicIp(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DisassociateAddressResponse{}, nil
}

// ReleaseAddress gives an Elastic IP back to the region's pool.
func (c *Compute) ReleaseAddress(ctx context.Context, r *v1.ReleaseAddressRequest) (*v1.ReleaseAddressResponse, error) {
	if err := c.svc.CheckNetworkBorderGroup(r.GetNetworkBorderGroup()); err != nil {
		return nil, err
	}
	if err := c.svc.ReleaseAddress(ctx, r.GetAllocationId(), r.GetPublicIp(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ReleaseAddressResponse{}, nil
}

// DescribeAddresses lists the caller's Elastic IPs; a DryRun answers
// DryRunOperation once the addresses named are found.
func (c *Compute) DescribeAddresses(ctx context.Context, r *v1.DescribeAddressesRequest) (*v1.DescribeAddressesResponse, error) {
	as, err := c.svc.DescribeAddresses(ctx, r.GetAllocationIds(), r.GetPublicIps(), filtersIn(r.GetFilters()))
	if err != nil {
		return nil, err
	}
	if r.GetDryRun() {
		return nil, controller.DryRun()
	}
	out := &v1.DescribeAddressesResponse{}
	for _, a := range as {
		out.Addresses = append(out.Addresses, addressOut(a))
	}
	return out, nil
}

func addressOut(a controller.Address) *v1.Address {
	out := &v1.Address{AllocationId: a.AllocationID, PublicIp: a.PublicIP, Domain: a.Domain,
		PublicIpv4Pool: a.PublicIPv4Pool, NetworkBorderGroup: a.NetworkBorderGroup, Tags: tagsOut(a.Tags)}
	if as := a.Association; as != nil {
		out.AssociationId, out.InstanceId, out.NetworkInterfaceId = as.ID, as.InstanceID, as.NetworkInterfaceID
		out.NetworkInterfaceOwnerId, out.PrivateIpAddress = as.NetworkInterfaceOwner, as.PrivateIP
	}
	return out
}

func eniAssociationOut(a *controller.ENIAssociation) *v1.NetworkInterfaceAssociation {
	if a == nil {
		return nil
	}
	return &v1.NetworkInterfaceAssociation{PublicIp: a.PublicIP, IpOwnerId: a.IPOwner, AllocationId: a.AllocationID,
		AssociationId: a.AssociationID}
}
