package console

import (
	"context"
	"fmt"
	"net/http"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// networkRoutes registers the network page (VPCs, subnets, route tables,
// gateways, Elastic IPs, network ACLs) and its forms; the old VPCs page
// sends there.
func (h *Handler) networkRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/network", h.authed(h.networkPage))
	m.HandleFunc("GET /console/vpcs", h.authed(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"network", http.StatusSeeOther)
	}))
	m.HandleFunc("POST /console/network/addresses", h.authed(h.allocateAddress))
	m.HandleFunc("POST /console/network/addresses/{id}/{action}", h.authed(h.addressAction))
	m.HandleFunc("POST /console/network/nat-gateways", h.authed(h.createNatGateway))
	m.HandleFunc("POST /console/network/nat-gateways/{id}/delete", h.authed(h.deleteNatGateway))
	m.HandleFunc("POST /console/network/internet-gateways", h.authed(h.createInternetGateway))
	m.HandleFunc("POST /console/network/internet-gateways/{id}/{action}", h.authed(h.internetGatewayAction))
}

// networkView is the network page's data: the account's resources as the
// Describe calls answer them, plus what the forms offer.
type networkView struct {
	Vpcs        []*v1.Vpc
	Subnets     []*v1.Subnet
	RouteTables []routeTableView
	Gateways    []*v1.InternetGateway
	NatGateways []*v1.NatGateway
	Addresses   []*v1.Address
	Acls        []aclView
	Instances   []instanceRow // association targets: neither terminated nor shutting down
}

// routeTableView is one route table in the page's words.
type routeTableView struct {
	ID, VpcID, Name string
	Main            bool
	Subnets         []string // the subnets explicitly associated
	Routes          []routeView
}

// routeView is one route: destination → target, and its state.
type routeView struct{ Destination, Target, State string }

// aclView is one network ACL in the page's words.
type aclView struct {
	ID, VpcID, Name string
	Default         bool
	Subnets         []string
	Entries         int
}

// FreeAddresses are the Elastic IPs no instance or interface holds: what
// a NAT gateway may take.
func (n networkView) FreeAddresses() []*v1.Address {
	var out []*v1.Address
	for _, a := range n.Addresses {
		if a.GetAssociationId() == "" && a.GetNetworkInterfaceId() == "" {
			out = append(out, a)
		}
	}
	return out
}

// networkPage shows the network resources with the last action's notice.
func (h *Handler) networkPage(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "Network", "network")
	v.Notice = doneNotice(r)
	h.renderNetwork(w, r, http.StatusOK, v)
}

// renderNetwork renders the network page with v's messages.
func (h *Handler) renderNetwork(w http.ResponseWriter, r *http.Request, status int, v view) {
	data, err := h.network(r.Context())
	if err != nil && v.Error == nil {
		v.Error = errorOf(err)
		status = statusOf(v.Error)
	}
	v.Data = data
	h.pages.render(w, r, status, "network", v)
}

// network reads the signed-in account's network resources, each with the
// same call the Query API makes for its Describe action.
func (h *Handler) network(ctx context.Context) (networkView, error) {
	var n networkView
	c := h.compute
	vpcs, err := c.DescribeVpcs(ctx, &v1.DescribeVpcsRequest{})
	if err != nil {
		return n, fmt.Errorf("describe VPCs: %w", err)
	}
	n.Vpcs = vpcs.GetVpcs()
	subs, err := c.DescribeSubnets(ctx, &v1.DescribeSubnetsRequest{})
	if err != nil {
		return n, fmt.Errorf("describe subnets: %w", err)
	}
	n.Subnets = subs.GetSubnets()
	rts, err := c.DescribeRouteTables(ctx, &v1.DescribeRouteTablesRequest{})
	if err != nil {
		return n, fmt.Errorf("describe route tables: %w", err)
	}
	for _, rt := range rts.GetRouteTables() {
		n.RouteTables = append(n.RouteTables, viewRouteTable(rt))
	}
	igws, err := c.DescribeInternetGateways(ctx, &v1.DescribeInternetGatewaysRequest{})
	if err != nil {
		return n, fmt.Errorf("describe internet gateways: %w", err)
	}
	n.Gateways = igws.GetInternetGateways()
	nats, err := c.DescribeNatGateways(ctx, &v1.DescribeNatGatewaysRequest{})
	if err != nil {
		return n, fmt.Errorf("describe NAT gateways: %w", err)
	}
	n.NatGateways = nats.GetNatGateways()
	addrs, err := c.DescribeAddresses(ctx, &v1.DescribeAddressesRequest{})
	if err != nil {
		return n, fmt.Errorf("describe addresses: %w", err)
	}
	n.Addresses = addrs.GetAddresses()
	acls, err := c.DescribeNetworkAcls(ctx, &v1.DescribeNetworkAclsRequest{})
	if err != nil {
		return n, fmt.Errorf("describe network ACLs: %w", err)
	}
	for _, a := range acls.GetNetworkAcls() {
		n.Acls = append(n.Acls, viewACL(a))
	}
	rows, err := h.instanceRows(ctx, instancesView{Sort: "id"})
	if err != nil {
		return n, err
	}
	for _, r := range rows.Rows {
		if r.State != "terminated" && r.State != "shutting-down" {
			n.Instances = append(n.Instances, r)
		}
	}
	return n, nil
}

// viewRouteTable is rt as the page shows it: whether it is its VPC's main
// table, its subnets, and each route's target (gateway or NAT gateway).
func viewRouteTable(rt *v1.RouteTable) routeTableView {
	v := routeTableView{ID: rt.GetRouteTableId(), VpcID: rt.GetVpcId(), Name: tagValue(rt.GetTags(), "Name")}
	for _, a := range rt.GetAssociations() {
		if a.GetMain() {
			v.Main = true
		} else if a.GetSubnetId() != "" {
			v.Subnets = append(v.Subnets, a.GetSubnetId())
		}
	}
	for _, ro := range rt.GetRoutes() {
		target := ro.GetGatewayId()
		if ro.GetNatGatewayId() != "" {
			target = ro.GetNatGatewayId()
		}
		v.Routes = append(v.Routes, routeView{Destination: ro.GetDestinationCidrBlock(), Target: target, State: ro.GetState()})
	}
	return v
}

// viewACL is a as the page shows it: its subnets and how many entries.
func viewACL(a *v1.NetworkAcl) aclView {
	v := aclView{ID: a.GetNetworkAclId(), VpcID: a.GetVpcId(), Name: tagValue(a.GetTags(), "Name"), Default: a.GetIsDefault(),
		Entries: len(a.GetEntries())}
	for _, as := range a.GetAssociations() {
		v.Subnets = append(v.Subnets, as.GetSubnetId())
	}
	return v
}
