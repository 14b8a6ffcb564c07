package controller

import (
	"context"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// prefixRouteTable keys the route table records.
const prefixRouteTable = "/routetables/"

// Route states and origins, and the gateway of local routes, as EC2 names them.
const (
	RouteActive            = "active"
	RouteBlackhole         = "blackhole"
	RouteOriginCreate      = "CreateRouteTable"
	RouteOriginCreateRoute = "CreateRoute"
	RouteGatewayLocal      = "local"
	AssociationAssociated  = "associated"
)

// RouteTable is the record of a route table. Every VPC is created with
// its main table (ID derived from the VPC's, pkg/ids) and loses it with
// the VPC; ReplaceRouteTableAssociation can make another of its tables the
// main one. Subnets that no table names use the main one.
type RouteTable struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	VpcID string `json:"vpc_id"`
	Main  bool   `json:"main,omitempty"`
	// MainAssociationID is the main association's ID; "" on a main table
	// is the ID derived from the VPC's (the table it was created with).
	MainAssociationID string `json:"main_association_id,omitempty"`
	Tags              []Tag  `json:"tags,omitempty"`
	// Stored are the routes CreateRoute added (state computed on read).
	Stored []Route `json:"routes,omitempty"`
	// Routes and Associations are computed on read (routeTableView): the
	// local route of each of the VPC's CIDR blocks then the stored routes,
	// and the main association of the main table then the subnets' ones.
	Routes       []Route                 `json:"-"`
	Associations []RouteTableAssociation `json:"-"`
}

// Route is one route of a route table.
type Route struct {
	DestinationCIDR string `json:"destination_cidr"`
	GatewayID       string `json:"gateway_id"`
	// NatGatewayID is the target of a route through a NAT gateway
	// (GatewayID is then empty).
	NatGatewayID string `json:"nat_gateway_id,omitempty"`
	State        string `json:"-"`
	Origin       string `json:"origin"`
}

// RouteTableAssociation ties a route table to a subnet, or makes it the
// VPC's main table (Main, no subnet).
type RouteTableAssociation struct {
	ID           string
	RouteTableID string
	SubnetID     string
	Main         bool
	State        string
}

// mainRouteTable is the main table a VPC is created with.
func mainRouteTable(acct, vpcID string) RouteTable {
	return RouteTable{ID: ids.MainRouteTable(vpcID), Owner: acct, VpcID: vpcID, Main: true}
}

// mainAssociationID is the ID of a main table's association.
func (rt RouteTable) mainAssociationID() string {
	if rt.MainAssociationID != "" {
		return rt.MainAssociationID
	}
	return ids.MainRouteTableAssociation(rt.VpcID)
}

// routeTableView completes a record with what is computed on read: the
// local routes, the stored routes' states (gws are the gateways by ID),
// and its associations (assocs are the subnets' explicit ones).
func routeTableView(rt RouteTable, v VPC, assocs []subnetAssociation, targets routeTargets) RouteTable {
	rt.Routes = nil
	for _, cidr := range vpcCIDRs(v) {
		rt.Routes = append(rt.Routes, Route{DestinationCIDR: cidr, GatewayID: RouteGatewayLocal,
			State: RouteActive, Origin: RouteOriginCreate})
	}
	for _, r := range rt.Stored {
		r.State = targets.state(r, rt.VpcID)
		rt.Routes = append(rt.Routes, r)
	}
	rt.Associations = nil
	if rt.Main {
		rt.Associations = []RouteTableAssociation{{ID: rt.mainAssociationID(), RouteTableID: rt.ID,
			Main: true, State: AssociationAssociated}}
	}
	for _, a := range assocs {
		if a.RouteTableID == rt.ID {
			rt.Associations = append(rt.Associations, RouteTableAssociation{ID: a.ID, RouteTableID: rt.ID,
				SubnetID: a.SubnetID, State: AssociationAssociated})
		}
	}
	return rt
}

// routeTargets are the gateways routes point at, by ID.
type routeTargets struct {
	igws map[string]InternetGateway
	nats map[string]NatGateway
}

// state is active for a route through an internet gateway attached to
// vpcID or a NAT gateway of vpcID that is pending or available, else
// blackhole (the gateway was detached or deleted).
func (t routeTargets) state(r Route, vpcID string) string {
	if r.NatGatewayID != "" {
		if g, ok := t.nats[r.NatGatewayID]; ok && g.VpcID == vpcID && g.routable() {
			return RouteActive
		}
		return RouteBlackhole
	}
	if g, ok := t.igws[r.GatewayID]; ok && g.VpcID == vpcID {
		return RouteActive
	}
	return RouteBlackhole
}

// vpcCIDRs are the IPv4 CIDR blocks of a VPC, each with a local route.
func vpcCIDRs(v VPC) []string { return v.blockField(func(a CIDRAssociation) string { return a.CIDR }) }

// DescribeRouteTables lists the caller's route tables.
func (s *Service) DescribeRouteTables(ctx context.Context, idList []string, filters []Filter, p Page) ([]RouteTable, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 100); err != nil {
		return nil, "", err
	}
	for _, id := range idList {
		if !ids.Valid(ids.RouteTable, id) {
			return nil, "", ec2err.New(ec2err.InvalidRouteTableIDMalformed, "Invalid id: \"%s\" (expecting \"rtb-...\")", id)
		}
	}
	vpcs, err := s.ownVPCs(ctx, acct)
	if err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[RouteTable](ctx, s.st, prefixRouteTable)
	if err != nil {
		return nil, "", err
	}
	assocs, err := store.ListJSON[subnetAssociation](ctx, s.st, prefixRouteTableAssoc)
	if err != nil {
		return nil, "", err
	}
	targets, err := s.routeTargets(ctx)
	if err != nil {
		return nil, "", err
	}
	var mine []RouteTable
	for _, rt := range all {
		if v, ok := vpcs[rt.VpcID]; ok && rt.Owner == acct {
			mine = append(mine, routeTableView(rt, v, assocs, targets))
		}
	}
	return selectPage(mine, selection[RouteTable]{IDs: idList, Filters: filters, Page: p,
		ID: func(rt RouteTable) string { return rt.ID }, Field: routeTableField,
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidRouteTableIDNotFound, "The routeTable ID '%s' does not exist", id)
		}})
}

// ownVPCs are the caller's VPCs by ID (the default VPC is made on first use).
func (s *Service) ownVPCs(ctx context.Context, acct string) (map[string]VPC, error) {
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, err
	}
	all, err := store.ListJSON[VPC](ctx, s.st, prefixVPC)
	if err != nil {
		return nil, err
	}
	out := map[string]VPC{}
	for _, v := range all {
		if v.Owner == acct {
			out[v.ID] = v
		}
	}
	return out, nil
}

// routeTableField answers the filters EC2 documents for DescribeRouteTables.
func routeTableField(rt RouteTable, name string) ([]string, bool) {
	switch name {
	case "route-table-id":
		return []string{rt.ID}, true
	case "vpc-id":
		return []string{rt.VpcID}, true
	case "owner-id":
		return []string{rt.Owner}, true
	case "association.main": // tables without associations match neither value, as in EC2
		return memberValues(rt.Associations, func(a RouteTableAssociation) string { return strconv.FormatBool(a.Main) }), true
	case "association.route-table-association-id":
		return memberValues(rt.Associations, func(a RouteTableAssociation) string { return a.ID }), true
	case "association.route-table-id":
		return memberValues(rt.Associations, func(a RouteTableAssociation) string { return a.RouteTableID }), true
	case "association.subnet-id":
		return memberValues(rt.Associations, func(a RouteTableAssociation) string { return a.SubnetID }), true
	case "association.gateway-id":
		return nil, true
	}
	if v, ok := routeField(rt.Routes, name); ok {
		return v, true
	}
	return tagField(rt.Tags, name)
}

// routeField answers the route.* filters.
func routeField(routes []Route, name string) ([]string, bool) {
	var get func(Route) string
	switch name {
	case "route.destination-cidr-block":
		get = func(r Route) string { return r.DestinationCIDR }
	case "route.gateway-id":
		get = func(r Route) string { return r.GatewayID }
	case "route.nat-gateway-id":
		get = func(r Route) string { return r.NatGatewayID }
	case "route.state":
		get = func(r Route) string { return r.State }
	case "route.origin":
		get = func(r Route) string { return r.Origin }
	case "route.destination-ipv6-cidr-block", "route.destination-prefix-list-id", "route.instance-id",
		"route.transit-gateway-id", "route.vpc-peering-connection-id",
		"route.egress-only-internet-gateway-id":
		return nil, true
	default:
		return nil, false
	}
	return memberValues(routes, get), true
}

// memberValues are one member of each element of list, the empty ones
// left out (the values of a filter on a list).
func memberValues[A any](list []A, get func(A) string) []string {
	var out []string
	for _, a := range list {
		if v := get(a); v != "" {
			out = append(out, v)
		}
	}
	return out
}
