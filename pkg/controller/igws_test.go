package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// igwRig is a rig with two VPCs of acct1 and a gateway.
type igwRig struct {
	*rig
	vpcA, vpcB string
	gw         string
}

func newIGWRig(t *testing.T) igwRig {
	t.Helper()
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	a, err := r.svc.CreateVpc(ctx, "10.1.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.svc.CreateVpc(ctx, "10.2.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	g, err := r.svc.CreateInternetGateway(ctx, []Tag{{"Name", "gw"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	return igwRig{rig: r, vpcA: a.ID, vpcB: b.ID, gw: g.ID}
}

func (r igwRig) gateway(t *testing.T) InternetGateway {
	t.Helper()
	got, _, err := r.svc.DescribeInternetGateways(ctxFor(acct1), []string{r.gw}, nil, Page{})
	if err != nil || len(got) != 1 {
		t.Fatalf("describe %s: %v %v", r.gw, got, err)
	}
	return got[0]
}

// TestInternetGatewayLifecycle: create, attach, detach and delete, each
// error leaving the gateway as it was.
func TestInternetGatewayLifecycle(t *testing.T) {
	r := newIGWRig(t)
	ctx := ctxFor(acct1)
	if g := r.gateway(t); g.Owner != acct1 || g.VpcID != "" || len(g.Tags) != 1 {
		t.Fatalf("new gateway %+v", g)
	}
	if err := r.svc.AttachInternetGateway(ctx, r.gw, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	other, err := r.svc.CreateInternetGateway(ctx, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	errs := []struct {
		name string
		run  func() error
		code string
	}{
		{"attach: malformed gateway", func() error { return r.svc.AttachInternetGateway(ctx, "igw-1", r.vpcB, false) }, ec2err.InvalidInternetGatewayIDMalformed},
		{"attach: no gateway", func() error { return r.svc.AttachInternetGateway(ctx, "", r.vpcB, false) }, ec2err.MissingParameter},
		{"attach: unknown gateway", func() error {
			return r.svc.AttachInternetGateway(ctx, "igw-00000000000000000", r.vpcB, false)
		}, ec2err.InvalidInternetGatewayIDNotFound},
		{"attach: another account's", func() error { return r.svc.AttachInternetGateway(ctxFor(acct2), r.gw, r.vpcB, false) }, ec2err.InvalidInternetGatewayIDNotFound},
		{"attach: unknown VPC", func() error {
			return r.svc.AttachInternetGateway(ctx, other.ID, "vpc-00000000000000000", false)
		}, ec2err.InvalidVpcIDNotFound},
		{"attach: gateway attached", func() error { return r.svc.AttachInternetGateway(ctx, r.gw, r.vpcB, false) }, ec2err.ResourceAlreadyAssociated},
		{"attach: VPC has one", func() error { return r.svc.AttachInternetGateway(ctx, other.ID, r.vpcA, false) }, ec2err.ResourceAlreadyAssociated},
		{"attach: dry run", func() error { return r.svc.AttachInternetGateway(ctx, other.ID, r.vpcB, true) }, ec2err.DryRunOperation},
		{"detach: other VPC", func() error { return r.svc.DetachInternetGateway(ctx, r.gw, r.vpcB, false) }, ec2err.GatewayNotAttached},
		{"detach: not attached", func() error { return r.svc.DetachInternetGateway(ctx, other.ID, r.vpcA, false) }, ec2err.GatewayNotAttached},
		{"detach: dry run", func() error { return r.svc.DetachInternetGateway(ctx, r.gw, r.vpcA, true) }, ec2err.DryRunOperation},
		{"delete: attached", func() error { return r.svc.DeleteInternetGateway(ctx, r.gw, false) }, ec2err.DependencyViolation},
		{"delete: VPC with a gateway", func() error { return r.svc.DeleteVpc(ctx, r.vpcA, false) }, ec2err.DependencyViolation},
		{"create: dry run", func() error { _, err := r.svc.CreateInternetGateway(ctx, nil, true); return err }, ec2err.DryRunOperation},
	}
	for _, c := range errs {
		if err := c.run(); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
		if g := r.gateway(t); g.VpcID != r.vpcA {
			t.Fatalf("%s changed the gateway: %+v", c.name, g)
		}
	}
	if gw, err := r.svc.vpcInternetGateway(ctx, r.vpcA); err != nil || gw != r.gw {
		t.Errorf("vpcInternetGateway(%s) = %q, %v", r.vpcA, gw, err)
	}
	if err := r.svc.DetachInternetGateway(ctx, r.gw, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	if gw, err := r.svc.vpcInternetGateway(ctx, r.vpcA); err != nil || gw != "" {
		t.Errorf("vpcInternetGateway after detach = %q, %v", gw, err)
	}
	if err := r.svc.AttachInternetGateway(ctx, other.ID, r.vpcA, false); err != nil {
		t.Fatalf("attach another after detach: %v", err)
	}
	if err := r.svc.DeleteInternetGateway(ctx, r.gw, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.svc.DescribeInternetGateways(ctx, []string{r.gw}, nil, Page{}); errCode(err) != ec2err.InvalidInternetGatewayIDNotFound {
		t.Errorf("deleted gateway: %v", err)
	}
}

// TestDescribeInternetGateways: filters and pages.
func TestDescribeInternetGateways(t *testing.T) {
	r := newIGWRig(t)
	ctx := ctxFor(acct1)
	r.svc.cfg.Quotas = QuotaConfig{Defaults: map[string]int64{QuotaGateways: 10}} // seven gateways: over EC2's 5
	if err := r.svc.AttachInternetGateway(ctx, r.gw, r.vpcA, false); err != nil {
		t.Fatal(err)
	}
	var free []string
	for range 5 {
		g, err := r.svc.CreateInternetGateway(ctx, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		free = append(free, g.ID)
	}
	def, err := r.svc.defaultVPCID(ctx, acct1)
	if err != nil {
		t.Fatal(err)
	}
	defGW, err := r.svc.vpcInternetGateway(ctx, def)
	if err != nil || defGW == "" {
		t.Fatalf("the default VPC's internet gateway: %q %v", defGW, err)
	}
	all := append([]string{r.gw, defGW}, free...)
	cases := []struct {
		filters []Filter
		want    []string
	}{
		{nil, all},
		{[]Filter{{"internet-gateway-id", []string{r.gw}}}, []string{r.gw}},
		{[]Filter{{"attachment.vpc-id", []string{r.vpcA}}}, []string{r.gw}},
		{[]Filter{{"attachment.vpc-id", []string{r.vpcB}}}, nil},
		{[]Filter{{"attachment.state", []string{"available"}}}, []string{r.gw, defGW}},
		{[]Filter{{"owner-id", []string{acct1}}}, all},
		{[]Filter{{"tag:Name", []string{"gw"}}}, []string{r.gw}},
		{[]Filter{{"tag-key", []string{"Name"}}}, []string{r.gw}},
	}
	for _, c := range cases {
		got, _, err := r.svc.DescribeInternetGateways(ctx, nil, c.filters, Page{})
		if err != nil {
			t.Errorf("%v: %v", c.filters, err)
			continue
		}
		var gotIDs []string
		for _, g := range got {
			gotIDs = append(gotIDs, g.ID)
		}
		if g, w := sorted(gotIDs), sorted(c.want); g != w {
			t.Errorf("%v: got %s, want %s", c.filters, g, w)
		}
	}
	if got, _, err := r.svc.DescribeInternetGateways(ctxFor(acct2), nil, nil, Page{}); err != nil || len(got) != 0 {
		t.Errorf("another account sees %v %v", got, err)
	}
	first, next, err := r.svc.DescribeInternetGateways(ctx, nil, nil, Page{MaxResults: 5})
	if err != nil || len(first) != 5 || next == "" {
		t.Fatalf("first page: %d %q %v", len(first), next, err)
	}
	rest, next, err := r.svc.DescribeInternetGateways(ctx, nil, nil, Page{MaxResults: 5, NextToken: next})
	if err != nil || len(rest) != 2 || next != "" {
		t.Fatalf("second page: %d %q %v", len(rest), next, err)
	}
	if _, _, err := r.svc.DescribeInternetGateways(ctx, []string{"igw-zz"}, nil, Page{}); errCode(err) != ec2err.InvalidInternetGatewayIDMalformed {
		t.Errorf("malformed ID: %v", err)
	}
	checkTagged(t, r.rig, free[0], func(f Filter) int {
		got, _, _ := r.svc.DescribeInternetGateways(ctx, nil, []Filter{f}, Page{})
		n := 0
		for _, g := range got {
			if g.ID == free[0] {
				n++
			}
		}
		return n
	})
}
