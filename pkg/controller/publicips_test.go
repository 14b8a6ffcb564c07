package controller

import (
	"context"
	"errors"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// defaultSubnet is the ID of acct1's default subnet in lab-1a.
func (r *rig) defaultSubnet(t *testing.T) string {
	t.Helper()
	subs, _, err := r.svc.DescribeSubnets(ctxFor(acct1), nil, []Filter{{Name: "availability-zone", Values: []string{"lab-1a"}},
		{Name: "default-for-az", Values: []string{"true"}}}, Page{})
	if err != nil || len(subs) != 1 {
		t.Fatalf("default subnet: %v, %v", subs, err)
	}
	return subs[0].ID
}

// mapPublicIP sets the subnet's MapPublicIpOnLaunch.
func (r *rig) mapPublicIP(t *testing.T, subnet string, v bool) {
	t.Helper()
	if err := r.svc.ModifySubnetAttribute(ctxFor(acct1), subnet,
		SubnetAttributeChange{Flags: map[string]bool{"MapPublicIpOnLaunch": v}}); err != nil {
		t.Fatalf("ModifySubnetAttribute MapPublicIpOnLaunch=%v: %v", v, err)
	}
}

// publicRun launches count instances in lab-1a whose interface asks
// AssociatePublicIpAddress assoc (nil: not given).
func (r *rig) publicRun(count int, assoc *bool) (RunResult, error) {
	zero := 0
	req := RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: count, MaxCount: count, AZ: "lab-1a"}
	if assoc != nil {
		req.NetworkInterfaces = []InterfaceSpec{{DeviceIndex: &zero, AssociatePublicIP: assoc}}
	}
	return r.svc.RunInstances(ctxFor(acct1), req)
}

// claimOf is the claim of a pool address (ok false when none).
func (r *rig) claimOf(t *testing.T, ip string) (addressClaim, bool) {
	t.Helper()
	c, _, err := store.GetJSON[addressClaim](context.Background(), r.svc.st, addressClaimKey(ip))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return c, err == nil
}

// checkAutoIP checks that instance id shows ip as its auto-assigned public
// address everywhere ("": that it has none) and that ip's claim is its.
func (r *rig) checkAutoIP(t *testing.T, id, ip string) {
	t.Helper()
	in := r.describeOne(t, id)
	if in.PublicIP() != ip {
		t.Fatalf("%s: public IP %q, want %q", id, in.PublicIP(), ip)
	}
	if ip == "" {
		if in.AssignedPublicIP != "" && holdsPublicIP(in.State) {
			t.Errorf("%s still records %s", id, in.AssignedPublicIP)
		}
		return
	}
	as := in.NetworkInterfaces()[0].Association
	if as == nil || as.IPOwner != PublicIPOwnerAmazon || as.AllocationID != "" || as.AssociationID != "" || as.PrivateIP != in.PrivateIP {
		t.Errorf("%s: interface association %+v, want %s owned by amazon without IDs", id, as, ip)
	}
	if c, ok := r.claimOf(t, ip); !ok || c.InstanceID != id || c.AllocationID != "" || c.Owner != acct1 {
		t.Errorf("claim of %s: %+v (%v), want instance %s's", ip, c, ok, id)
	}
	if as, err := r.svc.DescribeAddresses(ctxFor(acct1), nil, nil, nil); err != nil || len(as) != r.elasticCount(t) {
		t.Errorf("DescribeAddresses lists %d (%v), want the Elastic IPs only", len(as), err)
	}
	if _, err := r.svc.DescribeAddresses(ctxFor(acct1), nil, []string{ip}, nil); errCode(err) != ec2err.InvalidAddressNotFound {
		t.Errorf("DescribeAddresses PublicIp %s: %v, want InvalidAddress.NotFound (no Elastic IP)", ip, err)
	}
}

func (r *rig) elasticCount(t *testing.T) int {
	t.Helper()
	all, err := r.svc.accountAddresses(context.Background(), acct1)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

func TestPublicIPOnLaunch(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		name      string
		mapSubnet bool
		tmpl      bool // the choice comes from a launch template
		assoc     *bool
		want      bool
	}{
		{name: "default subnet, not asked", want: false},
		{name: "asked", assoc: &yes, want: true},
		{name: "refused", assoc: &no, want: false},
		{name: "subnet maps", mapSubnet: true, want: true},
		{name: "subnet maps, refused", mapSubnet: true, assoc: &no, want: false},
		{name: "template asks", tmpl: true, assoc: &yes, want: true},
		{name: "template refuses in a mapping subnet", mapSubnet: true, tmpl: true, assoc: &no, want: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := eipRig(t, "198.51.100.0/29")
			sn := r.defaultSubnet(t)
			r.mapPublicIP(t, sn, tt.mapSubnet)
			var res RunResult
			var err error
			if tt.tmpl {
				zero := int32(0)
				lt := r.newTemplate(t, "web", LaunchTemplateData{ImageID: r.ami, InstanceType: "lab.tiny",
					NetworkInterfaces: []TemplateInterface{{DeviceIndex: &zero, SubnetID: sn, AssociatePublicIP: tt.assoc}}})
				res, err = r.svc.RunInstances(ctxFor(acct1), RunRequest{MinCount: 2, MaxCount: 2,
					LaunchTemplate: &LaunchTemplateSpec{ID: lt.ID}})
			} else {
				res, err = r.publicRun(2, tt.assoc)
			}
			if err != nil {
				t.Fatalf("RunInstances: %v", err)
			}
			seen := map[string]bool{}
			for _, in := range res.Instances {
				if got := in.PublicIP() != ""; got != tt.want || in.PublicIPOnLaunch != tt.want {
					t.Fatalf("%s: public IP %q (on launch %v), want one: %v", in.ID, in.PublicIP(), in.PublicIPOnLaunch, tt.want)
				}
				r.checkAutoIP(t, in.ID, in.PublicIP())
				if in.PublicIP() != "" && seen[in.PublicIP()] {
					t.Errorf("two instances got %s", in.PublicIP())
				}
				seen[in.PublicIP()] = true
			}
		})
	}
}

// TestPublicIPLaunchRefused: an explicit ask the pool cannot meet fails
// the launch and changes nothing; the subnet's default does not.
func TestPublicIPLaunchRefused(t *testing.T) {
	yes := true
	for _, tt := range []struct {
		name  string
		pool  []string
		count int
		assoc *bool
		code  string
	}{
		{name: "no pool", count: 1, assoc: &yes, code: ec2err.AddressLimitExceeded},
		{name: "pool too small", pool: []string{"198.51.100.7-198.51.100.8"}, count: 3, assoc: &yes, code: ec2err.AddressLimitExceeded},
		{name: "subnet maps, no pool", count: 1},
		{name: "subnet maps, pool too small", pool: []string{"198.51.100.7-198.51.100.7"}, count: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := eipRig(t, tt.pool...)
			r.mapPublicIP(t, r.defaultSubnet(t), tt.assoc == nil)
			res, err := r.publicRun(tt.count, tt.assoc)
			if errCode(err) != tt.code {
				t.Fatalf("RunInstances: %v, want %q", err, tt.code)
			}
			claims, _ := r.svc.st.List(context.Background(), prefixAddressClaim)
			insts, _ := r.svc.instances(context.Background())
			if tt.code != "" {
				if len(claims) != 0 || len(insts) != 0 {
					t.Errorf("refused launch left %d claims, %d instances", len(claims), len(insts))
				}
				return
			}
			got := 0
			for _, in := range res.Instances {
				if in.PublicIP() != "" {
					got++
				}
			}
			if want := min(tt.count, len(claims)); got != want || len(claims) != len(tt.pool) {
				t.Errorf("%d instances got public IPs, %d claims; want %d and %d", got, len(claims), want, len(tt.pool))
			}
		})
	}
}

func TestPublicIPStopStart(t *testing.T) {
	yes := true
	r := eipRig(t, "198.51.100.0/29")
	res, err := r.publicRun(1, &yes)
	if err != nil {
		t.Fatal(err)
	}
	id, first := res.Instances[0].ID, res.Instances[0].PublicIP()
	r.checkAutoIP(t, id, first)
	if _, err := r.svc.StopInstances(ctxFor(acct1), []string{id}, false, false); err != nil {
		t.Fatal(err)
	}
	r.checkAutoIP(t, id, "")
	if _, ok := r.claimOf(t, first); ok {
		t.Errorf("stop kept the claim of %s", first)
	}
	eip := r.allocate(t, acct1) // takes the address the stop released
	if eip.PublicIP != first {
		t.Fatalf("allocation got %s, want the released %s", eip.PublicIP, first)
	}
	r.setState(t, id, StateStopped)
	if _, err := r.svc.StartInstances(ctxFor(acct1), []string{id}, false); err != nil {
		t.Fatal(err)
	}
	second := r.describeOne(t, id).PublicIP()
	if second == "" || second == first {
		t.Fatalf("started with public IP %q, want a new one (not %s)", second, first)
	}
	r.checkAutoIP(t, id, second)
	if _, err := r.svc.TerminateInstances(ctxFor(acct1), []string{id}, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.claimOf(t, second); ok {
		t.Errorf("terminate kept the claim of %s", second)
	}
}

// TestElasticIPReplacesPublicIP: an Elastic IP on the primary address
// releases the auto-assigned one; disassociated, a new one comes (EC2's
// documented behaviour). elasticIPsByInstance answers both kinds.
func TestElasticIPReplacesPublicIP(t *testing.T) {
	yes := true
	r := eipRig(t, "198.51.100.0/29")
	res, err := r.publicRun(2, &yes)
	if err != nil {
		t.Fatal(err)
	}
	a, b := res.Instances[0], res.Instances[1]
	eip := r.allocate(t, acct1)
	assoc := r.associate(t, AssociateRequest{AllocationID: eip.AllocationID, InstanceID: a.ID})
	if got := r.describeOne(t, a.ID); got.PublicIP() != eip.PublicIP || got.NetworkInterfaces()[0].Association.IPOwner != acct1 {
		t.Errorf("public IP %q after association, want the Elastic IP %s", got.PublicIP(), eip.PublicIP)
	}
	if _, ok := r.claimOf(t, a.PublicIP()); ok || r.get(t, a.ID).AssignedPublicIP != "" {
		t.Errorf("auto-assigned %s not released by the Elastic IP", a.PublicIP())
	}
	pairs, err := r.svc.elasticIPsByInstance(context.Background())
	if err != nil || len(pairs) != 2 || pairs[a.ID][a.PrivateIP] != eip.PublicIP || pairs[b.ID][b.PrivateIP] != b.PublicIP() {
		t.Errorf("elasticIPsByInstance %v (%v), want %s: %s → %s (Elastic) and %s: %s → %s (auto)", pairs, err,
			a.ID, a.PrivateIP, eip.PublicIP, b.ID, b.PrivateIP, b.PublicIP())
	}
	if err := r.svc.DisassociateAddress(ctxFor(acct1), assoc, "", false); err != nil {
		t.Fatal(err)
	}
	again := r.describeOne(t, a.ID).PublicIP()
	if again == "" || again == eip.PublicIP {
		t.Fatalf("after disassociation public IP %q, want a new auto-assigned one", again)
	}
	r.checkAutoIP(t, a.ID, again)
	// The address of an instance that never asked stays unassigned.
	plain := r.run(t, 1, "lab-1a")[0]
	r.associate(t, AssociateRequest{AllocationID: eip.AllocationID, InstanceID: plain})
	if err := r.svc.DisassociateAddress(ctxFor(acct1), "", eip.PublicIP, false); err != nil {
		t.Fatal(err)
	}
	r.checkAutoIP(t, plain, "")
}

// TestPublicIPSweep: after a crash or a stop the API did not make, the
// sweep releases what no instance holds and assigns what one lacks.
func TestPublicIPSweep(t *testing.T) {
	yes := true
	r := eipRig(t, "198.51.100.0/29")
	res, err := r.publicRun(2, &yes)
	if err != nil {
		t.Fatal(err)
	}
	stopped, running := res.Instances[0], res.Instances[1]
	ctx := context.Background()
	r.setState(t, stopped.ID, StateStopped) // the guest shut itself down
	orphan, _ := store.PutJSON(addressClaimKey("198.51.100.6"), addressClaim{InstanceID: ids.New(ids.Instance), Owner: acct1}, store.MustNotExist)
	lost, err := update(ctx, r.svc.st, prefixInstance+running.ID, func(in *Instance) error {
		in.AssignedPublicIP = "" // its claim stays: a record restored from before the launch's write
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.st.Txn(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.settlePublicIPs(ctx); err != nil {
		t.Fatalf("settlePublicIPs: %v", err)
	}
	for _, ip := range []string{stopped.PublicIP(), "198.51.100.6"} {
		if c, ok := r.claimOf(t, ip); ok && c.InstanceID != running.ID { // the running one may get it anew
			t.Errorf("sweep kept the claim of %s: %+v", ip, c)
		}
	}
	if got := r.get(t, stopped.ID); got.AssignedPublicIP != "" {
		t.Errorf("stopped instance still records %s", got.AssignedPublicIP)
	}
	got := r.get(t, lost.ID).AssignedPublicIP
	if got == "" {
		t.Fatal("sweep gave the running instance no public IP")
	}
	r.checkAutoIP(t, running.ID, got)
	claims, _ := r.svc.st.List(ctx, prefixAddressClaim)
	if len(claims) != 1 {
		t.Errorf("%d claims after the sweep, want 1 (%s)", len(claims), got)
	}
}

// TestSubnetMapPublicIPOnLaunch: DescribeSubnets shows the attribute and
// filters on it; new subnets and default ones start false.
func TestSubnetMapPublicIPOnLaunch(t *testing.T) {
	r := eipRig(t)
	sn := r.defaultSubnet(t)
	filter := func(v string) int {
		subs, _, err := r.svc.DescribeSubnets(ctxFor(acct1), nil, []Filter{{Name: "map-public-ip-on-launch", Values: []string{v}}}, Page{})
		if err != nil {
			t.Fatal(err)
		}
		return len(subs)
	}
	if filter("true") != 0 {
		t.Error("a default subnet maps public IPs before it is asked to")
	}
	r.mapPublicIP(t, sn, true)
	subs, _, err := r.svc.DescribeSubnets(ctxFor(acct1), []string{sn}, nil, Page{})
	if err != nil || !subs[0].MapPublicIPOnLaunch || filter("true") != 1 {
		t.Errorf("after true: %+v, %v", subs, err)
	}
	r.mapPublicIP(t, sn, false)
	if filter("true") != 0 {
		t.Error("MapPublicIpOnLaunch false did not stick")
	}
}
