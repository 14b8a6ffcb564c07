package controller

import (
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

func (r igwRig) table(t *testing.T, id string) RouteTable {
	t.Helper()
	got, _, err := r.svc.DescribeRouteTables(ctxFor(acct1), []string{id}, nil, Page{})
	if err != nil || len(got) != 1 {
		t.Fatalf("describe %s: %v %v", id, got, err)
	}
	return got[0]
}

// TestRoutes: CreateRoute, ReplaceRoute and DeleteRoute through an
// internet gateway, every error leaving the table as it was, and routes
// that become blackholes when their gateway goes.
func TestRoutes(t *testing.T) {
	r := newIGWRig(t)
	ctx := ctxFor(acct1)
	if err := r.svc.AttachInternetGateway(ctx, r.gw, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	otherGW, err := r.svc.CreateInternetGateway(ctx, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.AttachInternetGateway(ctx, otherGW.ID, r.vpcB, false); err != nil {
		t.Fatal(err)
	}
	rt, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: r.vpcA, Tags: []Tag{{"Name", "public"}}})
	if err != nil {
		t.Fatal(err)
	}
	local := Route{DestinationCIDR: "10.1.0.0/16", GatewayID: "local", State: "active", Origin: "CreateRouteTable"}
	if rt.Main || !reflect.DeepEqual(rt.Routes, []Route{local}) || len(rt.Associations) != 0 || rt.VpcID != r.vpcA {
		t.Fatalf("new table %+v", rt)
	}
	def := RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "0.0.0.0/0", GatewayID: r.gw}
	if err := r.svc.CreateRoute(ctx, def, false); err != nil {
		t.Fatal(err)
	}
	want := []Route{local, {DestinationCIDR: "0.0.0.0/0", GatewayID: r.gw, State: "active", Origin: "CreateRoute"}}
	if got := r.table(t, rt.ID).Routes; !reflect.DeepEqual(got, want) {
		t.Fatalf("routes %+v, want %+v", got, want)
	}
	with := func(f func(*RouteSpec)) RouteSpec { s := def; f(&s); return s }
	errs := []struct {
		name string
		run  func() error
		code string
	}{
		{"create: exists", func() error { return r.svc.CreateRoute(ctx, def, false) }, ec2err.RouteAlreadyExists},
		{"create: unnormalised exists", func() error {
			return r.svc.CreateRoute(ctx, with(func(s *RouteSpec) { s.DestinationCIDR = "0.0.0.5/0" }), false)
		}, ec2err.RouteAlreadyExists},
		{"create: no destination", func() error {
			return r.svc.CreateRoute(ctx, with(func(s *RouteSpec) { s.DestinationCIDR = "" }), false)
		}, ec2err.MissingParameter},
		{"create: bad destination", func() error {
			return r.svc.CreateRoute(ctx, with(func(s *RouteSpec) { s.DestinationCIDR = "300.0.0.0/8" }), false)
		}, ec2err.InvalidParameterValue},
		{"create: IPv6 destination", func() error {
			return r.svc.CreateRoute(ctx, with(func(s *RouteSpec) { s.DestinationCIDR = "::/0" }), false)
		}, ec2err.InvalidParameterValue},
		{"create: inside the VPC", func() error {
			return r.svc.CreateRoute(ctx, with(func(s *RouteSpec) { s.DestinationCIDR = "10.1.2.0/24" }), false)
		}, ec2err.InvalidParameterValue},
		{"create: no gateway", func() error {
			return r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "8.8.0.0/16"}, false)
		}, ec2err.MissingParameter},
		{"create: unknown gateway", func() error {
			return r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "8.8.0.0/16", GatewayID: "igw-00000000000000000"}, false)
		}, ec2err.InvalidGatewayIDNotFound},
		{"create: not a gateway", func() error {
			return r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "8.8.0.0/16", GatewayID: "vgw-1"}, false)
		}, ec2err.InvalidGatewayIDNotFound},
		{"create: gateway of another VPC", func() error {
			return r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "8.8.0.0/16", GatewayID: otherGW.ID}, false)
		}, ec2err.InvalidParameterValue},
		{"create: unknown table", func() error {
			return r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: "rtb-00000000000000000", DestinationCIDR: "8.8.0.0/16", GatewayID: r.gw}, false)
		}, ec2err.InvalidRouteTableIDNotFound},
		{"create: another account's table", func() error {
			return r.svc.CreateRoute(ctxFor(acct2), RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "8.8.0.0/16", GatewayID: r.gw}, false)
		}, ec2err.InvalidRouteTableIDNotFound},
		{"create: dry run", func() error {
			return r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "8.8.0.0/16", GatewayID: r.gw}, true)
		}, ec2err.DryRunOperation},
		{"replace: missing", func() error {
			return r.svc.ReplaceRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "8.8.0.0/16", GatewayID: r.gw}, false)
		}, ec2err.InvalidRouteNotFound},
		{"replace: local", func() error {
			return r.svc.ReplaceRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "10.1.0.0/16", GatewayID: r.gw}, false)
		}, ec2err.InvalidParameterValue},
		{"replace: gateway of another VPC", func() error {
			return r.svc.ReplaceRoute(ctx, with(func(s *RouteSpec) { s.GatewayID = otherGW.ID }), false)
		}, ec2err.InvalidParameterValue},
		{"replace: dry run", func() error { return r.svc.ReplaceRoute(ctx, def, true) }, ec2err.DryRunOperation},
		{"delete: missing", func() error { return r.svc.DeleteRoute(ctx, rt.ID, "8.8.0.0/16", false) }, ec2err.InvalidRouteNotFound},
		{"delete: local", func() error { return r.svc.DeleteRoute(ctx, rt.ID, "10.1.0.0/16", false) }, ec2err.InvalidParameterValue},
		{"delete: malformed table", func() error { return r.svc.DeleteRoute(ctx, "rtb-x", "0.0.0.0/0", false) }, ec2err.InvalidRouteTableIDMalformed},
		{"delete: dry run", func() error { return r.svc.DeleteRoute(ctx, rt.ID, "0.0.0.0/0", true) }, ec2err.DryRunOperation},
	}
	for _, c := range errs {
		if err := c.run(); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
		if got := r.table(t, rt.ID).Routes; !reflect.DeepEqual(got, want) {
			t.Fatalf("%s changed the routes: %+v", c.name, got)
		}
	}

	// Replace through a second gateway of the same VPC (after the first's detach).
	if err := r.svc.DetachInternetGateway(ctx, r.gw, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	if got := r.table(t, rt.ID).Routes[1].State; got != RouteBlackhole {
		t.Errorf("route through a detached gateway: %s", got)
	}
	if err := r.svc.DetachInternetGateway(ctx, otherGW.ID, r.vpcB, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.AttachInternetGateway(ctx, otherGW.ID, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.ReplaceRoute(ctx, with(func(s *RouteSpec) { s.GatewayID = otherGW.ID }), false); err != nil {
		t.Fatal(err)
	}
	if got := r.table(t, rt.ID).Routes[1]; got.GatewayID != otherGW.ID || got.State != RouteActive || got.Origin != RouteOriginCreateRoute {
		t.Errorf("replaced route %+v", got)
	}
	filters := []struct {
		f    Filter
		want int
	}{
		{Filter{"route.gateway-id", []string{otherGW.ID}}, 1},
		// The default VPC's main table routes 0.0.0.0/0 to its gateway too.
		{Filter{"route.destination-cidr-block", []string{"0.0.0.0/0"}}, 2},
		{Filter{"route.state", []string{"active"}}, 4}, // every table has its local route
		{Filter{"route.origin", []string{"CreateRoute"}}, 2},
	}
	for _, c := range filters {
		if got, _, err := r.svc.DescribeRouteTables(ctx, nil, []Filter{c.f}, Page{}); err != nil || len(got) != c.want {
			t.Errorf("%v: %d found, want %d (%v)", c.f, len(got), c.want, err)
		}
	}
	if err := r.svc.DeleteRoute(ctx, rt.ID, "0.0.0.0/0", false); err != nil {
		t.Fatal(err)
	}
	if got := r.table(t, rt.ID).Routes; !reflect.DeepEqual(got, []Route{local}) {
		t.Errorf("routes after delete %+v", got)
	}
	// A route whose gateway was deleted is a blackhole.
	if err := r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: rt.ID, DestinationCIDR: "0.0.0.0/0", GatewayID: otherGW.ID}, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DetachInternetGateway(ctx, otherGW.ID, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteInternetGateway(ctx, otherGW.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := r.table(t, rt.ID).Routes[1].State; got != RouteBlackhole {
		t.Errorf("route through a deleted gateway: %s", got)
	}
	// The main table takes routes too.
	if err := r.svc.AttachInternetGateway(ctx, r.gw, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: ids.MainRouteTable(r.vpcA), DestinationCIDR: "0.0.0.0/0", GatewayID: r.gw}, false); err != nil {
		t.Fatal(err)
	}
}
