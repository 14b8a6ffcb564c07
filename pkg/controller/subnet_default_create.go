package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// DefaultSubnetRequest is CreateDefaultSubnet's input: the zone by name or
// by ID.
type DefaultSubnetRequest struct {
	AZ, AZID   string
	IPv6Native bool
	DryRun     bool
}

// CreateDefaultSubnet makes the default subnet of a zone in the caller's
// default VPC, as EC2 does when it has none there: a /20 of 172.31.0.0/16
// (the zone's own block, else the first free one).
func (s *Service) CreateDefaultSubnet(ctx context.Context, req DefaultSubnetRequest) (Subnet, error) {
	acct, err := account(ctx)
	if err != nil {
		return Subnet{}, err
	}
	index, az, err := s.defaultSubnetZone(req)
	if err != nil {
		return Subnet{}, err
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return Subnet{}, err
	}
	for attempt := 0; attempt < 20; attempt++ {
		sn, ops, err := s.newDefaultSubnet(ctx, acct, az, index)
		if err != nil {
			return Subnet{}, err
		}
		if req.DryRun {
			return Subnet{}, DryRun()
		}
		if _, err = s.st.Txn(ctx, ops...); err == nil {
			s.log.Info("default subnet created", "subnet", sn.ID, "vpc", sn.VpcID, "cidr", sn.CIDR, "az", az)
			return s.withComputed(sn, 0), nil
		} else if !errors.Is(err, store.ErrConflict) {
			return Subnet{}, fmt.Errorf("record default subnet: %w", err)
		}
	}
	return Subnet{}, fmt.Errorf("default subnet in %s: too many conflicts", az)
}

// defaultSubnetZone resolves the zone the request names (by name or by ID,
// exactly one) to its index and name.
func (s *Service) defaultSubnetZone(req DefaultSubnetRequest) (int, string, error) {
	switch {
	case req.IPv6Native:
		return 0, "", ec2err.New(ec2err.UnsupportedOperation, "ec2lab subnets are IPv4: a default subnet cannot be IPv6-only")
	case req.AZ != "" && req.AZID != "":
		return 0, "", ec2err.New(ec2err.InvalidParameterCombination, "Specify either AvailabilityZone or AvailabilityZoneId, not both.")
	case req.AZ == "" && req.AZID == "":
		return 0, "", ec2err.New(ec2err.MissingParameter, "Either AvailabilityZone or AvailabilityZoneId must be specified.")
	}
	for i, z := range s.cfg.AvailabilityZones {
		if z.Name == req.AZ || req.AZ == "" && z.ID == req.AZID {
			return i, z.Name, nil
		}
	}
	if req.AZ != "" {
		return 0, "", ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter availabilityZone is invalid. "+
			"Subnets can currently only be created in the following availability zones: %s.", req.AZ, s.zoneNames())
	}
	return 0, "", ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter availabilityZoneId is invalid.", req.AZID)
}

// newDefaultSubnet checks that the default VPC exists and has no default
// subnet in az, and returns the new one with the ops that create it (the
// VPC's revision guards concurrent calls).
func (s *Service) newDefaultSubnet(ctx context.Context, acct, az string, index int) (Subnet, []store.Op, error) {
	v, ok, err := s.defaultVPC(ctx, acct)
	if err != nil {
		return Subnet{}, nil, err
	}
	if !ok {
		return Subnet{}, nil, ec2err.New(ec2err.DefaultVpcDoesNotExist, "No default VPC exists for this account in this region.")
	}
	all, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return Subnet{}, nil, err
	}
	var siblings []network.Subnet
	for _, sn := range all {
		if sn.VpcID != v.ID {
			continue
		}
		if sn.DefaultForAZ && sn.AZ == az {
			return Subnet{}, nil, ec2err.New(ec2err.DefaultSubnetAlreadyExistsInAZ, "'%s' is already the default subnet in %s.", sn.ID, az)
		}
		siblings = append(siblings, network.Subnet{ID: sn.ID, VpcID: sn.VpcID, AZ: sn.AZ, CIDR: sn.Prefix()})
	}
	cidr, err := network.FreeDefaultSubnetCIDR(v.network(), index, siblings)
	if err != nil {
		return Subnet{}, nil, err
	}
	vnis, err := s.freeVNIs(ctx, 1)
	if err != nil {
		return Subnet{}, nil, err
	}
	sn := Subnet{ID: ids.New(network.SubnetIDPrefix), VpcID: v.ID, Owner: acct, AZ: az, CIDR: cidr.String(),
		State: "available", DefaultForAZ: true, VNI: vnis[0]}
	cur, vrev, err := store.GetJSON[VPC](ctx, s.st, prefixVPC+v.ID)
	if err != nil {
		return Subnet{}, nil, fmt.Errorf("default vpc %s: %w", v.ID, err)
	}
	guard, _ := store.PutJSON(prefixVPC+v.ID, cur, vrev)
	return sn, append(subnetOps(sn), guard), nil
}
