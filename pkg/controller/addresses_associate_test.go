package controller

import (
	"context"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

func (r *rig) associate(t *testing.T, req AssociateRequest) string {
	t.Helper()
	id, err := r.svc.AssociateAddress(ctxFor(acct1), req)
	if err != nil {
		t.Fatalf("AssociateAddress %+v: %v", req, err)
	}
	return id
}

// describeOne is instance id as DescribeInstances shows it.
func (r *rig) describeOne(t *testing.T, id string) Instance {
	t.Helper()
	out, _, err := r.svc.DescribeInstances(ctxFor(acct1), []string{id}, nil, Page{})
	if err != nil || len(out) != 1 {
		t.Fatalf("DescribeInstances %s: %v", id, err)
	}
	return out[0]
}

func TestAssociateAddress(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29")
	insts := r.run(t, 2, "lab-1a")
	a, b := r.allocate(t, acct1), r.allocate(t, acct1)
	assoc := r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[0]})
	if !ids.Valid(ids.Association, assoc) {
		t.Errorf("association ID %q, want eipassoc- and 17 hex digits", assoc)
	}
	in := r.describeOne(t, insts[0])
	if in.PublicIP() != a.PublicIP {
		t.Errorf("instance public IP %q, want %s", in.PublicIP(), a.PublicIP)
	}
	ni := in.NetworkInterfaces()[0]
	if as := ni.Association; as == nil || as.PublicIP != a.PublicIP || as.IPOwner != acct1 || as.AllocationID != a.AllocationID ||
		as.AssociationID != assoc || as.PrivateIP != in.PrivateIP {
		t.Errorf("interface association %+v", ni.Association)
	}
	enis, _, err := r.svc.DescribeNetworkInterfaces(ctxFor(acct1), nil,
		[]Filter{{Name: "association.public-ip", Values: []string{a.PublicIP}}}, Page{})
	if err != nil || len(enis) != 1 || enis[0].ID != ni.ID || enis[0].Association == nil {
		t.Errorf("DescribeNetworkInterfaces association.public-ip=%s: %+v, %v", a.PublicIP, enis, err)
	}
	pairs, err := r.svc.elasticIPsByInstance(context.Background())
	if err != nil || len(pairs) != 1 || pairs[insts[0]][in.PrivateIP] != a.PublicIP {
		t.Errorf("elasticIPsByInstance: %v, %v; want %s: %s → %s", pairs, err, insts[0], in.PrivateIP, a.PublicIP)
	}

	// Already associated: only with AllowReassociation, then it moves.
	_, err = r.svc.AssociateAddress(ctxFor(acct1), AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[1]})
	if errCode(err) != ec2err.ResourceAlreadyAssociated {
		t.Errorf("re-associate without AllowReassociation: %v, want Resource.AlreadyAssociated", err)
	}
	moved := r.associate(t, AssociateRequest{AllocationID: a.AllocationID,
		NetworkInterfaceID: ids.PrimaryNetworkInterface(insts[1]), AllowReassociation: true})
	if r.describeOne(t, insts[0]).PublicIP() != "" || r.describeOne(t, insts[1]).PublicIP() != a.PublicIP {
		t.Error("AllowReassociation did not move the address")
	}
	// A second address on the same interface address replaces the first.
	r.associate(t, AssociateRequest{AllocationID: b.AllocationID, InstanceID: insts[1]})
	if got := r.describeOne(t, insts[1]).PublicIP(); got != b.PublicIP {
		t.Errorf("instance public IP %q, want the new %s", got, b.PublicIP)
	}
	if err := r.svc.DisassociateAddress(ctxFor(acct1), moved, "", false); errCode(err) != ec2err.InvalidAssociationIDNotFound {
		t.Errorf("replaced association still there: DisassociateAddress %v", err)
	}
	// Releasing an associated address is refused; disassociated, it goes.
	if err := r.svc.ReleaseAddress(ctxFor(acct1), b.AllocationID, "", false); errCode(err) != ec2err.InvalidIPAddressInUse {
		t.Errorf("release while associated: %v, want InvalidIPAddress.InUse", err)
	}
	if err := r.svc.DisassociateAddress(ctxFor(acct1), "", b.PublicIP, false); err != nil {
		t.Fatalf("DisassociateAddress by public IP: %v", err)
	}
	if err := r.svc.ReleaseAddress(ctxFor(acct1), b.AllocationID, "", false); err != nil {
		t.Errorf("release after disassociation: %v", err)
	}
}

func TestAssociateAddressErrors(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29")
	insts := r.run(t, 2, "lab-1a")
	a, other := r.allocate(t, acct1), r.allocate(t, acct2)
	r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[1]})
	r.setState(t, insts[1], StateShuttingDown)
	eni := ids.PrimaryNetworkInterface(insts[0])
	for _, tc := range []struct {
		name string
		req  AssociateRequest
		code string
	}{
		{"no address", AssociateRequest{InstanceID: insts[0]}, ec2err.MissingParameter},
		{"malformed allocation", AssociateRequest{AllocationID: "eipalloc-x", InstanceID: insts[0]}, ec2err.InvalidAllocationIDMalformed},
		{"another account's address", AssociateRequest{AllocationID: other.AllocationID, InstanceID: insts[0]}, ec2err.InvalidAllocationIDNotFound},
		{"no target", AssociateRequest{AllocationID: a.AllocationID}, ec2err.MissingParameter},
		{"both targets", AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[0], NetworkInterfaceID: eni}, ec2err.InvalidParameterCombination},
		{"unknown instance", AssociateRequest{AllocationID: a.AllocationID, InstanceID: "i-0123456789abcdef0"}, ec2err.InvalidInstanceIDNotFound},
		{"unknown interface", AssociateRequest{AllocationID: a.AllocationID, NetworkInterfaceID: "eni-0123456789abcdef0"}, ec2err.InvalidNetworkInterfaceIDNotFound},
		{"instance shutting down", AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[1], AllowReassociation: true}, ec2err.IncorrectInstanceState},
		{"foreign private address", AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[0], PrivateIP: "10.9.9.9"}, ec2err.InvalidParameterValue},
		{"dry run", AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[0], DryRun: true}, ec2err.DryRunOperation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.svc.AssociateAddress(ctxFor(acct1), tc.req)
			if errCode(err) != tc.code {
				t.Errorf("AssociateAddress: %v, want %s", err, tc.code)
			}
		})
	}
	if _, err := r.svc.AssociateAddress(ctxFor(acct2), AssociateRequest{AllocationID: other.AllocationID, InstanceID: insts[0]}); errCode(err) != ec2err.InvalidInstanceIDNotFound {
		t.Errorf("associate with another account's instance: %v, want InvalidInstanceID.NotFound", err)
	}
	if r.describeOne(t, insts[0]).PublicIP() != "" {
		t.Error("a refused association changed the instance")
	}
	for _, tc := range []struct{ id, code string }{
		{"eipassoc-nope", ec2err.InvalidAssociationIDMalformed},
		{"eipassoc-0123456789abcdef0", ec2err.InvalidAssociationIDNotFound},
		{"", ec2err.MissingParameter},
	} {
		if err := r.svc.DisassociateAddress(ctxFor(acct1), tc.id, "", false); errCode(err) != tc.code {
			t.Errorf("DisassociateAddress %q: %v, want %s", tc.id, err, tc.code)
		}
	}
}

func TestAssociableInterface(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Instance
		code string
	}{
		{"terminated", Instance{ID: "i-0123456789abcdef0", State: StateTerminated, SubnetID: "subnet-1"}, ec2err.IncorrectInstanceState},
		{"no interface", Instance{ID: "i-0123456789abcdef0", State: StateRunning}, ec2err.InvalidInstanceID},
		{"stopped", Instance{ID: "i-0123456789abcdef0", State: StateStopped, SubnetID: "subnet-1", PrivateIP: "10.0.0.5"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := associableInterface(tc.in); errCode(err) != tc.code {
				t.Errorf("associableInterface: %v, want %q", err, tc.code)
			}
		})
	}
}

func TestTerminateDisassociates(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29")
	insts := r.run(t, 2, "lab-1a")
	a, b := r.allocate(t, acct1), r.allocate(t, acct1)
	r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[0]})
	r.associate(t, AssociateRequest{AllocationID: b.AllocationID, InstanceID: insts[1]})
	if _, err := r.svc.TerminateInstances(ctxFor(acct1), []string{insts[0]}, false); err != nil {
		t.Fatal(err)
	}
	// Another way an instance goes (Auto Scaling, the reconciler): the sweep.
	r.setState(t, insts[1], StateTerminated)
	r.svc.sweepAddressAssociations(context.Background())
	got, err := r.svc.DescribeAddresses(ctxFor(acct1), nil, nil, nil)
	if err != nil || len(got) != 2 {
		t.Fatalf("DescribeAddresses: %v, %v; want both still allocated", got, err)
	}
	for _, a := range got {
		if a.Association != nil {
			t.Errorf("%s still associated with %+v", a.PublicIP, a.Association)
		}
	}
}

func TestDescribeAddresses(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29")
	insts := r.run(t, 1, "lab-1a")
	a, b := r.allocate(t, acct1), r.allocate(t, acct1)
	r.allocate(t, acct2)
	assoc := r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: insts[0]})
	if err := r.svc.CreateTags(ctxFor(acct1), []string{b.AllocationID}, []Tag{{Key: "env", Value: "prod"}}, false); err != nil {
		t.Fatalf("CreateTags on an allocation: %v", err)
	}
	priv := r.describeOne(t, insts[0]).PrivateIP
	for _, tc := range []struct {
		name    string
		filters []Filter
		ids     []string
		ips     []string
		want    []string
	}{
		{name: "all of the caller's", want: []string{a.PublicIP, b.PublicIP}},
		{name: "by allocation ID", ids: []string{b.AllocationID}, want: []string{b.PublicIP}},
		{name: "by public IP", ips: []string{a.PublicIP}, want: []string{a.PublicIP}},
		{name: "allocation-id", filters: []Filter{{Name: "allocation-id", Values: []string{a.AllocationID}}}, want: []string{a.PublicIP}},
		{name: "association-id", filters: []Filter{{Name: "association-id", Values: []string{assoc}}}, want: []string{a.PublicIP}},
		{name: "instance-id", filters: []Filter{{Name: "instance-id", Values: []string{insts[0]}}}, want: []string{a.PublicIP}},
		{name: "network-interface-id", filters: []Filter{{Name: "network-interface-id", Values: []string{ids.PrimaryNetworkInterface(insts[0])}}}, want: []string{a.PublicIP}},
		{name: "network-interface-owner-id", filters: []Filter{{Name: "network-interface-owner-id", Values: []string{acct1}}}, want: []string{a.PublicIP}},
		{name: "private-ip-address", filters: []Filter{{Name: "private-ip-address", Values: []string{priv}}}, want: []string{a.PublicIP}},
		{name: "public-ip", filters: []Filter{{Name: "public-ip", Values: []string{b.PublicIP}}}, want: []string{b.PublicIP}},
		{name: "domain", filters: []Filter{{Name: "domain", Values: []string{"vpc"}}}, want: []string{a.PublicIP, b.PublicIP}},
		{name: "tag", filters: []Filter{{Name: "tag:env", Values: []string{"prod"}}}, want: []string{b.PublicIP}},
		{name: "tag-key", filters: []Filter{{Name: "tag-key", Values: []string{"env"}}}, want: []string{b.PublicIP}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.svc.DescribeAddresses(ctxFor(acct1), tc.ids, tc.ips, tc.filters)
			if err != nil {
				t.Fatal(err)
			}
			var ips []string
			for _, a := range got {
				ips = append(ips, a.PublicIP)
			}
			slices.Sort(ips)
			if !slices.Equal(ips, tc.want) {
				t.Errorf("addresses %v, want %v", ips, tc.want)
			}
		})
	}
	if _, err := r.svc.DescribeAddresses(ctxFor(acct1), []string{"eipalloc-0123456789abcdef0"}, nil, nil); errCode(err) != ec2err.InvalidAllocationIDNotFound {
		t.Errorf("unknown allocation ID: %v", err)
	}
	if _, err := r.svc.DescribeAddresses(ctxFor(acct1), nil, []string{"192.0.2.1"}, nil); errCode(err) != ec2err.InvalidAddressNotFound {
		t.Errorf("unknown public IP: %v", err)
	}
	if _, err := r.svc.DescribeAddresses(ctxFor(acct1), nil, nil, []Filter{{Name: "bogus", Values: []string{"x"}}}); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("unknown filter: %v", err)
	}
}

// TestAssociateNeedsInternetGateway: as in EC2, an address cannot point
// into a VPC without an internet gateway; once one is attached it can.
func TestAssociateNeedsInternetGateway(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	p, err := ParseElasticIPPool([]string{"198.51.100.0/29"})
	if err != nil {
		t.Fatal(err)
	}
	r.svc.eipPool = p
	inst := r.run(t, 1, "lab-1a")[0]
	a := r.allocate(t, acct1)
	vpc := r.get(t, inst).VpcID
	igw, err := r.svc.vpcInternetGateway(context.Background(), vpc)
	if err != nil || igw == "" {
		t.Fatalf("the default VPC's internet gateway: %q %v", igw, err)
	}
	if err := r.svc.DetachInternetGateway(ctxFor(acct1), igw, vpc, false); err != nil {
		t.Fatal(err)
	}
	_, err = r.svc.AssociateAddress(ctxFor(acct1), AssociateRequest{AllocationID: a.AllocationID, InstanceID: inst})
	if errCode(err) != ec2err.GatewayNotAttached {
		t.Fatalf("associate without a gateway: %v, want %s", err, ec2err.GatewayNotAttached)
	}
	if got := r.describeOne(t, inst).PublicIP(); got != "" {
		t.Errorf("refused association left public IP %q", got)
	}
	r.attachGateway(t, acct1, "")
	first := r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: inst})
	// Again to the same place, without AllowReassociation: EC2 answers the
	// association it has.
	if again := r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: inst}); again != first {
		t.Errorf("associating again to the same instance gave %s, want %s", again, first)
	}
}

// TestAssociateRacesDetach: an association and a detach of the VPC's
// gateway racing each other never both succeed (an address left mapped
// behind no gateway).
func TestAssociateRacesDetach(t *testing.T) {
	for i := 0; i < 20; i++ {
		r := eipRig(t, "198.51.100.0/29")
		inst := r.run(t, 1, "lab-1a")[0]
		a := r.allocate(t, acct1)
		vpc := r.get(t, inst).VpcID
		igw, err := r.svc.vpcInternetGateway(context.Background(), vpc)
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		go func() {
			_, err := r.svc.AssociateAddress(ctxFor(acct1), AssociateRequest{AllocationID: a.AllocationID, InstanceID: inst})
			errs <- err
		}()
		go func() { errs <- r.svc.DetachInternetGateway(ctxFor(acct1), igw, vpc, false) }()
		if e1, e2 := <-errs, <-errs; e1 == nil && e2 == nil {
			t.Fatalf("round %d: the association and the detach both succeeded", i)
		}
	}
}
