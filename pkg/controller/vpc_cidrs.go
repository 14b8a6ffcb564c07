package controller

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// vpcCIDRAssocPrefix is the ID prefix of a VPC's IPv4 block associations.
const vpcCIDRAssocPrefix = "vpc-cidr-assoc"

// CIDRAssociation is one IPv4 block of a VPC and its association ID.
type CIDRAssociation struct {
	ID   string `json:"id"`
	CIDR string `json:"cidr"`
	// State is associated, or disassociating in DisassociateVpcCidrBlock's
	// answer (the block is gone once it answers).
	State string `json:"-"`
}

// Blocks are the VPC's IPv4 blocks, the primary first. The primary's
// association ID is derived from the VPC ID, so no record holds it.
func (v VPC) Blocks() []CIDRAssociation {
	primary := CIDRAssociation{ID: vpcCIDRAssocPrefix + "-" + strings.TrimPrefix(v.ID, network.VPCIDPrefix+"-"),
		CIDR: v.CIDR, State: "associated"}
	out := []CIDRAssociation{primary}
	for _, a := range v.Secondary {
		a.State = "associated"
		out = append(out, a)
	}
	return out
}

func (v VPC) blockField(f func(CIDRAssociation) string) []string {
	var out []string
	for _, a := range v.Blocks() {
		out = append(out, f(a))
	}
	return out
}

// network is the VPC as pkg/network validates it.
func (v VPC) network() network.VPC {
	nv := network.VPC{ID: v.ID, OwnerID: v.Owner, CIDR: netip.MustParsePrefix(v.CIDR), IsDefault: v.IsDefault}
	for _, a := range v.Secondary {
		nv.Secondary = append(nv.Secondary, netip.MustParsePrefix(a.CIDR))
	}
	return nv
}

// CIDRBlockRequest is what AssociateVpcCidrBlock asks for. ec2lab's VPCs
// are IPv4 only and it has no IPAM pools: Unsupported names the first such
// parameter the request carried ("" when none).
type CIDRBlockRequest struct {
	VpcID, CIDR string
	Unsupported string
}

// AssociateVpcCidrBlock adds a secondary IPv4 block to a VPC; subnets may
// then be created in it.
func (s *Service) AssociateVpcCidrBlock(ctx context.Context, r CIDRBlockRequest) (string, CIDRAssociation, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", CIDRAssociation{}, err
	}
	if r.Unsupported != "" {
		return "", CIDRAssociation{}, ec2err.New(ec2err.UnsupportedOperation,
			"The parameter %s is not supported: ec2lab VPCs have IPv4 blocks given by CidrBlock only.", r.Unsupported)
	}
	if r.CIDR == "" {
		return "", CIDRAssociation{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter CidrBlock")
	}
	v, rev, err := s.ownVPC(ctx, acct, r.VpcID)
	if err != nil {
		return "", CIDRAssociation{}, err
	}
	p, err := network.ValidateSecondaryCIDR(v.network(), r.CIDR)
	if err != nil {
		return "", CIDRAssociation{}, err
	}
	a := CIDRAssociation{ID: ids.New(vpcCIDRAssocPrefix), CIDR: p.String()}
	v.Secondary = append(v.Secondary, a)
	if err := s.putVPC(ctx, v, rev); err != nil {
		return "", CIDRAssociation{}, err
	}
	s.log.Info("vpc block associated", "vpc", v.ID, "cidr", a.CIDR, "association", a.ID)
	a.State = "associated"
	return v.ID, a, nil
}

// DisassociateVpcCidrBlock removes a secondary block no subnet uses (the
// primary block stays with its VPC).
func (s *Service) DisassociateVpcCidrBlock(ctx context.Context, assocID string) (string, CIDRAssociation, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", CIDRAssociation{}, err
	}
	if assocID == "" {
		return "", CIDRAssociation{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AssociationId")
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return "", CIDRAssociation{}, err
	}
	v, rev, a, err := s.vpcOfBlock(ctx, acct, assocID)
	if err != nil {
		return "", CIDRAssociation{}, err
	}
	if a.CIDR == v.CIDR {
		return "", CIDRAssociation{}, ec2err.New(ec2err.OperationNotPermitted,
			"The vpc CIDR block with association ID %s may not be disassociated. It is the primary IPv4 CIDR block of the VPC", assocID)
	}
	if err := s.blockInUse(ctx, v, a); err != nil {
		return "", CIDRAssociation{}, err
	}
	v.Secondary = slices.DeleteFunc(v.Secondary, func(o CIDRAssociation) bool { return o.ID == assocID })
	if err := s.putVPC(ctx, v, rev); err != nil {
		return "", CIDRAssociation{}, err
	}
	s.log.Info("vpc block disassociated", "vpc", v.ID, "cidr", a.CIDR, "association", a.ID)
	a.State = "disassociating"
	return v.ID, a, nil
}

// vpcOfBlock finds the caller's VPC holding association assocID.
func (s *Service) vpcOfBlock(ctx context.Context, acct, assocID string) (VPC, int64, CIDRAssociation, error) {
	all, err := store.ListJSON[VPC](ctx, s.st, prefixVPC)
	if err != nil {
		return VPC{}, 0, CIDRAssociation{}, err
	}
	for _, v := range all {
		if v.Owner != acct {
			continue
		}
		for _, a := range v.Blocks() {
			if a.ID == assocID {
				got, rev, err := store.GetJSON[VPC](ctx, s.st, prefixVPC+v.ID)
				return got, rev, a, err
			}
		}
	}
	return VPC{}, 0, CIDRAssociation{}, ec2err.New(ec2err.InvalidVpcCidrAssocNotFound,
		"The vpc CIDR block association ID '%s' does not exist", assocID)
}

// blockInUse refuses to drop a block a subnet of the VPC lies in.
func (s *Service) blockInUse(ctx context.Context, v VPC, a CIDRAssociation) error {
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return err
	}
	block := netip.MustParsePrefix(a.CIDR)
	for _, sn := range subs {
		if sn.VpcID == v.ID && block.Overlaps(sn.Prefix()) {
			return ec2err.New(ec2err.DependencyViolation,
				"The CIDR block %s of %s is in use by subnet %s", a.CIDR, v.ID, sn.ID)
		}
	}
	return nil
}

// putVPC rewrites a VPC record guarded by its revision (a concurrent
// CreateSubnet or attribute change makes it conflict rather than be lost).
func (s *Service) putVPC(ctx context.Context, v VPC, rev int64) error {
	op, err := store.PutJSON(prefixVPC+v.ID, v, rev)
	if err != nil {
		return err
	}
	if _, err := s.st.Txn(ctx, op); err != nil {
		return fmt.Errorf("update %s: %w", v.ID, err)
	}
	return nil
}
