package controller

import (
	"testing"
)

// TestInternetRoutedSubnets: a subnet is public when its effective table
// (explicit, else main) has an active default route to its VPC's gateway.
func TestInternetRoutedSubnets(t *testing.T) {
	type setup struct {
		r         igwRig
		snA, snA2 string
		snB       string
		custom    string // a table of vpcA
		mainA     string
		mainB     string
		gwB       string
	}
	cases := []struct {
		name string
		do   func(t *testing.T, s setup) error
		want func(s setup) []string
	}{
		{"nothing routed", func(*testing.T, setup) error { return nil }, func(setup) []string { return nil }},
		{"main table to the gateway", func(t *testing.T, s setup) error {
			return s.r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: s.mainA, DestinationCIDR: "0.0.0.0/0", GatewayID: s.r.gw}, false)
		}, func(s setup) []string { return []string{s.snA, s.snA2} }},
		{"explicit table to the gateway", func(t *testing.T, s setup) error {
			if err := s.r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: s.custom, DestinationCIDR: "0.0.0.0/0", GatewayID: s.r.gw}, false); err != nil {
				return err
			}
			_, err := s.r.svc.AssociateRouteTable(ctxFor(acct1), s.custom, s.snA2, false)
			return err
		}, func(s setup) []string { return []string{s.snA2} }},
		{"explicit table without the route hides a public main", func(t *testing.T, s setup) error {
			if err := s.r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: s.mainA, DestinationCIDR: "0.0.0.0/0", GatewayID: s.r.gw}, false); err != nil {
				return err
			}
			_, err := s.r.svc.AssociateRouteTable(ctxFor(acct1), s.custom, s.snA2, false)
			return err
		}, func(s setup) []string { return []string{s.snA} }},
		{"not the default route", func(t *testing.T, s setup) error {
			return s.r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: s.mainA, DestinationCIDR: "8.8.8.0/24", GatewayID: s.r.gw}, false)
		}, func(setup) []string { return nil }},
		{"blackhole after detach", func(t *testing.T, s setup) error {
			if err := s.r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: s.mainA, DestinationCIDR: "0.0.0.0/0", GatewayID: s.r.gw}, false); err != nil {
				return err
			}
			return s.r.svc.DetachInternetGateway(ctxFor(acct1), s.r.gw, s.r.vpcA, false)
		}, func(setup) []string { return nil }},
		{"each VPC its own", func(t *testing.T, s setup) error {
			if err := s.r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: s.mainB, DestinationCIDR: "0.0.0.0/0", GatewayID: s.gwB}, false); err != nil {
				return err
			}
			return nil
		}, func(s setup) []string { return []string{s.snB} }},
		{"main moved to a routed table", func(t *testing.T, s setup) error {
			if err := s.r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: s.custom, DestinationCIDR: "0.0.0.0/0", GatewayID: s.r.gw}, false); err != nil {
				return err
			}
			_, err := s.r.svc.ReplaceRouteTableAssociation(ctxFor(acct1), s.r.mainTable(t, s.r.vpcA).Associations[0].ID, s.custom, false)
			return err
		}, func(s setup) []string { return []string{s.snA, s.snA2} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newIGWRig(t)
			ctx := ctxFor(acct1)
			s := setup{r: r, mainA: r.mainTable(t, r.vpcA).ID, mainB: r.mainTable(t, r.vpcB).ID}
			for _, sub := range []struct {
				vpc, cidr string
				id        *string
			}{{r.vpcA, "10.1.1.0/24", &s.snA}, {r.vpcA, "10.1.2.0/24", &s.snA2}, {r.vpcB, "10.2.1.0/24", &s.snB}} {
				sn, err := r.svc.CreateSubnet(ctx, sub.vpc, sub.cidr, "lab-1a", nil, false)
				if err != nil {
					t.Fatal(err)
				}
				*sub.id = sn.ID
			}
			rt, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: r.vpcA})
			if err != nil {
				t.Fatal(err)
			}
			s.custom = rt.ID
			gwB, err := r.svc.CreateInternetGateway(ctx, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			s.gwB = gwB.ID
			for _, a := range [][2]string{{r.gw, r.vpcA}, {gwB.ID, r.vpcB}} {
				if err := r.svc.AttachInternetGateway(ctx, a[0], a[1], false); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.do(t, s); err != nil {
				t.Fatal(err)
			}
			got, err := r.svc.internetRoutedSubnets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []string
			for id, ok := range got {
				if ok && (id == s.snA || id == s.snA2 || id == s.snB) { // not the default VPC's, public as in EC2
					gotIDs = append(gotIDs, id)
				}
			}
			if g, w := sorted(gotIDs), sorted(c.want(s)); g != w {
				t.Errorf("got %s, want %s", g, w)
			}
		})
	}
}
