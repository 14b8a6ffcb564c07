package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Every account gets its default VPC on first use (ensureDefaultVPC),
// once: DeleteVpc may delete it, as EC2 lets one, and nothing makes it
// again but CreateDefaultVpc. CreateDefaultSubnet makes a deleted default
// subnet again.

// CreateDefaultVpc makes the caller a default VPC when it has none (EC2:
// DefaultVpcAlreadyExists otherwise): 172.31.0.0/16 with its default
// group, main route table and network ACL, and a default /20 subnet in
// every zone, as the first one was made.
func (s *Service) CreateDefaultVpc(ctx context.Context, dryRun bool) (VPC, error) {
	acct, err := account(ctx)
	if err != nil {
		return VPC{}, err
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return VPC{}, err
	}
	for attempt := 0; attempt < 20; attempt++ {
		if _, ok, err := s.defaultVPC(ctx, acct); err != nil {
			return VPC{}, err
		} else if ok {
			return VPC{}, ec2err.New(ec2err.DefaultVpcAlreadyExists, "A Default VPC already exists for this account in this region.")
		}
		if dryRun {
			return VPC{}, DryRun()
		}
		release, err := s.admit(ctx, acct, QuotaVPCs, "", 1, s.countVPCs(acct))
		if err != nil {
			return VPC{}, err
		}
		v, err := s.remakeDefaultVPC(ctx, acct)
		release()
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return VPC{}, err
		}
	}
	return VPC{}, fmt.Errorf("default vpc for %s: too many conflicts", acct)
}

// remakeDefaultVPC records a new default VPC for acct, guarded by the
// account's marker: two concurrent calls conflict.
func (s *Service) remakeDefaultVPC(ctx context.Context, acct string) (VPC, error) {
	marker, err := s.st.Get(ctx, prefixDefaultVPC+acct)
	if err != nil {
		return VPC{}, fmt.Errorf("default vpc marker of %s: %w", acct, err)
	}
	nv, nss, err := network.DefaultVPC(acct, s.zoneList(), ids.New)
	if err != nil {
		return VPC{}, err
	}
	ops, err := s.defaultVPCOps(ctx, acct, nv, nss, marker.Revision)
	if err != nil {
		return VPC{}, err
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return VPC{}, fmt.Errorf("create default vpc: %w", err)
	}
	s.log.Info("default vpc created again", "vpc", nv.ID, "subnets", len(nss), "account", acct)
	v, _, err := store.GetJSON[VPC](ctx, s.st, prefixVPC+nv.ID)
	return v, err
}

// defaultVPC is the account's default VPC, if it has one.
func (s *Service) defaultVPC(ctx context.Context, acct string) (VPC, bool, error) {
	all, err := store.ListJSON[VPC](ctx, s.st, prefixVPC)
	if err != nil {
		return VPC{}, false, err
	}
	for _, v := range all {
		if v.Owner == acct && v.IsDefault {
			return v, true, nil
		}
	}
	return VPC{}, false, nil
}

// zoneList names the region's zones in order.
func (s *Service) zoneList() []string {
	out := make([]string, len(s.cfg.AvailabilityZones))
	for i, z := range s.cfg.AvailabilityZones {
		out[i] = z.Name
	}
	return out
}
