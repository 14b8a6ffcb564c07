package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Store key prefixes of the internet gateways.
const (
	prefixInternetGateway = "/internetgateways/"
	prefixVPCGateway      = "/vpcigw/" // + VPC ID → the attached gateway's ID (one per VPC)
)

// GatewayAttachmentAvailable is the state EC2 reports for an internet
// gateway's attachment to a VPC.
const GatewayAttachmentAvailable = "available"

// InternetGateway is the record of an internet gateway: attached to at
// most one VPC (VpcID), whose VPC has at most one.
type InternetGateway struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	VpcID string `json:"vpc_id,omitempty"`
	Tags  []Tag  `json:"tags,omitempty"`
}

// CreateInternetGateway records a new, detached internet gateway.
func (s *Service) CreateInternetGateway(ctx context.Context, tags []Tag, dryRun bool) (InternetGateway, error) {
	acct, err := account(ctx)
	if err != nil {
		return InternetGateway{}, err
	}
	if err := validateTags(tags); err != nil {
		return InternetGateway{}, err
	}
	release, err := s.admit(ctx, acct, QuotaGateways, "", 1, s.countGateways(acct))
	if err != nil {
		return InternetGateway{}, err
	}
	defer release()
	if dryRun {
		return InternetGateway{}, DryRun()
	}
	g := InternetGateway{ID: ids.New(ids.InternetGateway), Owner: acct, Tags: tags}
	op, _ := store.PutJSON(prefixInternetGateway+g.ID, g, store.MustNotExist)
	if _, err := s.st.Txn(ctx, op); err != nil {
		return InternetGateway{}, fmt.Errorf("record %s: %w", g.ID, err)
	}
	s.log.Info("internet gateway created", "igw", g.ID, "account", acct)
	return g, nil
}

// AttachInternetGateway attaches a detached gateway to a VPC that has none.
func (s *Service) AttachInternetGateway(ctx context.Context, gatewayID, vpcID string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	g, grev, err := s.ownInternetGateway(ctx, acct, gatewayID)
	if err != nil {
		return err
	}
	v, vrev, err := s.ownVPC(ctx, acct, vpcID)
	if err != nil {
		return err
	}
	if g.VpcID != "" {
		return ec2err.New(ec2err.ResourceAlreadyAssociated, "resource %s is already attached to network %s", g.ID, g.VpcID)
	}
	if have, err := s.vpcInternetGateway(ctx, v.ID); err != nil {
		return err
	} else if have != "" {
		return ec2err.New(ec2err.ResourceAlreadyAssociated, "network %s already has an internet gateway attached (%s)", v.ID, have)
	}
	if dryRun {
		return DryRun()
	}
	g.VpcID = v.ID
	gop, _ := store.PutJSON(prefixInternetGateway+g.ID, g, grev)
	mark, _ := store.PutJSON(prefixVPCGateway+v.ID, g.ID, store.MustNotExist)
	touch, _ := store.PutJSON(prefixVPC+v.ID, v, vrev) // against a concurrent DeleteVpc
	if _, err := s.st.Txn(ctx, gop, mark, touch); err != nil {
		return fmt.Errorf("attach %s to %s: %w", g.ID, v.ID, err)
	}
	s.log.Info("internet gateway attached", "igw", g.ID, "vpc", v.ID, "account", acct)
	return nil
}

// DetachInternetGateway detaches a gateway from the VPC it is attached to;
// routes through it become blackholes.
func (s *Service) DetachInternetGateway(ctx context.Context, gatewayID, vpcID string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	g, grev, err := s.ownInternetGateway(ctx, acct, gatewayID)
	if err != nil {
		return err
	}
	v, _, err := s.ownVPC(ctx, acct, vpcID)
	if err != nil {
		return err
	}
	if g.VpcID != v.ID {
		return ec2err.New(ec2err.GatewayNotAttached, "resource %s is not attached to network %s", g.ID, v.ID)
	}
	if err := s.checkNoPublicAddresses(ctx, v.ID); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	g.VpcID = ""
	gop, _ := store.PutJSON(prefixInternetGateway+g.ID, g, grev)
	if _, err := s.st.Txn(ctx, gop, store.Op{Key: prefixVPCGateway + v.ID, Delete: true, ExpectRevision: store.AnyRevision}); err != nil {
		return fmt.Errorf("detach %s from %s: %w", g.ID, v.ID, err)
	}
	s.log.Info("internet gateway detached", "igw", g.ID, "vpc", v.ID, "account", acct)
	return nil
}

// DeleteInternetGateway deletes a detached gateway; routes through it stay,
// as blackholes.
func (s *Service) DeleteInternetGateway(ctx context.Context, gatewayID string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	g, grev, err := s.ownInternetGateway(ctx, acct, gatewayID)
	if err != nil {
		return err
	}
	if g.VpcID != "" {
		return ec2err.New(ec2err.DependencyViolation, "The internetGateway '%s' has dependencies and cannot be deleted.", g.ID)
	}
	if dryRun {
		return DryRun()
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: prefixInternetGateway + g.ID, Delete: true, ExpectRevision: grev}); err != nil {
		return fmt.Errorf("delete %s: %w", g.ID, err)
	}
	s.log.Info("internet gateway deleted", "igw", g.ID, "account", acct)
	return nil
}

// ownInternetGateway reads one of the caller's gateways.
func (s *Service) ownInternetGateway(ctx context.Context, acct, id string) (InternetGateway, int64, error) {
	if id == "" {
		return InternetGateway{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InternetGatewayId")
	}
	if !ids.Valid(ids.InternetGateway, id) {
		return InternetGateway{}, 0, ec2err.New(ec2err.InvalidInternetGatewayIDMalformed, "Invalid id: \"%s\" (expecting \"igw-...\")", id)
	}
	g, rev, err := store.GetJSON[InternetGateway](ctx, s.st, prefixInternetGateway+id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.Owner != acct) {
		return InternetGateway{}, 0, internetGatewayNotFound(id)
	} else if err != nil {
		return InternetGateway{}, 0, fmt.Errorf("read %s: %w", id, err)
	}
	return g, rev, nil
}

func internetGatewayNotFound(id string) error {
	return ec2err.New(ec2err.InvalidInternetGatewayIDNotFound, "The internetGateway ID '%s' does not exist", id)
}

// checkNoPublicAddresses refuses, as EC2 does, to detach the gateway of a
// VPC whose instances hold public addresses (Elastic IPs or auto-assigned
// ones): they would silently stop answering.
func (s *Service) checkNoPublicAddresses(ctx context.Context, vpcID string) error {
	mapped := ec2err.New(ec2err.DependencyViolation,
		"Network %s has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.", vpcID)
	nats, err := s.natGateways(ctx)
	if err != nil {
		return err
	}
	for _, g := range nats {
		if g.VpcID == vpcID && g.live() { // its Elastic IP stays mapped until it is deleted
			return mapped
		}
	}
	public, err := s.elasticIPsByInstance(ctx)
	if err != nil || len(public) == 0 {
		return err
	}
	insts, err := s.instances(ctx)
	if err != nil {
		return err
	}
	for _, in := range insts {
		if in.VpcID == vpcID && len(public[in.ID]) > 0 && in.State != StateTerminated {
			return mapped
		}
	}
	return nil
}
