package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// maxVNI is the largest VXLAN network identifier (24 bits).
const maxVNI = 1<<24 - 1

// Subnet is the record of a subnet: a range of its VPC in one AZ, one
// VXLAN segment (VNI) across the hosts that carry it.
type Subnet struct {
	ID           string `json:"id"`
	VpcID        string `json:"vpc_id"`
	Owner        string `json:"owner"`
	AZ           string `json:"az"`
	CIDR         string `json:"cidr"`
	State        string `json:"state"`
	DefaultForAZ bool   `json:"default_for_az,omitempty"`
	// MapPublicIPOnLaunch gives instances launched into the subnet a
	// public IPv4 address unless their interface says otherwise
	// (ModifySubnetAttribute; publicips.go).
	MapPublicIPOnLaunch bool   `json:"map_public_ip_on_launch,omitempty"`
	VNI                 uint32 `json:"vni"`
	Tags                []Tag  `json:"tags,omitempty"`
	// Computed on read: Available (usable addresses not held by an
	// instance), ZoneID (the AZ's ID) and ARN.
	Available int    `json:"-"`
	ZoneID    string `json:"-"`
	ARN       string `json:"-"`
}

// withComputed fills a subnet record's read-time fields.
func (s *Service) withComputed(sn Subnet, held int) Subnet {
	sn.Available = network.Usable(sn.Prefix()) - held
	if z, ok := s.cfg.Zone(sn.AZ); ok {
		sn.ZoneID = z.ID
	}
	sn.ARN = fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", s.cfg.Region, sn.Owner, sn.ID)
	return sn
}

// Prefix is the subnet's CIDR block.
func (sn Subnet) Prefix() netip.Prefix { return netip.MustParsePrefix(sn.CIDR) }

// CreateSubnet records a subnet of vpcID in az (default: the first zone).
func (s *Service) CreateSubnet(ctx context.Context, vpcID, cidr, az string, tags []Tag, dryRun bool) (Subnet, error) {
	acct, err := account(ctx)
	if err != nil {
		return Subnet{}, err
	}
	if cidr == "" {
		return Subnet{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter CidrBlock")
	}
	v, _, err := s.ownVPC(ctx, acct, vpcID)
	if err != nil {
		return Subnet{}, err
	}
	if az == "" {
		az = s.cfg.AvailabilityZones[0].Name
	} else if _, ok := s.cfg.Zone(az); !ok {
		return Subnet{}, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", az, s.zoneNames())
	}
	if err := validateTags(tags); err != nil {
		return Subnet{}, err
	}
	if !dryRun {
		release, err := s.admit(ctx, acct, QuotaSubnets, v.ID, 1, s.countSubnets(acct, v.ID))
		if err != nil {
			return Subnet{}, err
		}
		defer release()
	}
	for attempt := 0; ; attempt++ {
		sn, ops, err := s.newSubnet(ctx, acct, v.ID, cidr, az, tags)
		if err != nil {
			return Subnet{}, err
		}
		if dryRun {
			return Subnet{}, DryRun()
		}
		if _, err = s.st.Txn(ctx, ops...); err == nil {
			s.log.Info("subnet created", "subnet", sn.ID, "vpc", v.ID, "cidr", sn.CIDR, "az", az, "vni", sn.VNI)
			return s.withComputed(sn, 0), nil
		} else if !errors.Is(err, store.ErrConflict) || attempt > 20 {
			return Subnet{}, fmt.Errorf("record subnet: %w", err)
		}
	}
}

// newSubnet validates the CIDR against the VPC as it is now and its
// subnets, and returns the record and the ops that create it. Rewriting
// that VPC record under its revision makes two concurrent CreateSubnet
// calls in one VPC conflict instead of overlapping, and a concurrent
// change of the VPC (a DHCP option set, a CIDR block) conflict instead of
// being undone.
func (s *Service) newSubnet(ctx context.Context, acct, vpcID, cidr, az string, tags []Tag) (Subnet, []store.Op, error) {
	v, vrev, err := store.GetJSON[VPC](ctx, s.st, prefixVPC+vpcID)
	if errors.Is(err, store.ErrNotFound) {
		return Subnet{}, nil, ec2err.New(ec2err.InvalidVpcIDNotFound, "The vpc ID '%s' does not exist", vpcID)
	} else if err != nil {
		return Subnet{}, nil, fmt.Errorf("read %s: %w", vpcID, err)
	}
	all, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return Subnet{}, nil, err
	}
	var siblings []network.Subnet
	for _, sn := range all {
		if sn.VpcID == v.ID {
			siblings = append(siblings, network.Subnet{ID: sn.ID, VpcID: sn.VpcID, AZ: sn.AZ, CIDR: sn.Prefix()})
		}
	}
	ns, err := network.NewSubnet(ids.New(network.SubnetIDPrefix), v.network(), az, cidr, siblings)
	if err != nil {
		return Subnet{}, nil, err
	}
	vnis, err := s.freeVNIs(ctx, 1)
	if err != nil {
		return Subnet{}, nil, err
	}
	sn := Subnet{ID: ns.ID, VpcID: v.ID, Owner: acct, AZ: az, CIDR: ns.CIDR.String(), State: "available",
		VNI: vnis[0], Tags: tags}
	guard, _ := store.PutJSON(prefixVPC+v.ID, v, vrev)
	return sn, append(subnetOps(sn), guard), nil
}

// subnetOps create a subnet record and claim its VNI.
func subnetOps(sn Subnet) []store.Op {
	rec, _ := store.PutJSON(prefixSubnet+sn.ID, sn, store.MustNotExist)
	vni, _ := store.PutJSON(prefixVNI+strconv.Itoa(int(sn.VNI)), sn.ID, store.MustNotExist)
	return []store.Op{rec, vni}
}

// freeVNIs returns n VNIs no subnet holds (lowest first, from 1). The
// /vnis/ keys written with MustNotExist make a race a conflict.
func (s *Service) freeVNIs(ctx context.Context, n int) ([]uint32, error) {
	kvs, err := s.st.List(ctx, prefixVNI)
	if err != nil {
		return nil, err
	}
	used := map[uint32]bool{}
	for _, kv := range kvs {
		if v, err := strconv.Atoi(kv.Key[len(prefixVNI):]); err == nil {
			used[uint32(v)] = true
		}
	}
	var out []uint32
	for v := uint32(1); v <= maxVNI && len(out) < n; v++ {
		if !used[v] {
			out = append(out, v)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("no free VXLAN network identifiers")
	}
	return out, nil
}

func (s *Service) zoneNames() string {
	out := ""
	for i, z := range s.cfg.AvailabilityZones {
		if i > 0 {
			out += ", "
		}
		out += z.Name
	}
	return out
}

// DescribeSubnets lists the caller's subnets with their free address count.
func (s *Service) DescribeSubnets(ctx context.Context, idList []string, filters []Filter, p Page) ([]Subnet, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, "", err
	}
	held, err := s.heldAddresses(ctx)
	if err != nil {
		return nil, "", err
	}
	for i := range all {
		all[i] = s.withComputed(all[i], held[all[i].ID])
	}
	return selectPage(all, selection[Subnet]{IDs: idList, Filters: filters, Page: p,
		ID: func(sn Subnet) string { return sn.ID }, Field: subnetField,
		Keep: func(sn Subnet) bool { return sn.Owner == acct },
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", id)
		}})
}

func subnetField(sn Subnet, name string) ([]string, bool) {
	switch name {
	case "subnet-id":
		return []string{sn.ID}, true
	case "vpc-id":
		return []string{sn.VpcID}, true
	case "availability-zone", "availabilityZone":
		return []string{sn.AZ}, true
	case "cidr", "cidr-block", "cidrBlock":
		return []string{sn.CIDR}, true
	case "default-for-az", "defaultForAz":
		return []string{strconv.FormatBool(sn.DefaultForAZ)}, true
	case "map-public-ip-on-launch":
		return []string{strconv.FormatBool(sn.MapPublicIPOnLaunch)}, true
	case "state":
		return []string{sn.State}, true
	case "owner-id":
		return []string{sn.Owner}, true
	case "available-ip-address-count":
		return []string{strconv.Itoa(sn.Available)}, true
	}
	return tagField(sn.Tags, name)
}

// DeleteSubnet removes a subnet no instance uses.
func (s *Service) DeleteSubnet(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	sn, rev, err := s.ownSubnet(ctx, acct, id)
	if err != nil {
		return err
	}
	s.mu.Lock() // RunInstances allocates addresses under s.mu
	defer s.mu.Unlock()
	// What instances and NAT gateways hold, and what another replica's
	// launch claimed that this one's cache has not seen yet.
	held, _, err := s.heldInSubnet(ctx, sn.ID)
	if err != nil {
		return err
	}
	if held.Len() > 0 {
		return ec2err.New(ec2err.DependencyViolation, "The subnet '%s' has dependencies and cannot be deleted.", sn.ID)
	}
	if dryRun {
		return DryRun()
	}
	ops := []store.Op{{Key: prefixSubnet + sn.ID, Delete: true, ExpectRevision: rev},
		{Key: prefixVNI + strconv.Itoa(int(sn.VNI)), Delete: true, ExpectRevision: store.AnyRevision}}
	assocOps, err := s.subnetAssociationDeleteOps(ctx, sn.ID)
	if err != nil {
		return err
	}
	ops = append(ops, assocOps...)
	ops = append(ops, subnetNetworkACLDeleteOps(sn.ID)...)
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return fmt.Errorf("delete %s: %w", sn.ID, err)
	}
	s.log.Info("subnet deleted", "subnet", sn.ID, "account", acct)
	return nil
}

func (s *Service) ownSubnet(ctx context.Context, acct, id string) (Subnet, int64, error) {
	if id == "" {
		return Subnet{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter SubnetId")
	}
	if !ids.Valid(network.SubnetIDPrefix, id) {
		return Subnet{}, 0, ec2err.New(ec2err.InvalidSubnetIDMalformed, "Invalid id: \"%s\"", id)
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return Subnet{}, 0, err
	}
	sn, rev, err := store.GetJSON[Subnet](ctx, s.st, prefixSubnet+id)
	if err != nil || sn.Owner != acct {
		return Subnet{}, 0, ec2err.New(ec2err.InvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", id)
	}
	return sn, rev, nil
}
