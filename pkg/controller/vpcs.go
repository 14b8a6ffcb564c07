package controller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Store key prefixes of the network records.
const (
	prefixVPC        = "/vpcs/"
	prefixSubnet     = "/subnets/"
	prefixDefaultVPC = "/defaultvpc/" // + account → the default VPC's ID, once made
	prefixVNI        = "/vnis/"       // + VNI → subnet ID (uniqueness guard)
)

// VPC is the record of a virtual private cloud.
type VPC struct {
	ID        string `json:"id"`
	Owner     string `json:"owner"`
	CIDR      string `json:"cidr"`
	State     string `json:"state"`
	IsDefault bool   `json:"is_default,omitempty"`
	Tags      []Tag  `json:"tags,omitempty"`
	// Secondary are the IPv4 blocks AssociateVpcCidrBlock added.
	Secondary []CIDRAssociation `json:"secondary,omitempty"`
	// Attributes set by ModifyVpcAttribute; nil is EC2's default (see
	// vpc_attributes.go).
	DNSSupport          *bool `json:"dns_support,omitempty"`
	DNSHostnames        *bool `json:"dns_hostnames,omitempty"`
	AddressUsageMetrics bool  `json:"address_usage_metrics,omitempty"`
	// DhcpOptionsID is the VPC's DHCP option set; "" is the built-in
	// options (DescribeVpcs: "default"; dhcp_options.go). New VPCs get the
	// account's default set (dhcp_options_default.go).
	DhcpOptionsID string `json:"dhcp_options_id,omitempty"`
}

// CreateVpc records a VPC for cidr (validated as EC2 does), associated
// with the account's default DHCP option set if it has one.
func (s *Service) CreateVpc(ctx context.Context, cidr string, tags []Tag, dryRun bool) (VPC, error) {
	acct, err := account(ctx)
	if err != nil {
		return VPC{}, err
	}
	if cidr == "" {
		return VPC{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter CidrBlock")
	}
	nv, err := network.NewVPC(ids.New(network.VPCIDPrefix), acct, cidr)
	if err != nil {
		return VPC{}, err
	}
	if err := validateTags(tags); err != nil {
		return VPC{}, err
	}
	if dryRun {
		return VPC{}, DryRun()
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil { // it counts against the quota
		return VPC{}, err
	}
	release, err := s.admit(ctx, acct, QuotaVPCs, "", 1, s.countVPCs(acct))
	if err != nil {
		return VPC{}, err
	}
	defer release()
	s.netMu.Lock() // against a concurrent DeleteDhcpOptions of the default set
	defer s.netMu.Unlock()
	dopt, guard, err := s.newVPCDhcpOptions(ctx, acct)
	if err != nil {
		return VPC{}, err
	}
	v := VPC{ID: nv.ID, Owner: acct, CIDR: nv.CIDR.String(), State: "available", Tags: tags, DhcpOptionsID: dopt}
	op, _ := store.PutJSON(prefixVPC+v.ID, v, store.MustNotExist)
	if _, err := s.st.Txn(ctx, append(append(vpcDefaultsOps(acct, v.ID), op), guard...)...); err != nil {
		return VPC{}, fmt.Errorf("record %s: %w", v.ID, err)
	}
	s.log.Info("vpc created", "vpc", v.ID, "cidr", v.CIDR, "dopt", cmp.Or(dopt, DefaultDhcpOptions), "account", acct)
	return v, nil
}

// DescribeVpcs lists the caller's VPCs (the default VPC is made on first use).
func (s *Service) DescribeVpcs(ctx context.Context, idList []string, filters []Filter, p Page) ([]VPC, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[VPC](ctx, s.st, prefixVPC)
	if err != nil {
		return nil, "", err
	}
	return selectPage(all, selection[VPC]{IDs: idList, Filters: filters, Page: p,
		ID: func(v VPC) string { return v.ID }, Field: vpcField,
		Keep: func(v VPC) bool { return v.Owner == acct },
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidVpcIDNotFound, "The vpc ID '%s' does not exist", id)
		}})
}

func vpcField(v VPC, name string) ([]string, bool) {
	switch name {
	case "vpc-id":
		return []string{v.ID}, true
	case "cidr", "cidr-block":
		return []string{v.CIDR}, true
	case "cidr-block-association.cidr-block":
		return v.blockField(func(a CIDRAssociation) string { return a.CIDR }), true
	case "cidr-block-association.association-id":
		return v.blockField(func(a CIDRAssociation) string { return a.ID }), true
	case "cidr-block-association.state":
		return v.blockField(func(CIDRAssociation) string { return "associated" }), true
	case "state":
		return []string{v.State}, true
	case "is-default", "isDefault":
		return []string{strconv.FormatBool(v.IsDefault)}, true
	case "owner-id":
		return []string{v.Owner}, true
	case "dhcp-options-id":
		return []string{cmp.Or(v.DhcpOptionsID, DefaultDhcpOptions)}, true
	case "is-classic-link-enabled":
		// EC2-Classic is gone: no VPC links to it (DescribeVpcClassicLink).
		return []string{"false"}, true
	}
	return tagField(v.Tags, name)
}

// DeleteVpc removes a VPC that has no subnets left.
func (s *Service) DeleteVpc(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	v, rev, err := s.ownVPC(ctx, acct, id)
	if err != nil {
		return err
	}
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return err
	}
	for _, sn := range subs {
		if sn.VpcID == v.ID {
			return ec2err.New(ec2err.DependencyViolation, "The vpc '%s' has dependencies and cannot be deleted.", v.ID)
		}
	}
	if err := s.checkVPCNetworkACLs(ctx, v.ID); err != nil {
		return err
	}
	groupOps, err := s.vpcDeleteOps(ctx, v.ID)
	if err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	ops := append([]store.Op{{Key: prefixVPC + v.ID, Delete: true, ExpectRevision: rev}}, groupOps...)
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return fmt.Errorf("delete %s: %w", v.ID, err)
	}
	s.log.Info("vpc deleted", "vpc", v.ID, "account", acct)
	return nil
}

func (s *Service) ownVPC(ctx context.Context, acct, id string) (VPC, int64, error) {
	if id == "" {
		return VPC{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter VpcId")
	}
	if !ids.Valid(network.VPCIDPrefix, id) {
		return VPC{}, 0, ec2err.New(ec2err.InvalidVpcIDMalformed, "Invalid id: \"%s\"", id)
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return VPC{}, 0, err
	}
	v, rev, err := store.GetJSON[VPC](ctx, s.st, prefixVPC+id)
	if err != nil || v.Owner != acct {
		return VPC{}, 0, ec2err.New(ec2err.InvalidVpcIDNotFound, "The vpc ID '%s' does not exist", id)
	}
	return v, rev, nil
}

// ensureDefaultVPC makes the account's default VPC (172.31.0.0/16) with one
// default subnet per Availability Zone the first time it is needed. It runs
// once per account: a deleted default VPC is not made again.
func (s *Service) ensureDefaultVPC(ctx context.Context, acct string) error {
	if _, err := s.st.Get(ctx, prefixDefaultVPC+acct); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var azs []string
	for _, z := range s.cfg.AvailabilityZones {
		azs = append(azs, z.Name)
	}
	nv, nss, err := network.DefaultVPC(acct, azs, ids.New)
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 20; attempt++ {
		ops, err := s.defaultVPCOps(ctx, acct, nv, nss, store.MustNotExist)
		if err != nil {
			return err
		}
		if _, err = s.st.Txn(ctx, ops...); err == nil {
			s.log.Info("default vpc created", "vpc", nv.ID, "subnets", len(nss), "account", acct)
			return nil
		} else if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("default vpc: %w", err)
		}
		if _, err := s.st.Get(ctx, prefixDefaultVPC+acct); err == nil {
			return nil // made by a concurrent caller
		}
	}
	return fmt.Errorf("default vpc for %s: too many conflicts", acct)
}

// defaultVPCOps record a default VPC, associated with the account's
// default DHCP option set (dhcp_options_default.go), and its default
// subnets, and point the account's marker at it (the marker at revision
// markerRev: conflicts order concurrent makers).
func (s *Service) defaultVPCOps(ctx context.Context, acct string, nv network.VPC, nss []network.Subnet, markerRev int64) ([]store.Op, error) {
	dopt, guard, err := s.newVPCDhcpOptions(ctx, acct)
	if err != nil {
		return nil, err
	}
	v := VPC{ID: nv.ID, Owner: acct, CIDR: nv.CIDR.String(), State: "available", IsDefault: true, DhcpOptionsID: dopt}
	marker, _ := store.PutJSON(prefixDefaultVPC+acct, v.ID, markerRev)
	op, _ := store.PutJSON(prefixVPC+v.ID, v, store.MustNotExist)
	igw := InternetGateway{ID: ids.New(ids.InternetGateway), Owner: acct, VpcID: v.ID}
	igwOp, _ := store.PutJSON(prefixInternetGateway+igw.ID, igw, store.MustNotExist)
	attached, _ := store.PutJSON(prefixVPCGateway+v.ID, igw.ID, store.MustNotExist)
	toInternet := Route{DestinationCIDR: anyIPv4, GatewayID: igw.ID, Origin: RouteOriginCreateRoute}
	ops := append(append([]store.Op{marker, op, igwOp, attached}, guard...), vpcDefaultsOps(acct, v.ID, toInternet)...)
	vnis, err := s.freeVNIs(ctx, len(nss))
	if err != nil {
		return nil, err
	}
	for i, ns := range nss {
		sn := Subnet{ID: ns.ID, VpcID: v.ID, Owner: acct, AZ: ns.AZ, CIDR: ns.CIDR.String(),
			State: "available", DefaultForAZ: true, VNI: vnis[i]}
		ops = append(ops, subnetOps(sn)...)
	}
	return ops, nil
}
