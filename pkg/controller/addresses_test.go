package controller

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// eipRig is a rig whose region has the Elastic IP pool specs.
func eipRig(t *testing.T, specs ...string) *rig {
	t.Helper()
	r := newRig(t, 64, hostSpec{8, 8192})
	p, err := ParseElasticIPPool(specs)
	if err != nil {
		t.Fatal(err)
	}
	r.svc.eipPool = p // the default VPCs come with an attached internet gateway
	return r
}

// attachGateway attaches a new internet gateway to the account's VPC
// vpcID ("": its default VPC).
func (r *rig) attachGateway(t *testing.T, acct, vpcID string) string {
	t.Helper()
	ctx := ctxFor(acct)
	if vpcID == "" {
		id, err := r.svc.defaultVPCID(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		vpcID = id
	}
	igw, err := r.svc.CreateInternetGateway(ctx, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.AttachInternetGateway(ctx, igw.ID, vpcID, false); err != nil {
		t.Fatal(err)
	}
	return igw.ID
}

func (r *rig) allocate(t *testing.T, acct string) Address {
	t.Helper()
	a, err := r.svc.AllocateAddress(ctxFor(acct), AllocateRequest{})
	if err != nil {
		t.Fatalf("AllocateAddress: %v", err)
	}
	return a
}

func (r *rig) addressCount(t *testing.T) int {
	t.Helper()
	all, err := r.svc.accountAddresses(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

func TestAllocateAddressEmptyPool(t *testing.T) {
	r := eipRig(t)
	_, err := r.svc.AllocateAddress(ctxFor(acct1), AllocateRequest{})
	if errCode(err) != ec2err.AddressLimitExceeded || !strings.Contains(err.Error(), "no Elastic IP pool configured") {
		t.Errorf("AllocateAddress without a pool: %v, want AddressLimitExceeded saying no pool is configured", err)
	}
}

func TestAllocateAddress(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29")
	first := r.allocate(t, acct1)
	if first.PublicIP != "198.51.100.1" || !ids.Valid(ids.Allocation, first.AllocationID) || first.Domain != "vpc" ||
		first.NetworkBorderGroup != "lab-1" || first.PublicIPv4Pool != "amazon" {
		t.Errorf("first allocation %+v, want 198.51.100.1, eipalloc-…, vpc, lab-1, amazon", first)
	}
	if len(first.AllocationID) != len("eipalloc-")+17 {
		t.Errorf("allocation ID %s is not eipalloc- and 17 hex digits", first.AllocationID)
	}
	picked, err := r.svc.AllocateAddress(ctxFor(acct1), AllocateRequest{Address: "198.51.100.5", Domain: "vpc",
		PublicIPv4Pool: "amazon", NetworkBorderGroup: "lab-1", Tags: []Tag{{Key: "Name", Value: "web"}}})
	if err != nil || picked.PublicIP != "198.51.100.5" {
		t.Fatalf("AllocateAddress 198.51.100.5: %+v, %v", picked, err)
	}
	if got := r.allocate(t, acct2); got.PublicIP != "198.51.100.2" {
		t.Errorf("next allocation %s, want the lowest free, 198.51.100.2", got.PublicIP)
	}
	before := r.addressCount(t)
	for _, tc := range []struct {
		name string
		req  AllocateRequest
		code string
	}{
		{"taken", AllocateRequest{Address: "198.51.100.5"}, ec2err.InvalidIPAddressInUse},
		{"not in pool", AllocateRequest{Address: "198.51.100.7"}, ec2err.InvalidAddressNotFound},
		{"not an address", AllocateRequest{Address: "nope"}, ec2err.InvalidParameterValue},
		{"classic", AllocateRequest{Domain: "standard"}, ec2err.InvalidParameterValue},
		{"other pool", AllocateRequest{PublicIPv4Pool: "ipv4pool-ec2-0123456789abcdef0"}, ec2err.InvalidParameterValue},
		{"other border group", AllocateRequest{NetworkBorderGroup: "us-east-1-wl1"}, ec2err.InvalidParameterValue},
		{"customer-owned", AllocateRequest{CustomerOwnedIPv4Pool: "ipv4pool-coip-1"}, ec2err.InvalidParameterValue},
		{"ipam", AllocateRequest{IpamPoolID: "ipam-pool-1"}, ec2err.InvalidParameterValue},
		{"dry run", AllocateRequest{DryRun: true}, ec2err.DryRunOperation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.svc.AllocateAddress(ctxFor(acct1), tc.req)
			if errCode(err) != tc.code {
				t.Errorf("AllocateAddress: %v, want %s", err, tc.code)
			}
		})
	}
	if after := r.addressCount(t); after != before {
		t.Errorf("refused allocations changed the addresses: %d, were %d", after, before)
	}
	if err := r.svc.ReleaseAddress(ctxFor(acct1), first.AllocationID, "", false); err != nil {
		t.Fatal(err)
	}
	if got := r.allocate(t, acct1); got.PublicIP != "198.51.100.1" {
		t.Errorf("after release, allocation got %s, want 198.51.100.1 back", got.PublicIP)
	}
}

func TestAllocateAddressQuotaAndExhaustion(t *testing.T) {
	r := eipRig(t, "198.51.100.0/28") // 14 addresses
	for i := 0; i < 5; i++ {
		r.allocate(t, acct1)
	}
	_, err := r.svc.AllocateAddress(ctxFor(acct1), AllocateRequest{})
	if errCode(err) != ec2err.AddressLimitExceeded || !strings.Contains(err.Error(), "(5)") {
		t.Errorf("6th address: %v, want AddressLimitExceeded at the default quota 5", err)
	}
	r.svc.cfg.Quotas = QuotaConfig{Defaults: map[string]int64{QuotaElasticIPs: 100}}
	for i := 0; i < 9; i++ {
		r.allocate(t, acct1)
	}
	_, err = r.svc.AllocateAddress(ctxFor(acct1), AllocateRequest{})
	if errCode(err) != ec2err.AddressLimitExceeded || !strings.Contains(err.Error(), "no free address") {
		t.Errorf("15th address of a 14-address pool: %v, want AddressLimitExceeded (no free address)", err)
	}
}

func TestAllocateAddressConcurrent(t *testing.T) {
	r := eipRig(t, "198.51.100.0/27", "203.0.113.0-203.0.113.9") // 30 + 10 addresses
	r.svc.cfg.Quotas = QuotaConfig{Defaults: map[string]int64{QuotaElasticIPs: 100}}
	const n = 40
	var wg sync.WaitGroup
	got := make([]Address, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			acct := acct1
			if i%2 == 1 {
				acct = acct2
			}
			got[i], errs[i] = r.svc.AllocateAddress(ctxFor(acct), AllocateRequest{})
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("allocation %d: %v", i, errs[i])
		}
		if seen[got[i].PublicIP] {
			t.Errorf("%s handed out twice", got[i].PublicIP)
		}
		seen[got[i].PublicIP] = true
	}
	if _, err := r.svc.AllocateAddress(ctxFor(acct1), AllocateRequest{}); errCode(err) != ec2err.AddressLimitExceeded {
		t.Errorf("allocation from a full pool: %v, want AddressLimitExceeded", err)
	}
}

func TestReleaseAddressErrors(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29")
	a := r.allocate(t, acct1)
	for _, tc := range []struct {
		name, acct, id, ip, code string
	}{
		{"missing", acct1, "", "", ec2err.MissingParameter},
		{"malformed", acct1, "eipalloc-nope", "", ec2err.InvalidAllocationIDMalformed},
		{"unknown", acct1, "eipalloc-0123456789abcdef0", "", ec2err.InvalidAllocationIDNotFound},
		{"another account's", acct2, a.AllocationID, "", ec2err.InvalidAllocationIDNotFound},
		{"unknown public IP", acct1, "", "198.51.100.6", ec2err.InvalidAddressNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.svc.ReleaseAddress(ctxFor(tc.acct), tc.id, tc.ip, false); errCode(err) != tc.code {
				t.Errorf("ReleaseAddress: %v, want %s", err, tc.code)
			}
		})
	}
	if r.addressCount(t) != 1 {
		t.Fatal("a refused release removed the address")
	}
	if err := r.svc.ReleaseAddress(ctxFor(acct1), "", a.PublicIP, false); err != nil {
		t.Errorf("ReleaseAddress by public IP: %v", err)
	}
}
