package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Auto-assigned public IPv4 addresses, EC2's "public IP" of an instance
// launched with AssociatePublicIpAddress (or into a subnet that maps public
// IPs on launch). The address comes from the Elastic IP pool under the same
// claim keys (addresses.go), so the two never collide, but it is no Elastic
// IP: DescribeAddresses does not list it. An instance holds one while it is
// pending or running and its primary address has no Elastic IP: it is
// released when the instance stops or terminates, or an Elastic IP takes
// its place, and a new one is claimed when the instance starts again or the
// Elastic IP goes, as in EC2. The claim and the instance record always
// change in one transaction; the sweep (publicips_sweep.go) settles what a
// transition made elsewhere (a guest shutting itself down) leaves behind.

// PublicIPOwnerAmazon is the ipOwnerId EC2 shows for an auto-assigned
// address (an Elastic IP shows its account).
const PublicIPOwnerAmazon = "amazon"

// holdsPublicIP reports whether an instance in state holds its
// auto-assigned address.
func holdsPublicIP(state string) bool { return state == StatePending || state == StateRunning }

// wantsPublicIP reports whether in should hold an auto-assigned address;
// eip tells whether an Elastic IP is associated with its primary address.
func (in Instance) wantsPublicIP(eip bool) bool {
	return in.PublicIPOnLaunch && holdsPublicIP(in.State) && !eip && in.SubnetID != ""
}

// autoAssociation is in's auto-assigned address as an interface
// association, nil when it holds none now.
func (in Instance) autoAssociation() *ENIAssociation {
	if in.AssignedPublicIP == "" || !holdsPublicIP(in.State) {
		return nil
	}
	return &ENIAssociation{NetworkInterfaceID: ids.PrimaryNetworkInterface(in.ID), PrivateIP: in.PrivateIP,
		PublicIP: in.AssignedPublicIP, IPOwner: PublicIPOwnerAmazon}
}

// publicIPClaimOp claims ip for instance in.
func publicIPClaimOp(ip string, in Instance) (store.Op, error) {
	return store.PutJSON(addressClaimKey(ip), addressClaim{InstanceID: in.ID, Owner: in.Owner}, store.MustNotExist)
}

// freePublicIPs are the n lowest pool addresses no one claims; fewer when
// the pool runs out.
func (s *Service) freePublicIPs(ctx context.Context, n int) ([]string, error) {
	claims, err := s.st.List(ctx, prefixAddressClaim)
	if err != nil {
		return nil, fmt.Errorf("list address claims: %w", err)
	}
	taken := make(map[netip.Addr]bool, len(claims)+n)
	for _, kv := range claims {
		if ip, err := netip.ParseAddr(kv.Key[len(prefixAddressClaim):]); err == nil {
			taken[ip] = true
		}
	}
	var out []string
	for len(out) < n {
		ip, ok := s.eipPool.lowestFree(taken)
		if !ok {
			break
		}
		taken[ip] = true
		out = append(out, ip.String())
	}
	return out, nil
}

// primaryHasElasticIP reports whether an Elastic IP is associated with
// in's primary interface address.
func (s *Service) primaryHasElasticIP(ctx context.Context, in Instance) (bool, error) {
	all, err := s.accountAddresses(ctx, in.Owner)
	if err != nil {
		return false, err
	}
	eni := ids.PrimaryNetworkInterface(in.ID)
	for _, a := range all {
		if as := a.Association; as != nil && as.NetworkInterfaceID == eni && as.PrivateIP == in.PrivateIP {
			return true, nil
		}
	}
	return false, nil
}

// publicIPOps brings in's auto-assigned address in line with
// wantsPublicIP: it claims a free pool address or releases the one held,
// and returns the claim's ops for the transaction that writes in. With no
// address free the instance goes without one (the sweep tries again).
func (s *Service) publicIPOps(ctx context.Context, in *Instance) ([]store.Op, error) {
	eip, err := s.primaryHasElasticIP(ctx, *in)
	if err != nil {
		return nil, err
	}
	want := in.wantsPublicIP(eip)
	switch {
	case want && in.AssignedPublicIP == "":
		free, err := s.freePublicIPs(ctx, 1)
		if err != nil || len(free) == 0 {
			return nil, err
		}
		op, err := publicIPClaimOp(free[0], *in)
		if err != nil {
			return nil, err
		}
		in.AssignedPublicIP = free[0]
		return []store.Op{op}, nil
	case !want && in.AssignedPublicIP != "":
		op := store.Op{Key: addressClaimKey(in.AssignedPublicIP), Delete: true, ExpectRevision: store.AnyRevision}
		in.AssignedPublicIP = ""
		return []store.Op{op}, nil
	}
	return nil, nil
}

// updateInstance is update for an instance record that also keeps its
// auto-assigned address in line (publicIPOps): the claim and the record
// change in one transaction. It takes eipMu, so no association changes
// meanwhile.
func (s *Service) updateInstance(ctx context.Context, id string, fn func(*Instance) error) (Instance, error) {
	return s.changeInstance(ctx, id, fn, true)
}

// syncPublicIP brings instance id's auto-assigned address in line with
// wantsPublicIP, writing nothing when it is; an instance gone is no error.
func (s *Service) syncPublicIP(ctx context.Context, id string) error {
	_, err := s.changeInstance(ctx, id, func(*Instance) error { return nil }, false)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// changeInstance applies fn and publicIPOps to instance id's record and
// writes both, retrying when the record changed meanwhile; unless always,
// it writes only when the public address changes.
func (s *Service) changeInstance(ctx context.Context, id string, fn func(*Instance) error, always bool) (Instance, error) {
	s.eipMu.Lock()
	defer s.eipMu.Unlock()
	key := prefixInstance + id
	for attempt := 0; ; attempt++ {
		in, rev, err := store.GetJSON[Instance](ctx, s.st, key)
		if err != nil {
			return in, err
		}
		if err := fn(&in); err != nil {
			return in, err
		}
		ops, err := s.publicIPOps(ctx, &in)
		if err != nil {
			return in, fmt.Errorf("public IP of %s: %w", id, err)
		}
		if len(ops) == 0 && !always {
			return in, nil
		}
		op, err := store.PutJSON(key, in, rev)
		if err != nil {
			return in, err
		}
		if _, err := s.st.Txn(ctx, append(ops, op)...); err == nil {
			return in, nil
		} else if !errors.Is(err, store.ErrConflict) || attempt > 50 {
			return in, fmt.Errorf("update %s: %w", key, err)
		}
	}
}

// errNoPublicIP is RunInstances' answer when AssociatePublicIpAddress asks
// for addresses the pool cannot give.
func (s *Service) errNoPublicIP(free, want int) error {
	if s.eipPool.Empty() {
		return ec2err.New(ec2err.AddressLimitExceeded,
			"AssociatePublicIpAddress: the region %s has no public IPv4 address pool configured (elastic_ip_pool).", s.cfg.Region)
	}
	return ec2err.New(ec2err.AddressLimitExceeded,
		"AssociatePublicIpAddress: the region's public IPv4 address pool has %d free addresses; %d instances need one.", free, want)
}

// replacedPublicIPOps release the auto-assigned address that an Elastic IP
// associated with target replaces (the instance's primary address), as EC2
// does: none when the instance holds none.
func (s *Service) replacedPublicIPOps(ctx context.Context, target AddressAssociation) ([]store.Op, error) {
	if target.InstanceID == "" || target.NetworkInterfaceID != ids.PrimaryNetworkInterface(target.InstanceID) {
		return nil, nil
	}
	in, rev, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+target.InstanceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read instance %s: %w", target.InstanceID, err)
	}
	if in.AssignedPublicIP == "" || in.PrivateIP != target.PrivateIP {
		return nil, nil
	}
	claim := store.Op{Key: addressClaimKey(in.AssignedPublicIP), Delete: true, ExpectRevision: store.AnyRevision}
	in.AssignedPublicIP = ""
	op, err := store.PutJSON(prefixInstance+in.ID, in, rev)
	if err != nil {
		return nil, err
	}
	return []store.Op{claim, op}, nil
}
