package controller

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

// replicaPair is two Services (two ec2d replicas) over one etcd cluster,
// with big hosts so that only the subnets' addresses run out.
func replicaPair(t *testing.T) (a, b *rig) {
	t.Helper()
	eps := etcdtest.Start(t, 1).Endpoints()
	a = newRigOn(t, openEtcdStore(t, eps), 256, hostSpec{256, 256 * 1024})
	b = newRigOn(t, openEtcdStore(t, eps), 256, hostSpec{256, 256 * 1024})
	b.ami = a.ami // one image, visible to both
	return a, b
}

// smallSubnet makes a /28 (11 usable addresses) of acct1's default VPC in
// lab-1a, through r.
func smallSubnet(t *testing.T, r *rig, cidr string) string {
	t.Helper()
	ctx := ctxFor(acct1)
	vpc, err := r.svc.defaultVPCID(ctx, acct1)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.svc.CreateSubnet(ctx, vpc, cidr, "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	return sn.ID
}

// launchInto runs count lab.tiny instances of acct1 in subnet through r.
func (r *rig) launchInto(subnet string, count int) (RunResult, error) {
	return r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny",
		MinCount: count, MaxCount: count, SubnetID: subnet})
}

// subnetHolders maps every address that instances and NAT gateways hold
// in subnet (as the store has them) to its holders.
func subnetHolders(t *testing.T, st store.Store, subnet string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	insts, err := store.ListJSON[Instance](ctx, st, prefixInstance)
	if err != nil {
		t.Fatal(err)
	}
	nats, err := store.ListJSON[NatGateway](ctx, st, prefixNatGateway)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, in := range insts {
		if holdsAddress(in) && in.SubnetID == subnet {
			out[in.PrivateIP] = append(out[in.PrivateIP], in.ID)
		}
	}
	for _, g := range nats {
		if g.live() && g.SubnetID == subnet {
			out[g.PrivateIP] = append(out[g.PrivateIP], g.ID)
		}
	}
	return out
}

// checkClaims fails unless every address of holders is held once and
// claimed by its holder, and no other claim of subnet exists.
func checkClaims(t *testing.T, st store.Store, subnet string, holders map[string][]string) {
	t.Helper()
	kvs, err := st.List(context.Background(), prefixPrivateIPClaim+subnet+"/")
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]string{}
	for _, kv := range kvs {
		c, ok := parseClaim(kv)
		if !ok {
			t.Fatalf("malformed claim %s", kv.Key)
		}
		claims[c.addr.String()] = c.holder
	}
	for ip, hs := range holders {
		if len(hs) != 1 {
			t.Errorf("address %s held by %v", ip, hs)
			continue
		}
		if claims[ip] != hs[0] {
			t.Errorf("address %s of %s: claim names %q", ip, hs[0], claims[ip])
		}
	}
	if len(claims) != len(holders) {
		t.Errorf("%d claims %v for %d held addresses", len(claims), claims, len(holders))
	}
}

// TestPrivateAddressesAcrossReplicas: two replicas launch concurrently,
// from many goroutines each, into one /28; every instance gets its own
// address, claimed under its ID, the only error is the subnet's running
// out, and the subnet ends full.
func TestPrivateAddressesAcrossReplicas(t *testing.T) {
	a, b := replicaPair(t)
	subnet := smallSubnet(t, a, "172.31.240.0/28")
	const usable = 11
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		got    []string
		full   int
		others []error
	)
	for g := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, count := a, 1
			if g%2 == 1 {
				r, count = b, 1+g%3 // b also launches two or three at once
			}
			for range 3 {
				res, err := r.launchInto(subnet, count)
				mu.Lock()
				switch errCode(err) {
				case "":
					got = append(got, instanceIDs(res.Instances)...)
				case network.CodeInsufficientFreeAddrs:
					full++
				default:
					others = append(others, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range others {
		t.Errorf("launch failed with other than a full subnet: %v", err)
	}
	for { // take what the multi-instance launches left
		_, err := a.launchInto(subnet, 1)
		if errCode(err) == network.CodeInsufficientFreeAddrs {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	holders := subnetHolders(t, a.svc.st, subnet)
	if len(holders) != usable {
		t.Errorf("%d addresses held, want the subnet's %d", len(holders), usable)
	}
	checkClaims(t, a.svc.st, subnet, holders)
	t.Logf("%d instances launched concurrently, %d launches refused for a full subnet", len(got), full)
}

// TestNatGatewayAndInstanceRaceForLastAddress: one replica creates a NAT
// gateway while the other launches an instance into a subnet with one
// address left: exactly one of them gets it, the other is told the subnet
// is full.
func TestNatGatewayAndInstanceRaceForLastAddress(t *testing.T) {
	a, b := replicaPair(t)
	p, err := ParseElasticIPPool([]string{"198.51.100.0/28"})
	if err != nil {
		t.Fatal(err)
	}
	a.svc.eipPool, b.svc.eipPool = p, p // the default VPC has its internet gateway
	for round := range 3 {
		subnet := smallSubnet(t, a, fmt.Sprintf("172.31.%d.0/28", 240+round))
		if _, err := a.launchInto(subnet, 10); err != nil {
			t.Fatal(err)
		}
		eip := a.allocate(t, acct1)
		var natErr, runErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, natErr = a.svc.CreateNatGateway(ctxFor(acct1), NatGatewayRequest{SubnetID: subnet, AllocationID: eip.AllocationID})
		}()
		go func() {
			defer wg.Done()
			_, runErr = b.launchInto(subnet, 1)
		}()
		wg.Wait()
		codes := []string{errCode(natErr), errCode(runErr)}
		if !(codes[0] == "" && codes[1] == network.CodeInsufficientFreeAddrs) &&
			!(codes[1] == "" && codes[0] == network.CodeInsufficientFreeAddrs) {
			t.Fatalf("round %d: NAT gateway %v, launch %v: want one to win and the other a full subnet", round, natErr, runErr)
		}
		holders := subnetHolders(t, a.svc.st, subnet)
		if len(holders) != 11 {
			t.Errorf("round %d: %d addresses held, want 11", round, len(holders))
		}
		checkClaims(t, a.svc.st, subnet, holders)
		t.Logf("round %d: NAT gateway %q, instance %q", round, codes[0], codes[1])
	}
}

// TestPrivateIPClaimSweep: the sweep creates the claims of holders
// recorded without one and deletes the claims whose holder is gone or no
// longer holds the address, then finds nothing to do; a termination
// releases its claim at once; a launch takes over a stale claim.
func TestPrivateIPClaimSweep(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := context.Background()
	subnet := smallSubnet(t, r, "172.31.240.0/28")
	res, err := r.launchInto(subnet, 4)
	if err != nil {
		t.Fatal(err)
	}
	in := res.Instances
	// in[0] recorded before claims existed; in[1] terminated behind the
	// service's back; a claim for an instance long gone.
	if _, err := r.svc.st.Txn(ctx, store.Op{Key: privateIPClaimKey(subnet, in[0].PrivateIP), Delete: true, ExpectRevision: store.AnyRevision}); err != nil {
		t.Fatal(err)
	}
	r.setState(t, in[1].ID, StateTerminated)
	ghost, _ := claimOp(subnet, "172.31.240.14", "i-0123456789abcdef0", 0)
	if _, err := r.svc.st.Txn(ctx, ghost); err != nil {
		t.Fatal(err)
	}
	made, dropped, err := r.svc.settleClaims(ctx)
	if err != nil || made != 1 || dropped != 2 {
		t.Fatalf("sweep: created %d, deleted %d, %v; want 1 and 2", made, dropped, err)
	}
	checkClaims(t, r.svc.st, subnet, subnetHolders(t, r.svc.st, subnet))
	if made, dropped, err := r.svc.settleClaims(ctx); err != nil || made+dropped != 0 {
		t.Fatalf("second sweep: created %d, deleted %d, %v; want nothing", made, dropped, err)
	}

	// Terminated through the service: the claim goes in the same commit.
	if _, err := r.svc.TerminateInstances(ctxFor(acct1), []string{in[2].ID}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(in[2].ID)
	checkClaims(t, r.svc.st, subnet, subnetHolders(t, r.svc.st, subnet))

	// A claim left by a terminated instance does not block its address.
	r.setState(t, in[3].ID, StateTerminated)
	again, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny",
		MinCount: 1, MaxCount: 1, SubnetID: subnet, PrivateIP: in[3].PrivateIP})
	if err != nil {
		t.Fatalf("launch at %s over its stale claim: %v", in[3].PrivateIP, err)
	}
	checkClaims(t, r.svc.st, subnet, subnetHolders(t, r.svc.st, subnet))
	_, err = r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny",
		MinCount: 1, MaxCount: 1, SubnetID: subnet, PrivateIP: again.Instances[0].PrivateIP})
	if errCode(err) != network.CodeInvalidIPAddressInUse {
		t.Fatalf("launch at a held address: %v, want %s", err, network.CodeInvalidIPAddressInUse)
	}
}

// TestDeleteSubnetSeesAnotherReplicasClaim: an instance another replica
// launched into the subnet, not yet in this replica's record cache, still
// makes DeleteSubnet answer DependencyViolation (its address's claim is
// in the store), and the subnet stays.
func TestDeleteSubnetSeesAnotherReplicasClaim(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	subnet := smallSubnet(t, r, "172.31.250.0/28")
	ctx := context.Background()
	in := Instance{ID: ids.New(ids.Instance), Owner: acct1, State: StateRunning, SubnetID: subnet, PrivateIP: "172.31.250.4"}
	claim, err := claimOp(subnet, in.PrivateIP, in.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := store.PutJSON(prefixInstance+in.ID, in, store.MustNotExist)
	if _, err := r.svc.cache.Store.Txn(ctx, rec, claim); err != nil { // behind the cache's back, as a peer's commit
		t.Fatal(err)
	}
	if err := r.svc.DeleteSubnet(ctxFor(acct1), subnet, false); errCode(err) != ec2err.DependencyViolation {
		t.Fatalf("DeleteSubnet under a peer's claim: %v, want %s", err, ec2err.DependencyViolation)
	}
	if _, _, err := r.svc.ownSubnet(ctxFor(acct1), acct1, subnet); err != nil {
		t.Errorf("the subnet is gone: %v", err)
	}
}
