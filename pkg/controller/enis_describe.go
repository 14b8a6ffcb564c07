package controller

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/network"
)

// DescribeNetworkInterfaces lists the caller's network interfaces (the
// interfaces of its instances and of its NAT gateways), filtered and
// paginated by ID.
func (s *Service) DescribeNetworkInterfaces(ctx context.Context, idList []string, filters []Filter, p Page) ([]NetworkInterface, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	for _, id := range idList {
		if err := checkENIID(id); err != nil {
			return nil, "", err
		}
	}
	insts, err := s.instancesBy(ctx, "owner", acct)
	if err != nil {
		return nil, "", err
	}
	byInst, err := s.associationsByInstance(ctx)
	if err != nil {
		return nil, "", err
	}
	var all []NetworkInterface
	for _, ref := range insts {
		in := *ref // a copy: ref is the cache's record
		in.Addresses = byInst[in.ID]
		all = append(all, in.NetworkInterfaces()...)
	}
	nats, err := s.natGatewayInterfaces(ctx, acct)
	if err != nil {
		return nil, "", err
	}
	all = append(all, nats...)
	slices.SortFunc(all, func(a, b NetworkInterface) int { return strings.Compare(a.ID, b.ID) })
	return selectPage(all, selection[NetworkInterface]{IDs: idList, Filters: filters, Page: p,
		ID: func(ni NetworkInterface) string { return ni.ID }, Field: eniField,
		Keep: func(ni NetworkInterface) bool { return ni.Owner == acct }, NotFound: eniNotFound})
}

// eniField answers the filters EC2 documents for DescribeNetworkInterfaces.
// Those about addresses ec2lab does not give (public, IPv6) are known and
// match nothing.
func eniField(ni NetworkInterface, name string) ([]string, bool) {
	switch name {
	case "network-interface-id":
		return []string{ni.ID}, true
	case "subnet-id":
		return []string{ni.SubnetID}, true
	case "vpc-id":
		return []string{ni.VpcID}, true
	case "availability-zone":
		return []string{ni.AZ}, true
	case "description":
		return []string{ni.Description}, true
	case "owner-id":
		return []string{ni.Owner}, true
	case "status":
		return []string{ni.Status}, true
	case "mac-address":
		return nonEmpty(ni.MAC), true
	case "private-ip-address", "addresses.private-ip-address":
		return nonEmpty(ni.PrivateIP), true
	case "addresses.primary":
		return []string{strconv.FormatBool(ni.PrivateIP != "")}, true
	case "private-dns-name":
		return nonEmpty(ni.PrivateDNS), true
	case "group-id":
		return GroupIDs(ni.Groups), true
	case "group-name":
		return groupNames(ni.Groups), true
	case "interface-type":
		return []string{ni.InterfaceType}, true
	case "requester-managed":
		return []string{strconv.FormatBool(ni.RequesterManaged)}, true
	case "source-dest-check":
		return []string{strconv.FormatBool(ni.SourceDestCheck)}, true
	case "requester-id", "ipv6-addresses.ipv6-address", "association.public-dns-name":
		return nil, true
	}
	if v, ok := eniAssociationField(ni.Association, name); ok {
		return v, true
	}
	if v, ok := eniAttachmentField(ni.Attachment, name); ok {
		return v, true
	}
	return tagField(ni.Tags, name)
}

// eniAttachmentField answers the attachment.* filters (nothing matches a
// detached interface).
func eniAttachmentField(a *NetworkInterfaceAttachment, name string) ([]string, bool) {
	var v string
	switch name {
	case "attachment.attachment-id":
		v = attachmentValue(a, func(a NetworkInterfaceAttachment) string { return a.ID })
	case "attachment.instance-id":
		v = attachmentValue(a, func(a NetworkInterfaceAttachment) string { return a.InstanceID })
	case "attachment.instance-owner-id":
		v = attachmentValue(a, func(a NetworkInterfaceAttachment) string { return a.InstanceOwner })
	case "attachment.status":
		v = attachmentValue(a, func(a NetworkInterfaceAttachment) string { return a.Status })
	case "attachment.device-index":
		v = attachmentValue(a, func(a NetworkInterfaceAttachment) string { return strconv.Itoa(a.DeviceIndex) })
	case "attachment.delete-on-termination":
		v = attachmentValue(a, func(a NetworkInterfaceAttachment) string { return strconv.FormatBool(a.DeleteOnTermination) })
	case "attachment.attach-time":
		v = attachmentValue(a, func(a NetworkInterfaceAttachment) string { return filterTime(a.AttachTime) })
	default:
		return nil, false
	}
	return nonEmpty(v), true
}

func attachmentValue(a *NetworkInterfaceAttachment, f func(NetworkInterfaceAttachment) string) string {
	if a == nil {
		return ""
	}
	return f(*a)
}

func groupNames(refs []GroupRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Name
	}
	return out
}

// filterTime is how a time filter value is written (EC2's ISO 8601 form).
func filterTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// eniAssociationField answers the association filters (nothing matches an
// interface without an Elastic IP).
func eniAssociationField(a *ENIAssociation, name string) ([]string, bool) {
	if a == nil {
		a = &ENIAssociation{}
	}
	switch name {
	case "association.allocation-id":
		return nonEmpty(a.AllocationID), true
	case "association.association-id":
		return nonEmpty(a.AssociationID), true
	case "association.ip-owner-id", "addresses.association.owner-id":
		return nonEmpty(a.IPOwner), true
	case "association.public-ip", "addresses.association.public-ip":
		return nonEmpty(a.PublicIP), true
	}
	return nil, false
}

// ENITypeNatGateway is the interface type of a NAT gateway's interface.
const ENITypeNatGateway = "nat_gateway"

// natGatewayInterfaces are the interfaces of the account's NAT gateways
// that hold their addresses: requester-managed, in use, with the
// gateway's Elastic IP.
func (s *Service) natGatewayInterfaces(ctx context.Context, acct string) ([]NetworkInterface, error) {
	nats, err := s.natGateways(ctx)
	if err != nil {
		return nil, err
	}
	var out []NetworkInterface
	for _, g := range nats {
		if g.Owner != acct || !g.live() {
			continue
		}
		ni := NetworkInterface{ID: g.NetworkInterfaceID(), Owner: g.Owner, VpcID: g.VpcID, SubnetID: g.SubnetID,
			AZ: g.AZ, Description: "Interface for NAT Gateway " + g.ID, Status: ENIStatusInUse,
			MAC: network.MAC(g.ID, 0).String(), PrivateIP: g.PrivateIP, InterfaceType: ENITypeNatGateway, RequesterManaged: true}
		if a, err := netip.ParseAddr(g.PrivateIP); err == nil {
			ni.PrivateDNS = network.PrivateDNSName(a, s.cfg.Region)
		}
		if g.State != NatGatewayDeleting {
			ni.Association = &ENIAssociation{NetworkInterfaceID: ni.ID, PrivateIP: g.PrivateIP, PublicIP: g.PublicIP,
				IPOwner: g.Owner, AllocationID: g.AllocationID, AssociationID: g.AssociationID}
		}
		out = append(out, ni)
	}
	return out, nil
}
