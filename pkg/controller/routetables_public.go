package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// What the data plane reads of the route tables: which subnets reach the
// internet, and each VPC's gateway.

// defaultRoutes maps each subnet to the active 0.0.0.0/0 route of its
// effective route table (the explicitly associated one, else its VPC's
// main table); a subnet without one is absent. targets are the gateways
// the routes were judged against.
func (s *Service) defaultRoutes(ctx context.Context) (subnetRoutes, error) {
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return subnetRoutes{}, fmt.Errorf("list subnets: %w", err)
	}
	tables, err := store.ListJSON[RouteTable](ctx, s.st, prefixRouteTable)
	if err != nil {
		return subnetRoutes{}, fmt.Errorf("list route tables: %w", err)
	}
	assocs, err := store.ListJSON[subnetAssociation](ctx, s.st, prefixRouteTableAssoc)
	if err != nil {
		return subnetRoutes{}, fmt.Errorf("list route table associations: %w", err)
	}
	targets, err := s.routeTargets(ctx)
	if err != nil {
		return subnetRoutes{}, err
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
	out := map[string]Route{}
	for _, sn := range subs {
		rt, ok := byID[explicit[sn.ID]]
		if !ok {
			rt, ok = mainOf[sn.VpcID]
		}
		if !ok {
			continue
		}
		for _, r := range rt.Stored {
			if r.DestinationCIDR == anyIPv4 && targets.state(r, sn.VpcID) == RouteActive {
				out[sn.ID] = r
			}
		}
	}
	return subnetRoutes{routes: out, targets: targets}, nil
}

// subnetRoutes are the subnets' default routes (defaultRoutes) and the
// gateways they were judged against.
type subnetRoutes struct {
	routes  map[string]Route
	targets routeTargets
}

// internetRoutedSubnets are the IDs of the subnets whose effective route
// table sends 0.0.0.0/0 to an internet gateway attached to their VPC: the
// public subnets.
func (s *Service) internetRoutedSubnets(ctx context.Context) (map[string]bool, error) {
	d, err := s.defaultRoutes(ctx)
	return d.public(), err
}

// public are the IDs of the subnets routed to an internet gateway.
func (d subnetRoutes) public() map[string]bool {
	out := map[string]bool{}
	for id, r := range d.routes {
		if r.GatewayID != "" {
			out[id] = true
		}
	}
	return out
}

// natRouted maps each subnet routed to a NAT gateway to that gateway,
// when the gateway can carry it: placed on a host, in a public subnet.
func (d subnetRoutes) natRouted() map[string]NatGateway {
	out := map[string]NatGateway{}
	for id, r := range d.routes {
		g, ok := d.targets.nats[r.NatGatewayID]
		if !ok || g.HostID == "" {
			continue
		}
		if gr, public := d.routes[g.SubnetID]; public && gr.GatewayID != "" {
			out[id] = g
		}
	}
	return out
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

// routeTargets are every internet and NAT gateway by ID.
func (s *Service) routeTargets(ctx context.Context) (routeTargets, error) {
	all, err := store.ListJSON[InternetGateway](ctx, s.st, prefixInternetGateway)
	if err != nil {
		return routeTargets{}, fmt.Errorf("list internet gateways: %w", err)
	}
	t := routeTargets{igws: make(map[string]InternetGateway, len(all))}
	for _, g := range all {
		t.igws[g.ID] = g
	}
	if t.nats, err = s.natGateways(ctx); err != nil {
		return routeTargets{}, err
	}
	return t, nil
}
