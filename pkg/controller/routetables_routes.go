package controller

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// RouteSpec is a route of CreateRoute and ReplaceRoute: an IPv4
// destination through an internet gateway or a NAT gateway (the targets
// ec2lab has), exactly one of them.
type RouteSpec struct {
	RouteTableID    string
	DestinationCIDR string
	GatewayID       string
	NatGatewayID    string
}

// CreateRoute adds a route to a table; its destination must be new and
// the table within its route quota.
func (s *Service) CreateRoute(ctx context.Context, spec RouteSpec, dryRun bool) error {
	return s.editRoutes(ctx, spec.RouteTableID, spec.DestinationCIDR, dryRun, func(rt *RouteTable, dest string, i int) error {
		if i >= 0 {
			return ec2err.New(ec2err.RouteAlreadyExists, "The route identified by %s already exists.", dest)
		}
		r, err := s.routeTo(ctx, *rt, dest, spec)
		if err != nil {
			return err
		}
		rt.Stored = append(rt.Stored, r)
		// The write is revision-checked (and under netMu), so the count
		// cannot race.
		return s.checkQuota(rt.Owner, QuotaRoutes, int64(len(rt.Stored)))
	})
}

// ReplaceRoute points an existing route of a table at another target.
func (s *Service) ReplaceRoute(ctx context.Context, spec RouteSpec, dryRun bool) error {
	return s.editRoutes(ctx, spec.RouteTableID, spec.DestinationCIDR, dryRun, func(rt *RouteTable, dest string, i int) error {
		if i < 0 {
			return routeNotFound(rt.ID, dest)
		}
		r, err := s.routeTo(ctx, *rt, dest, spec)
		rt.Stored[i] = r
		return err
	})
}

// DeleteRoute removes a route from a table.
func (s *Service) DeleteRoute(ctx context.Context, tableID, destination string, dryRun bool) error {
	return s.editRoutes(ctx, tableID, destination, dryRun, func(rt *RouteTable, dest string, i int) error {
		if i < 0 {
			return routeNotFound(rt.ID, dest)
		}
		rt.Stored = append(rt.Stored[:i], rt.Stored[i+1:]...)
		return nil
	})
}

// editRoutes reads the caller's table, checks the destination (a local
// route cannot change), has edit change its stored routes (i is the index
// of the destination's route, -1 when it has none) and writes it back.
func (s *Service) editRoutes(ctx context.Context, tableID, destination string, dryRun bool,
	edit func(rt *RouteTable, dest string, i int) error) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	rt, rev, err := s.ownRouteTable(ctx, acct, tableID)
	if err != nil {
		return err
	}
	dest, err := routeDestination(destination)
	if err != nil {
		return err
	}
	v, _, err := store.GetJSON[VPC](ctx, s.st, prefixVPC+rt.VpcID)
	if err != nil {
		return fmt.Errorf("vpc of %s: %w", rt.ID, err)
	}
	if err := checkNotLocal(rt.ID, dest, v); err != nil {
		return err
	}
	i := -1
	for j, r := range rt.Stored {
		if r.DestinationCIDR == dest.String() {
			i = j
		}
	}
	if err := edit(&rt, dest.String(), i); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	op, _ := store.PutJSON(prefixRouteTable+rt.ID, rt, rev)
	if _, err := s.st.Txn(ctx, op); err != nil {
		return fmt.Errorf("routes of %s: %w", rt.ID, err)
	}
	s.log.Info("routes changed", "rtb", rt.ID, "destination", dest.String(), "account", acct)
	return nil
}

// routeDestination parses DestinationCidrBlock (an IPv4 block).
func routeDestination(raw string) (netip.Prefix, error) {
	if raw == "" {
		return netip.Prefix{}, ec2err.New(ec2err.MissingParameter,
			"The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock")
	}
	p, err := netip.ParsePrefix(raw)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", raw)
	}
	return p.Masked(), nil
}

// checkNotLocal refuses a destination inside one of the VPC's blocks:
// the local routes are the VPC's and cannot change.
func checkNotLocal(tableID string, dest netip.Prefix, v VPC) error {
	for _, cidr := range vpcCIDRs(v) {
		block, err := netip.ParsePrefix(cidr)
		if err != nil {
			continue
		}
		if block.Contains(dest.Addr()) && dest.Bits() >= block.Bits() {
			if dest == block {
				return ec2err.New(ec2err.InvalidParameterValue, "cannot remove local route %s in route table %s", cidr, tableID)
			}
			return ec2err.New(ec2err.InvalidParameterValue,
				"The destination CIDR block %s is equal to or more specific than one of this VPC's CIDR blocks. "+
					"This route can target only an interface or an instance.", dest)
		}
	}
	return nil
}

// routeTo is a route of rt to dest through the spec's target: an
// internet gateway of the caller's attached to rt's VPC, or a pending or
// available NAT gateway of the caller's in that VPC.
func (s *Service) routeTo(ctx context.Context, rt RouteTable, dest string, spec RouteSpec) (Route, error) {
	switch {
	case spec.GatewayID != "" && spec.NatGatewayID != "":
		return Route{}, ec2err.New(ec2err.InvalidParameterCombination, "The parameter combination is not valid: a route has one target (gatewayId or natGatewayId)")
	case spec.NatGatewayID != "":
		return s.routeToNatGateway(ctx, rt, dest, spec.NatGatewayID)
	case spec.GatewayID == "":
		return Route{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter gatewayId or natGatewayId")
	}
	gatewayID := spec.GatewayID
	notFound := ec2err.New(ec2err.InvalidGatewayIDNotFound, "The gateway ID '%s' does not exist", gatewayID)
	if !ids.Valid(ids.InternetGateway, gatewayID) {
		return Route{}, notFound
	}
	g, _, err := store.GetJSON[InternetGateway](ctx, s.st, prefixInternetGateway+gatewayID)
	if err != nil || g.Owner != rt.Owner {
		return Route{}, notFound
	}
	if g.VpcID != rt.VpcID {
		return Route{}, ec2err.New(ec2err.InvalidParameterValue, "route table %s and network gateway %s belong to different networks", rt.ID, g.ID)
	}
	return Route{DestinationCIDR: dest, GatewayID: g.ID, Origin: RouteOriginCreateRoute}, nil
}

// routeToNatGateway is a route of rt to dest through NAT gateway id.
func (s *Service) routeToNatGateway(ctx context.Context, rt RouteTable, dest, id string) (Route, error) {
	g, err := s.ownNatGateway(ctx, rt.Owner, id)
	if err != nil {
		return Route{}, err
	}
	if !g.routable() {
		return Route{}, natGatewayNotFound(id)
	}
	if g.VpcID != rt.VpcID {
		return Route{}, ec2err.New(ec2err.InvalidParameterValue, "route table %s and NAT gateway %s belong to different networks", rt.ID, g.ID)
	}
	return Route{DestinationCIDR: dest, NatGatewayID: g.ID, Origin: RouteOriginCreateRoute}, nil
}

func routeNotFound(tableID, dest string) error {
	return ec2err.New(ec2err.InvalidRouteNotFound, "no route with destination-cidr-block %s in route table %s", dest, tableID)
}
