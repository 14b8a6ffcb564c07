package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// What the data plane reads of the route tables: which subnets reach the
// internet, and each VPC's gateway.

// internetRoutedSubnets are the IDs of the subnets whose effective route table (the
// explicitly associated one, else the VPC's main table) holds an active 0.0.0.0/0
// route to an internet gateway attached to the subnet's VPC: the public subnets.
func (s *Service) internetRoutedSubnets(ctx context.Context) (map[string]bool, error) {
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, fmt.Errorf("list subnets: %w", err)
	}
	tables, err := store.ListJSON[RouteTable](ctx, s.st, prefixRouteTable)
	if err != nil {
		return nil, fmt.Errorf("list route tables: %w", err)
	}
	assocs, err := store.ListJSON[subnetAssociation](ctx, s.st, prefixRouteTableAssoc)
	if err != nil {
		return nil, fmt.Errorf("list route table associations: %w", err)
	}
	gws, err := s.gatewaysByID(ctx)
	if err != nil {
		return nil, err
	}
	byID, mainOf := map[string]RouteTable{}, map[string]RouteTable{}
	for _, rt := range tables {
		byID[rt.ID] = rt
		if rt.Main {
			mainOf[rt.VpcID] = rt
		}
	}
	explicit := map[string]string{}
	for _, a := range assocs {
		explicit[a.SubnetID] = a.RouteTableID
	}
	out := map[string]bool{}
	for _, sn := range subs {
		rt, ok := byID[explicit[sn.ID]]
		if !ok {
			rt, ok = mainOf[sn.VpcID]
		}
		if ok && routesToInternet(rt, sn.VpcID, gws) {
			out[sn.ID] = true
		}
	}
	return out, nil
}

// routesToInternet reports whether rt has an active default route to an
// internet gateway attached to vpcID.
func routesToInternet(rt RouteTable, vpcID string, gws map[string]InternetGateway) bool {
	for _, r := range rt.Stored {
		if r.DestinationCIDR == anyIPv4 && routeState(r, vpcID, gws) == RouteActive {
			return true
		}
	}
	return false
}

// vpcInternetGateway is the ID of the internet gateway attached to vpcID,
// or "" when it has none.
func (s *Service) vpcInternetGateway(ctx context.Context, vpcID string) (string, error) {
	id, _, err := store.GetJSON[string](ctx, s.st, prefixVPCGateway+vpcID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("internet gateway of %s: %w", vpcID, err)
	}
	return id, nil
}

// gatewaysByID are every internet gateway by ID.
func (s *Service) gatewaysByID(ctx context.Context) (map[string]InternetGateway, error) {
	all, err := store.ListJSON[InternetGateway](ctx, s.st, prefixInternetGateway)
	if err != nil {
		return nil, fmt.Errorf("list internet gateways: %w", err)
	}
	out := make(map[string]InternetGateway, len(all))
	for _, g := range all {
		out[g.ID] = g
	}
	return out, nil
}
