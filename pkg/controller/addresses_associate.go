package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// AssociateRequest is AssociateAddress's parameters: the address
// (AllocationID, or PublicIP) and its target, an instance (its primary
// interface) or a network interface, at one of its private addresses
// (default: the primary one).
type AssociateRequest struct {
	AllocationID, PublicIP         string
	InstanceID, NetworkInterfaceID string
	PrivateIP                      string
	AllowReassociation             bool
	DryRun                         bool
}

// associable are the instance states an address may be associated in.
var associable = map[string]bool{StatePending: true, StateRunning: true, StateStopping: true, StateStopped: true}

// AssociateAddress points the caller's address at an interface address of
// one of its instances and returns the association ID. An address already
// associated moves only with AllowReassociation; an interface address
// that has another Elastic IP gets this one instead (the other is
// disassociated), as in EC2.
func (s *Service) AssociateAddress(ctx context.Context, req AssociateRequest) (string, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", err
	}
	a, _, err := s.ownAddress(ctx, acct, req.AllocationID, req.PublicIP)
	if err != nil {
		return "", err
	}
	target, err := s.associationTarget(ctx, acct, req)
	if err != nil {
		return "", err
	}
	// netMu (then eipMu, never the other way) keeps a concurrent
	// DetachInternetGateway from slipping between the check and the write.
	s.netMu.Lock()
	defer s.netMu.Unlock()
	if err := s.checkInternetGatewayFor(ctx, target.vpcID); err != nil {
		return "", err
	}
	if req.DryRun {
		return "", DryRun()
	}
	s.eipMu.Lock()
	defer s.eipMu.Unlock()
	return s.associate(ctx, a.AllocationID, target.assoc, req.AllowReassociation)
}

// associationTarget is where an association points, with its VPC.
type associationTarget struct {
	assoc AddressAssociation
	vpcID string
}

// associationTarget resolves the request's instance or interface and
// private address.
func (s *Service) associationTarget(ctx context.Context, acct string, req AssociateRequest) (associationTarget, error) {
	var ni NetworkInterface
	switch {
	case req.InstanceID == "" && req.NetworkInterfaceID == "":
		return associationTarget{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceId or NetworkInterfaceId")
	case req.InstanceID != "" && req.NetworkInterfaceID != "":
		return associationTarget{}, ec2err.New(ec2err.InvalidParameterCombination, "Specify InstanceId or NetworkInterfaceId, not both.")
	case req.InstanceID != "":
		insts, err := s.ownedInstances(ctx, acct, []string{req.InstanceID})
		if err != nil {
			return associationTarget{}, err
		}
		if ni, err = associableInterface(insts[0]); err != nil {
			return associationTarget{}, err
		}
	default:
		var err error
		if ni, err = s.ownNetworkInterface(ctx, acct, req.NetworkInterfaceID); err != nil {
			return associationTarget{}, err
		}
	}
	priv := req.PrivateIP
	if priv == "" {
		priv = ni.PrivateIP
	} else if priv != ni.PrivateIP {
		return associationTarget{}, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid value '%s' for PrivateIpAddress: it is not an address of network interface %s.", priv, ni.ID)
	}
	return associationTarget{vpcID: ni.VpcID, assoc: AddressAssociation{InstanceID: ni.Attachment.InstanceID,
		NetworkInterfaceID: ni.ID, NetworkInterfaceOwner: ni.Owner, PrivateIP: priv}}, nil
}

// associableInterface is the one interface of an instance in a state that
// takes an address; an instance with several needs NetworkInterfaceId.
func associableInterface(in Instance) (NetworkInterface, error) {
	if !associable[in.State] {
		return NetworkInterface{}, ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is not in a valid state for this operation (state: %s).", in.ID, in.State)
	}
	nis := in.NetworkInterfaces()
	switch {
	case len(nis) == 0:
		return NetworkInterface{}, ec2err.New(ec2err.InvalidInstanceID, "The instance '%s' has no network interface to associate an address with.", in.ID)
	case len(nis) > 1:
		return NetworkInterface{}, ec2err.New(ec2err.InvalidInstanceID,
			"There are multiple interfaces attached to instance '%s'. Please specify an interface ID for the operation instead.", in.ID)
	}
	return nis[0], nil
}

// checkInternetGatewayFor refuses, as EC2 does, an association in a VPC
// without an internet gateway attached: the address could never be
// reached.
func (s *Service) checkInternetGatewayFor(ctx context.Context, vpcID string) error {
	igw, err := s.vpcInternetGateway(ctx, vpcID)
	if err != nil {
		return fmt.Errorf("internet gateway of %s: %w", vpcID, err)
	}
	if igw == "" {
		return ec2err.New(ec2err.GatewayNotAttached, "Network %s is not attached to any internet gateway", vpcID)
	}
	return nil
}

// associate writes the association of allocID with target, the
// disassociation of any other address on the same interface address and
// the release of the instance's auto-assigned address it replaces, in one
// transaction, tried again when a record changed meanwhile. The caller
// holds eipMu.
func (s *Service) associate(ctx context.Context, allocID string, target AddressAssociation, reassociate bool) (string, error) {
	for attempt := 0; ; attempt++ {
		id, err := s.associateOnce(ctx, allocID, target, reassociate)
		if !errors.Is(err, store.ErrConflict) || attempt >= allocateAttempts {
			return id, err
		}
	}
}

func (s *Service) associateOnce(ctx context.Context, allocID string, target AddressAssociation, reassociate bool) (string, error) {
	a, rev, err := store.GetJSON[Address](ctx, s.st, addressKey(allocID))
	if err != nil {
		return "", fmt.Errorf("read address %s: %w", allocID, err)
	}
	if as := a.Association; as != nil && as.NetworkInterfaceID == target.NetworkInterfaceID && as.PrivateIP == target.PrivateIP {
		return as.ID, nil // already there: EC2 answers the association, no error
	}
	if err := checkNotNatGateway(a); err != nil {
		return "", err
	}
	if a.Association != nil && !reassociate {
		return "", ec2err.New(ec2err.ResourceAlreadyAssociated, "Resource %s is already associated (%s).", allocID, a.Association.ID)
	}
	target.ID = ids.New(ids.Association)
	a.Association = &target
	op, err := store.PutJSON(addressKey(allocID), a, rev)
	if err != nil {
		return "", err
	}
	ops := []store.Op{op}
	others, err := s.accountAddresses(ctx, "")
	if err != nil {
		return "", err
	}
	for _, o := range others {
		if o.AllocationID == allocID || o.Association == nil || o.Association.NetworkInterfaceID != target.NetworkInterfaceID ||
			o.Association.PrivateIP != target.PrivateIP {
			continue
		}
		o.Association = nil
		op, err := store.PutJSON(addressKey(o.AllocationID), o, store.AnyRevision)
		if err != nil {
			return "", err
		}
		ops = append(ops, op)
	}
	release, err := s.replacedPublicIPOps(ctx, target)
	if err != nil {
		return "", err
	}
	if _, err := s.st.Txn(ctx, append(ops, release...)...); err != nil {
		return "", fmt.Errorf("associate %s: %w", allocID, err)
	}
	return target.ID, nil
}

// DisassociateAddress ends an association, found by its ID or, without
// one, by the caller's public IP.
func (s *Service) DisassociateAddress(ctx context.Context, assocID, publicIP string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if assocID == "" && publicIP == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AssociationId")
	}
	if assocID != "" && !ids.Valid(ids.Association, assocID) {
		return ec2err.New(ec2err.InvalidAssociationIDMalformed, "Invalid id: \"%s\" (expecting \"eipassoc-...\")", assocID)
	}
	instID, err := s.disassociateOwn(ctx, acct, assocID, publicIP, dryRun)
	if err != nil {
		return err
	}
	// As in EC2, an instance that had an auto-assigned address gets a new
	// one (publicips.go); failing that, the sweep gives it one later.
	if err := s.syncPublicIP(ctx, instID); err != nil {
		s.log.Warn("disassociate: public IP", "instance", instID, "err", err)
	}
	return nil
}

// disassociateOwn ends the caller's association found by ID or public IP
// and returns the instance it pointed at.
func (s *Service) disassociateOwn(ctx context.Context, acct, assocID, publicIP string, dryRun bool) (string, error) {
	s.eipMu.Lock()
	defer s.eipMu.Unlock()
	all, err := s.accountAddresses(ctx, acct)
	if err != nil {
		return "", err
	}
	for _, a := range all {
		if a.Association == nil || (assocID != "" && a.Association.ID != assocID) || (assocID == "" && a.PublicIP != publicIP) {
			continue
		}
		if err := checkNotNatGateway(a); err != nil {
			return "", err
		}
		if dryRun {
			return "", DryRun()
		}
		return a.Association.InstanceID, s.disassociate(ctx, a.AllocationID, a.Association.ID)
	}
	if assocID == "" {
		return "", ec2err.New(ec2err.InvalidAddressNotFound, "Address '%s' not found or not associated.", publicIP)
	}
	return "", ec2err.New(ec2err.InvalidAssociationIDNotFound, "Association ID '%s' not found.", assocID)
}

// disassociate clears allocID's association if it still is assocID.
func (s *Service) disassociate(ctx context.Context, allocID, assocID string) error {
	_, err := update(ctx, s.st, addressKey(allocID), func(a *Address) error {
		if a.Association != nil && a.Association.ID == assocID {
			a.Association = nil
		}
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("disassociate %s: %w", assocID, err)
	}
	return nil
}

// disassociateGone disassociates every address whose instance is shutting
// down, terminated or no longer recorded (its interface went with it):
// the address stays allocated, as in EC2.
func (s *Service) disassociateGone(ctx context.Context) error {
	s.eipMu.Lock()
	defer s.eipMu.Unlock()
	all, err := s.accountAddresses(ctx, "")
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Association == nil || a.Association.NatGatewayID != "" { // the gateway's sweep ends those
			continue
		}
		in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+a.Association.InstanceID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("read instance %s: %w", a.Association.InstanceID, err)
		}
		if err == nil && in.State != StateShuttingDown && in.State != StateTerminated {
			continue
		}
		if err := s.disassociate(ctx, a.AllocationID, a.Association.ID); err != nil {
			return err
		}
	}
	return nil
}

// sweepAddressAssociations is the reconciler's step of disassociateGone.
func (s *Service) sweepAddressAssociations(ctx context.Context) {
	if err := s.disassociateGone(ctx); err != nil {
		s.log.Warn("elastic IPs: disassociate the addresses of terminated instances", "err", err)
	}
}

// checkNotNatGateway refuses to move or end the association of a NAT
// gateway's address: it stays with the gateway until the gateway is deleted.
func checkNotNatGateway(a Address) error {
	if a.Association != nil && a.Association.NatGatewayID != "" {
		return ec2err.New(ec2err.InvalidIPAddressInUse, "Address '%s' (%s) is in use by NAT gateway %s; delete the gateway first.",
			a.PublicIP, a.AllocationID, a.Association.NatGatewayID)
	}
	return nil
}
