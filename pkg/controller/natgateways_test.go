package controller

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// natLab is acct1's default VPC (public: its main table routes 0.0.0.0/0
// to its internet gateway, as EC2 makes it), a private subnet in lab-1a whose
// own table routes nowhere yet, and an Elastic IP.
type natLab struct {
	r                       *rig
	vpc, public, private    string
	privateTable, mainTable string
	addr                    Address
}

func newNatLab(t *testing.T) natLab {
	t.Helper()
	r := eipRig(t, "198.51.100.0/29")
	ctx := ctxFor(acct1)
	l := natLab{r: r, public: r.defaultSubnet(t)}
	vpc, err := r.svc.defaultVPCID(ctx, acct1)
	if err != nil {
		t.Fatal(err)
	}
	l.vpc, l.mainTable = vpc, ids.MainRouteTable(vpc)
	sn, err := r.svc.CreateSubnet(ctx, vpc, "172.31.200.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	l.private = sn.ID
	rt, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: vpc})
	if err != nil {
		t.Fatal(err)
	}
	l.privateTable = rt.ID
	if _, err := r.svc.AssociateRouteTable(ctx, rt.ID, sn.ID, false); err != nil {
		t.Fatal(err)
	}
	l.addr = r.allocate(t, acct1)
	return l
}

func (l natLab) create(t *testing.T) NatGateway {
	t.Helper()
	g, err := l.r.svc.CreateNatGateway(ctxFor(acct1), NatGatewayRequest{SubnetID: l.public, AllocationID: l.addr.AllocationID})
	if err != nil {
		t.Fatalf("CreateNatGateway: %v", err)
	}
	return g
}

func (l natLab) gateway(t *testing.T, id string) NatGateway {
	t.Helper()
	gs, _, err := l.r.svc.DescribeNatGateways(ctxFor(acct1), []string{id}, nil, Page{})
	if err != nil || len(gs) != 1 {
		t.Fatalf("DescribeNatGateways %s: %v %v", id, gs, err)
	}
	return gs[0]
}

func (l natLab) count(t *testing.T) int {
	t.Helper()
	all, err := store.ListJSON[NatGateway](context.Background(), l.r.svc.st, prefixNatGateway)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// TestNatGatewayLifecycle: a gateway is created pending with a private
// address of its subnet and its Elastic IP associated with its interface;
// the sweep places it on the zone's host and makes it available; a route
// to it activates; the host running the private subnet's instance is told
// to NAT it to the gateway's address; deleting it frees both addresses,
// blackholes the route and takes it off the host.
func TestNatGatewayLifecycle(t *testing.T) {
	l := newNatLab(t)
	r, ctx := l.r, ctxFor(acct1)
	g := l.create(t)
	if g.State != NatGatewayPending || g.VpcID != l.vpc || !ids.Valid(ids.NatGateway, g.ID) {
		t.Fatalf("created %+v", g)
	}
	sn, _, err := r.svc.ownSubnet(ctx, acct1, l.public)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := netip.ParseAddr(g.PrivateIP); err != nil || !sn.Prefix().Contains(a) {
		t.Errorf("private IP %q, want one of %s", g.PrivateIP, sn.CIDR)
	}
	addrs, err := r.svc.DescribeAddresses(ctx, []string{l.addr.AllocationID}, nil, nil)
	if err != nil || len(addrs) != 1 || addrs[0].Association == nil {
		t.Fatalf("address after create: %+v %v", addrs, err)
	}
	if as := addrs[0].Association; as.NetworkInterfaceID != g.NetworkInterfaceID() || as.PrivateIP != g.PrivateIP || as.InstanceID != "" {
		t.Errorf("association %+v, want the gateway's interface %s at %s", as, g.NetworkInterfaceID(), g.PrivateIP)
	}
	if err := r.svc.ReleaseAddress(ctx, l.addr.AllocationID, "", false); errCode(err) != ec2err.InvalidIPAddressInUse {
		t.Errorf("releasing the gateway's address: %v", err)
	}
	if err := r.svc.DisassociateAddress(ctx, addrs[0].Association.ID, "", false); errCode(err) != ec2err.InvalidIPAddressInUse {
		t.Errorf("disassociating the gateway's address: %v", err)
	}

	if ni := l.natInterfaces(t); len(ni) != 1 || ni[0].ID != g.NetworkInterfaceID() || ni[0].InterfaceType != ENITypeNatGateway ||
		!ni[0].RequesterManaged || ni[0].PrivateIP != g.PrivateIP || ni[0].Association == nil || ni[0].Association.PublicIP != l.addr.PublicIP {
		t.Errorf("the gateway's interface as DescribeNetworkInterfaces lists it: %+v", ni)
	}
	r.svc.sweepNatGateways(context.Background())
	if got := l.gateway(t, g.ID); got.State != NatGatewayAvailable || got.HostID != "h-lab-1a" {
		t.Fatalf("after the sweep: state %s on %q, want available on h-lab-1a", got.State, got.HostID)
	}
	route := RouteSpec{RouteTableID: l.privateTable, DestinationCIDR: anyIPv4, NatGatewayID: g.ID}
	if err := r.svc.CreateRoute(ctx, route, false); err != nil {
		t.Fatal(err)
	}
	if st := l.routeState(t); st != RouteActive {
		t.Errorf("route to the gateway is %s", st)
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, SubnetID: l.private})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	if res.Instances[0].PrivateIP == g.PrivateIP {
		t.Errorf("instance got the gateway's address %s", g.PrivateIP)
	}
	if _, s := pushedNIC(t, r, id); s.NATGateway != l.addr.PublicIP {
		t.Errorf("private subnet pushed with NAT gateway %q, want %s", s.NATGateway, l.addr.PublicIP)
	}
	if err := r.svc.DeleteSubnet(ctx, l.public, false); errCode(err) != ec2err.DependencyViolation {
		t.Errorf("deleting the gateway's subnet: %v", err)
	}

	if got, err := r.svc.DeleteNatGateway(ctx, g.ID, false); err != nil || got != g.ID {
		t.Fatalf("DeleteNatGateway: %q %v", got, err)
	}
	if got := l.gateway(t, g.ID); got.State != NatGatewayDeleting {
		t.Errorf("state %s right after delete", got.State)
	}
	r.svc.sweepNatGateways(context.Background())
	if got := l.gateway(t, g.ID); got.State != NatGatewayDeleted || got.DeleteTime.IsZero() {
		t.Errorf("after the sweep: %s (deleted %v)", got.State, got.DeleteTime)
	}
	if ni := l.natInterfaces(t); len(ni) != 0 {
		t.Errorf("a deleted gateway's interface is still listed: %+v", ni)
	}
	if st := l.routeState(t); st != RouteBlackhole {
		t.Errorf("route to the deleted gateway is %s", st)
	}
	if _, s := pushedNIC(t, r, id); s.NATGateway != "" {
		t.Errorf("deleted gateway still pushed: %q", s.NATGateway)
	}
	if err := r.svc.ReleaseAddress(ctx, l.addr.AllocationID, "", false); err != nil {
		t.Errorf("releasing the address of a deleted gateway: %v", err)
	}
	later := r.svc.now().Add(natGatewayKept + 1)
	r.svc.now = func() time.Time { return later }
	r.svc.sweepNatGateways(context.Background())
	if n := l.count(t); n != 0 {
		t.Errorf("%d gateway records an hour after deletion", n)
	}
}

func (l natLab) routeState(t *testing.T) string {
	t.Helper()
	rts, _, err := l.r.svc.DescribeRouteTables(ctxFor(acct1), []string{l.privateTable}, nil, Page{})
	if err != nil || len(rts) != 1 {
		t.Fatalf("DescribeRouteTables: %v %v", rts, err)
	}
	for _, rt := range rts[0].Routes {
		if rt.DestinationCIDR == anyIPv4 {
			return rt.State
		}
	}
	t.Fatalf("no default route in %+v", rts[0].Routes)
	return ""
}

// TestNatGatewayPushNeedsPublicSubnet: a gateway whose own subnet does not
// reach the internet gateway carries nothing.
func TestNatGatewayPushNeedsPublicSubnet(t *testing.T) {
	l := newNatLab(t)
	r, ctx := l.r, ctxFor(acct1)
	g := l.create(t)
	r.svc.sweepNatGateways(context.Background())
	if err := r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: l.privateTable, DestinationCIDR: anyIPv4, NatGatewayID: g.ID}, false); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, SubnetID: l.private})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteRoute(ctx, l.mainTable, anyIPv4, false); err != nil {
		t.Fatal(err)
	}
	if _, s := pushedNIC(t, r, res.Instances[0].ID); s.NATGateway != "" {
		t.Errorf("NAT gateway %q pushed though its subnet is private", s.NATGateway)
	}
}

// TestCreateNatGatewayErrors: each refusal has EC2's code and records
// nothing.
func TestCreateNatGatewayErrors(t *testing.T) {
	l := newNatLab(t)
	r := l.r
	other := r.allocate(t, acct2)
	used := r.allocate(t, acct1)
	busy := l.create(t) // holds l.addr
	tests := []struct {
		name string
		acct string
		req  NatGatewayRequest
		want string
	}{
		{"no subnet", acct1, NatGatewayRequest{AllocationID: used.AllocationID}, ec2err.MissingParameter},
		{"no address", acct1, NatGatewayRequest{SubnetID: l.public}, ec2err.MissingParameter},
		{"private", acct1, NatGatewayRequest{SubnetID: l.public, ConnectivityType: "private"}, ec2err.UnsupportedOperation},
		{"bad type", acct1, NatGatewayRequest{SubnetID: l.public, AllocationID: used.AllocationID, ConnectivityType: "both"}, ec2err.InvalidParameterValue},
		{"unknown subnet", acct1, NatGatewayRequest{SubnetID: "subnet-00000000000000000", AllocationID: used.AllocationID}, ec2err.InvalidSubnetIDNotFound},
		{"another's subnet", acct2, NatGatewayRequest{SubnetID: l.public, AllocationID: other.AllocationID}, ec2err.InvalidSubnetIDNotFound},
		{"another's address", acct1, NatGatewayRequest{SubnetID: l.public, AllocationID: other.AllocationID}, ec2err.InvalidAllocationIDNotFound},
		{"address in use", acct1, NatGatewayRequest{SubnetID: l.public, AllocationID: l.addr.AllocationID}, ec2err.ResourceAlreadyAssociated},
		{"address outside the subnet", acct1, NatGatewayRequest{SubnetID: l.public, AllocationID: used.AllocationID, PrivateIP: "10.0.0.5"}, ec2err.InvalidParameterValue},
		{"dry run", acct1, NatGatewayRequest{SubnetID: l.public, AllocationID: used.AllocationID, DryRun: true}, ec2err.DryRunOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := l.count(t)
			_, err := r.svc.CreateNatGateway(ctxFor(tt.acct), tt.req)
			if errCode(err) != tt.want {
				t.Errorf("err %v, want %s", err, tt.want)
			}
			if n := l.count(t); n != before {
				t.Errorf("%d gateways after a refusal, had %d", n, before)
			}
		})
	}
	if _, err := r.svc.DeleteNatGateway(ctxFor(acct1), "nat-1", false); errCode(err) != ec2err.NatGatewayMalformed {
		t.Errorf("delete malformed: %v", err)
	}
	if _, err := r.svc.DeleteNatGateway(ctxFor(acct2), busy.ID, false); errCode(err) != ec2err.NatGatewayNotFound {
		t.Errorf("delete another's: %v", err)
	}
	if _, err := r.svc.DeleteNatGateway(ctxFor(acct1), busy.ID, true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("delete dry run: %v", err)
	}
	if err := r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: l.privateTable, DestinationCIDR: anyIPv4, NatGatewayID: busy.ID,
		GatewayID: "igw-00000000000000000"}, false); errCode(err) != ec2err.InvalidParameterCombination {
		t.Errorf("route with two targets: %v", err)
	}
	if err := r.svc.CreateRoute(ctxFor(acct1), RouteSpec{RouteTableID: l.privateTable, DestinationCIDR: anyIPv4,
		NatGatewayID: "nat-00000000000000000"}, false); errCode(err) != ec2err.NatGatewayNotFound {
		t.Errorf("route to a missing gateway: %v", err)
	}
}

// TestCreateNatGatewayClientToken: a retry answers the first gateway; the
// token with other parameters is refused.
func TestCreateNatGatewayClientToken(t *testing.T) {
	l := newNatLab(t)
	req := NatGatewayRequest{SubnetID: l.public, AllocationID: l.addr.AllocationID, ClientToken: "tok-1"}
	a, err := l.r.svc.CreateNatGateway(ctxFor(acct1), req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.r.svc.CreateNatGateway(ctxFor(acct1), req)
	if err != nil || b.ID != a.ID {
		t.Errorf("retry: %s %v, want %s", b.ID, err, a.ID)
	}
	req.PrivateIP = "172.31.0.99"
	if _, err := l.r.svc.CreateNatGateway(ctxFor(acct1), req); errCode(err) != ec2err.IdempotentParameterMismatch {
		t.Errorf("token reused with other parameters: %v", err)
	}
	if n := l.count(t); n != 1 {
		t.Errorf("%d gateways, want 1", n)
	}
}

// TestDescribeNatGatewaysFilters: the filters EC2 documents.
func TestDescribeNatGatewaysFilters(t *testing.T) {
	l := newNatLab(t)
	g := l.create(t)
	if err := l.r.svc.CreateTags(ctxFor(acct1), []string{g.ID}, []Tag{{Key: "Name", Value: "egress"}}, false); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		f    Filter
		want int
	}{
		{Filter{Name: "nat-gateway-id", Values: []string{g.ID}}, 1},
		{Filter{Name: "state", Values: []string{NatGatewayPending}}, 1},
		{Filter{Name: "state", Values: []string{NatGatewayAvailable}}, 0},
		{Filter{Name: "subnet-id", Values: []string{l.public}}, 1},
		{Filter{Name: "vpc-id", Values: []string{l.vpc}}, 1},
		{Filter{Name: "tag:Name", Values: []string{"egress"}}, 1},
		{Filter{Name: "tag-key", Values: []string{"Nope"}}, 0},
	} {
		gs, _, err := l.r.svc.DescribeNatGateways(ctxFor(acct1), nil, []Filter{tt.f}, Page{})
		if err != nil || len(gs) != tt.want {
			t.Errorf("filter %v: %d gateways (%v), want %d", tt.f, len(gs), err, tt.want)
		}
	}
	if gs, _, err := l.r.svc.DescribeNatGateways(ctxFor(acct2), nil, nil, Page{}); err != nil || len(gs) != 0 {
		t.Errorf("another account sees %v (%v)", gs, err)
	}
	if _, _, err := l.r.svc.DescribeNatGateways(ctxFor(acct1), []string{"nat-00000000000000000"}, nil, Page{}); errCode(err) != ec2err.NatGatewayNotFound {
		t.Errorf("unknown ID: %v", err)
	}
	if _, _, err := l.r.svc.DescribeNatGateways(ctxFor(acct1), nil, []Filter{{Name: "bogus", Values: []string{"x"}}}, Page{}); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("unknown filter: %v", err)
	}
}

// TestNatGatewayFollowsItsInstances: with two hosts in the zone, a gateway
// that runs none of its routed subnets' instances moves to the host that
// does (the data plane NATs only its own host's guests), and stays there
// while it runs some.
func TestNatGatewayFollowsItsInstances(t *testing.T) {
	l := newNatLab(t)
	r, ctx := l.r, ctxFor(acct1)
	r.addHosts(t, "lab-1a", 1)
	g := l.create(t)
	r.svc.sweepNatGateways(context.Background())
	first := l.gateway(t, g.ID).HostID
	if err := r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: l.privateTable, DestinationCIDR: anyIPv4, NatGatewayID: g.ID}, false); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, SubnetID: l.private})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	other := ""
	for _, h := range l.hostsOf(t, "lab-1a") {
		if h != first {
			other = h
		}
	}
	if _, err := update(context.Background(), r.svc.st, prefixInstance+id, func(in *Instance) error {
		in.HostID = other // as if the scheduler had put it there
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.svc.sweepNatGateways(context.Background())
	if got := l.gateway(t, g.ID); got.HostID != other || got.State != NatGatewayAvailable {
		t.Fatalf("gateway on %s (%s), want it moved to %s where its subnet's instance runs", got.HostID, got.State, other)
	}
	if _, s := pushedNIC(t, r, id); s.NATGateway != l.addr.PublicIP {
		t.Errorf("instance's subnet pushed with NAT gateway %q after the move", s.NATGateway)
	}
	r.svc.sweepNatGateways(context.Background())
	if got := l.gateway(t, g.ID); got.HostID != other {
		t.Errorf("gateway moved again to %s", got.HostID)
	}
}

// hostsOf are the IDs of the rig's hosts in az.
func (l natLab) hostsOf(t *testing.T, az string) []string {
	t.Helper()
	hs, err := l.r.svc.Hosts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hs {
		if h.AZ == az {
			out = append(out, h.ID)
		}
	}
	return out
}

// natInterfaces are the NAT gateway interfaces DescribeNetworkInterfaces
// lists in the lab's public subnet.
func (l natLab) natInterfaces(t *testing.T) []NetworkInterface {
	t.Helper()
	nis, _, err := l.r.svc.DescribeNetworkInterfaces(ctxFor(acct1), nil, []Filter{{Name: "subnet-id", Values: []string{l.public}},
		{Name: "interface-type", Values: []string{ENITypeNatGateway}}}, Page{})
	if err != nil {
		t.Fatal(err)
	}
	return nis
}

// TestCreateNatGatewayConcurrentRetries: retries with one client token,
// all at once, answer one gateway.
func TestCreateNatGatewayConcurrentRetries(t *testing.T) {
	l := newNatLab(t)
	req := NatGatewayRequest{SubnetID: l.public, AllocationID: l.addr.AllocationID, ClientToken: "tok-race"}
	got := make([]string, 6)
	errs := make([]error, 6)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := l.r.svc.CreateNatGateway(ctxFor(acct1), req)
			got[i], errs[i] = g.ID, err
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Errorf("retry %d: %s %v, want %s", i, got[i], errs[i], got[0])
		}
	}
	if n := l.count(t); n != 1 {
		t.Errorf("%d gateways, want 1", n)
	}
}

// TestCreateNatGatewayWhileStarting: CreateNatGateway and StartInstances
// take the launch and Elastic IP locks in one order: run together they
// finish (a deadlock fails the test by its deadline).
func TestCreateNatGatewayWhileStarting(t *testing.T) {
	l := newNatLab(t)
	r, ctx := l.r, ctxFor(acct1)
	id := r.run(t, 1, "lab-1a")[0]
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 30 {
				if _, err := r.svc.StartInstances(ctx, []string{id}, false); err != nil {
					t.Errorf("StartInstances: %v", err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				g, err := r.svc.CreateNatGateway(ctx, NatGatewayRequest{SubnetID: l.public, AllocationID: l.addr.AllocationID})
				if err != nil {
					t.Errorf("CreateNatGateway: %v", err)
					return
				}
				if _, err := r.svc.DeleteNatGateway(ctx, g.ID, false); err != nil {
					t.Errorf("DeleteNatGateway: %v", err)
					return
				}
				r.svc.sweepNatGateways(context.Background()) // frees the address for the next one
			}
		}()
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("CreateNatGateway and StartInstances deadlocked")
	}
}

// TestNatGatewayKeepsItsInternetGateway: the VPC's internet gateway cannot
// be detached while a NAT gateway maps its Elastic IP (EC2's
// DependencyViolation), and a gateway created in a VPC without one fails
// with Gateway.NotAttached and gives its addresses back.
func TestNatGatewayKeepsItsInternetGateway(t *testing.T) {
	l := newNatLab(t)
	r, ctx := l.r, ctxFor(acct1)
	g := l.create(t)
	igw, err := r.svc.vpcInternetGateway(context.Background(), l.vpc)
	if err != nil || igw == "" {
		t.Fatalf("internet gateway: %q %v", igw, err)
	}
	if err := r.svc.DetachInternetGateway(ctx, igw, l.vpc, false); errCode(err) != ec2err.DependencyViolation {
		t.Errorf("detaching under a NAT gateway: %v, want %s", err, ec2err.DependencyViolation)
	}
	if _, err := r.svc.DeleteNatGateway(ctx, g.ID, false); err != nil {
		t.Fatal(err)
	}
	r.svc.sweepNatGateways(context.Background())
	if err := r.svc.DetachInternetGateway(ctx, igw, l.vpc, false); err != nil {
		t.Fatalf("detaching once the NAT gateway is deleted: %v", err)
	}
	failed := l.create(t)
	r.svc.sweepNatGateways(context.Background())
	got := l.gateway(t, failed.ID)
	if got.State != NatGatewayFailed || got.FailureCode != ec2err.GatewayNotAttached || got.DeleteTime.IsZero() {
		t.Errorf("gateway without an internet gateway: %s %q %q", got.State, got.FailureCode, got.FailureMessage)
	}
	if err := r.svc.ReleaseAddress(ctx, l.addr.AllocationID, "", false); err != nil {
		t.Errorf("the failed gateway kept its Elastic IP: %v", err)
	}
}
