package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// DescribeAddresses lists the caller's Elastic IPs; a named allocation ID
// or public IP that is not the caller's is an error.
func (s *Service) DescribeAddresses(ctx context.Context, allocIDs, publicIPs []string, filters []Filter) ([]Address, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.accountAddresses(ctx, acct)
	if err != nil {
		return nil, err
	}
	var out []Address
	for _, a := range all {
		if (len(allocIDs) > 0 && !contains(allocIDs, a.AllocationID)) || (len(publicIPs) > 0 && !contains(publicIPs, a.PublicIP)) {
			continue
		}
		ok, err := matches(filters, func(n string) ([]string, bool) { return addressField(a, n) })
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s.addressView(a))
		}
	}
	for _, id := range allocIDs {
		if !containsFunc(all, func(a Address) bool { return a.AllocationID == id }) {
			return nil, allocationNotFound(id)
		}
	}
	for _, ip := range publicIPs {
		if !containsFunc(all, func(a Address) bool { return a.PublicIP == ip }) {
			return nil, ec2err.New(ec2err.InvalidAddressNotFound, "Address '%s' not found.", ip)
		}
	}
	return out, nil
}

// addressField answers DescribeAddresses' filters.
func addressField(a Address, name string) ([]string, bool) {
	as := a.Association
	if as == nil {
		as = &AddressAssociation{}
	}
	switch name {
	case "allocation-id":
		return []string{a.AllocationID}, true
	case "public-ip":
		return []string{a.PublicIP}, true
	case "domain":
		return []string{a.Domain}, true
	case "association-id":
		return nonEmpty(as.ID), true
	case "instance-id":
		return nonEmpty(as.InstanceID), true
	case "network-interface-id":
		return nonEmpty(as.NetworkInterfaceID), true
	case "network-interface-owner-id":
		return nonEmpty(as.NetworkInterfaceOwner), true
	case "private-ip-address":
		return nonEmpty(as.PrivateIP), true
	}
	return tagField(a.Tags, name)
}

// ENIAssociation is an interface address's public address (an Elastic
// IP, or an auto-assigned one: IPOwner amazon and no IDs) as the instance
// and interface views show it.
type ENIAssociation struct {
	NetworkInterfaceID, PrivateIP string
	PublicIP, IPOwner             string
	AllocationID, AssociationID   string
}

// associationsByInstance maps an instance ID to the Elastic IPs
// associated with its interfaces.
func (s *Service) associationsByInstance(ctx context.Context) (map[string][]ENIAssociation, error) {
	all, err := s.accountAddresses(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string][]ENIAssociation{}
	for _, a := range all {
		if as := a.Association; as != nil && as.InstanceID != "" {
			out[as.InstanceID] = append(out[as.InstanceID], ENIAssociation{NetworkInterfaceID: as.NetworkInterfaceID,
				PrivateIP: as.PrivateIP, PublicIP: a.PublicIP, IPOwner: a.Owner, AllocationID: a.AllocationID, AssociationID: as.ID})
		}
	}
	return out, nil
}

// withAddresses fills the instances' Elastic IP associations (their
// copies: insts are not cache records).
func (s *Service) withAddresses(ctx context.Context, insts []Instance) error {
	byInst, err := s.associationsByInstance(ctx)
	if err != nil {
		return err
	}
	for i := range insts {
		insts[i].Addresses = byInst[insts[i].ID]
	}
	return nil
}

// association is the public address of an interface address, nil for
// none: its Elastic IP or, without one, the instance's auto-assigned
// address (publicips.go).
func (in Instance) association(eniID, privateIP string) *ENIAssociation {
	for _, a := range in.Addresses {
		if a.NetworkInterfaceID == eniID && a.PrivateIP == privateIP {
			return &a
		}
	}
	if auto := in.autoAssociation(); auto != nil && auto.NetworkInterfaceID == eniID && auto.PrivateIP == privateIP {
		return auto
	}
	return nil
}

// PublicIP is the instance's public address: the Elastic IP of its
// primary interface's primary address, or its auto-assigned one ("" when
// none).
func (in Instance) PublicIP() string {
	for _, ni := range in.NetworkInterfaces() {
		if ni.Attachment != nil && ni.Attachment.DeviceIndex == primaryDeviceIndex && ni.Association != nil {
			return ni.Association.PublicIP
		}
	}
	return ""
}
