package controller

import (
	"context"
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// holdsAddress reports whether an instance keeps its private address:
// every state but terminated (a stopped instance keeps it, as in EC2).
func holdsAddress(in Instance) bool {
	return in.State != StateTerminated && in.SubnetID != "" && in.PrivateIP != ""
}

// heldAddresses counts, per subnet, the addresses instances and NAT
// gateways hold.
func (s *Service) heldAddresses(ctx context.Context) (map[string]int, error) {
	insts, err := s.instances(ctx)
	if err != nil {
		return nil, err
	}
	held := map[string]int{}
	for _, in := range insts {
		if holdsAddress(*in) {
			held[in.SubnetID]++
		}
	}
	nats, err := s.natGateways(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range nats {
		if g.live() {
			held[g.SubnetID]++
		}
	}
	return held, nil
}

// heldInSubnet are the addresses instances and NAT gateways hold in a
// subnet, with those that live claims hold (another replica's launch this
// cache has not seen yet): what RunInstances and CreateNatGateway allocate
// around. stale are the revisions of the subnet's stale claims, by
// address (ipam_claims.go).
func (s *Service) heldInSubnet(ctx context.Context, subnetID string) (held *network.AddrBits, stale map[netip.Addr]int64, err error) {
	held, err = s.subnetAddresses(ctx, subnetID)
	if err != nil {
		return nil, nil, err
	}
	nats, err := s.natGateways(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range nats {
		if a, err := netip.ParseAddr(g.PrivateIP); err == nil && g.live() && g.SubnetID == subnetID && !held.Has(a) {
			held.Add(a)
		}
	}
	stale, err = s.subnetClaims(ctx, subnetID, held)
	if err != nil {
		return nil, nil, err
	}
	return held, stale, nil
}

// launchSubnet checks RunInstances' network parameters. With a SubnetId it
// returns that subnet, whose AZ the instances must be placed in (a different
// Placement AZ is an error); without, instances go to the default subnet of
// the AZ they are placed in (nil is returned). req is not changed (its hash
// is the ClientToken's).
func (s *Service) launchSubnet(ctx context.Context, acct string, req *RunRequest) (*Subnet, error) {
	if req.PrivateIP != "" && req.MaxCount > 1 {
		return nil, ec2err.New(ec2err.InvalidParameterCombination,
			"Cannot specify a private IP address when launching more than one instance (MaxCount %d)", req.MaxCount)
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, err
	}
	if req.SubnetID == "" {
		return s.defaultSubnetFor(ctx, acct, req)
	}
	sn, _, err := s.ownSubnet(ctx, acct, req.SubnetID)
	if err != nil {
		return nil, err
	}
	if req.AZ != "" && req.AZ != sn.AZ {
		return nil, ec2err.New(ec2err.InvalidParameterValue,
			"The specified Availability Zone (%s) does not match the Availability Zone of subnet %s (%s).", req.AZ, sn.ID, sn.AZ)
	}
	return &sn, nil
}

// addressPlan is the account's subnets and their address pools, each
// made on first use over the addresses held in it (heldInSubnet: the
// record cache's index and the subnet's claims); RunInstances uses it
// under s.mu so two launches of this process never get one address, and
// the claims it writes (claimOp) make a launch of another replica that
// picked the same address fail its commit.
type addressPlan struct {
	region  string
	subnets []Subnet
	all     map[string]Subnet
	pools   map[string]*network.Pool
	stale   map[string]map[netip.Addr]int64 // subnet → address → revision of its stale claim
	held    func(subnetID string) (*network.AddrBits, map[netip.Addr]int64, error)
}

func (s *Service) newAddressPlan(ctx context.Context, acct string) (*addressPlan, error) {
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, err
	}
	pl := &addressPlan{region: s.cfg.Region, all: map[string]Subnet{}, pools: map[string]*network.Pool{},
		stale: map[string]map[netip.Addr]int64{},
		held:  func(id string) (*network.AddrBits, map[netip.Addr]int64, error) { return s.heldInSubnet(ctx, id) }}
	for _, sn := range subs {
		pl.all[sn.ID] = sn
		if sn.Owner == acct {
			pl.subnets = append(pl.subnets, sn)
		}
	}
	return pl, nil
}

// pool is the address pool of a subnet, made on first use.
func (pl *addressPlan) pool(id string) (*network.Pool, error) {
	if p, ok := pl.pools[id]; ok {
		return p, nil
	}
	sn, ok := pl.all[id]
	if !ok {
		return nil, ec2err.New(ec2err.InvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", id)
	}
	held, stale, err := pl.held(id)
	if err != nil {
		return nil, err
	}
	p := network.NewPoolOver(sn.Prefix(), held)
	pl.pools[id], pl.stale[id] = p, stale
	return p, nil
}

// claimOp is the claim of ip in subnet for holder, to commit with the
// holder's record; it takes over the stale claim the plan found there.
func (pl *addressPlan) claimOp(subnetID, ip, holder string) (store.Op, error) {
	var staleRev int64
	if a, err := netip.ParseAddr(ip); err == nil {
		staleRev = pl.stale[subnetID][a]
	}
	return claimOp(subnetID, ip, holder, staleRev)
}

// defaultSubnet is the account's default subnet of az.
func (pl *addressPlan) defaultSubnet(az string) (Subnet, error) {
	for _, sn := range pl.subnets {
		if sn.DefaultForAZ && sn.AZ == az {
			return sn, nil
		}
	}
	return Subnet{}, ec2err.New(ec2err.VPCIdNotSpecified, "No default VPC for this user (no default subnet in %s): specify a SubnetId.", az)
}

// assign gives the instance its primary network interface in subnet
// (nil: the default subnet of its AZ), at requested when set.
func (pl *addressPlan) assign(in *Instance, subnet *Subnet, requested string) error {
	sn := Subnet{}
	if subnet != nil {
		sn = *subnet
	} else {
		d, err := pl.defaultSubnet(in.AZ)
		if err != nil {
			return err
		}
		sn = d
	}
	pool, err := pl.pool(sn.ID)
	if err != nil {
		return err
	}
	addr, err := pool.Allocate(in.ID, requested)
	if err != nil {
		return err
	}
	in.VpcID, in.SubnetID, in.PrivateIP = sn.VpcID, sn.ID, addr.String()
	in.MAC = network.MAC(in.ID, 0).String()
	in.PrivateDNSName = network.PrivateDNSName(addr, pl.region)
	return nil
}

func parseAddr(s string) (netip.Addr, error) { return netip.ParseAddr(s) }

// defaultSubnetFor picks, for a requested address without subnet or zone,
// the default subnet containing it (its zone becomes the placement's).
func (s *Service) defaultSubnetFor(ctx context.Context, acct string, req *RunRequest) (*Subnet, error) {
	addr, err := netip.ParseAddr(req.PrivateIP)
	if err != nil || req.AZ != "" {
		return nil, nil // no address or a zone: the zone's default subnet judges it
	}
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, err
	}
	for _, sn := range subs {
		if sn.Owner == acct && sn.DefaultForAZ && sn.Prefix().Contains(addr) {
			return &sn, nil
		}
	}
	return nil, nil
}

// launchAZ is the zone RunInstances places in: the subnet's when one is set.
func launchAZ(az string, subnet *Subnet) string {
	if subnet != nil {
		return subnet.AZ
	}
	return az
}
