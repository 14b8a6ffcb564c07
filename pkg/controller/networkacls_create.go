package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// CreateNetworkACL records a network ACL of a VPC. As EC2's, it starts
// with only the two catch-all deny entries (rule 32767, egress and
// ingress) and no subnets. A retry with the first call's client token,
// concurrent or not, answers the ACL that call made.
func (s *Service) CreateNetworkACL(ctx context.Context, req CreateInVPC) (NetworkACL, error) {
	acct, err := account(ctx)
	if err != nil {
		return NetworkACL{}, err
	}
	return createInVPC(ctx, s, acct, "CreateNetworkAcl", req, func(id string) (NetworkACL, error) {
		acls, _, err := s.DescribeNetworkAcls(ctx, []string{id}, nil, Page{})
		if err != nil {
			return NetworkACL{}, err
		}
		return acls[0], nil
	}, func() (NetworkACL, error) { return s.createNetworkACL(ctx, acct, req) })
}

// createNetworkACL checks and writes one CreateNetworkACL; a write that
// conflicts returns an error wrapping store.ErrConflict.
func (s *Service) createNetworkACL(ctx context.Context, acct string, req CreateInVPC) (NetworkACL, error) {
	v, vrev, err := s.ownVPC(ctx, acct, req.VpcID)
	if err != nil {
		return NetworkACL{}, err
	}
	if err := validateTags(req.Tags); err != nil {
		return NetworkACL{}, err
	}
	release, err := s.admit(ctx, acct, QuotaNetworkACLs, v.ID, 1, s.countNetworkACLs(acct, v.ID))
	if err != nil {
		return NetworkACL{}, err
	}
	defer release()
	if req.DryRun {
		return NetworkACL{}, DryRun()
	}
	acl := NetworkACL{ID: ids.New(ids.NetworkACL), Owner: acct, VpcID: v.ID, Tags: req.Tags}
	for _, egress := range []bool{true, false} {
		acl.Entries = append(acl.Entries,
			ACLEntry{RuleNumber: ACLLastRule, Protocol: ACLAllProtocol, RuleAction: ACLDeny, Egress: egress, CIDR: anyIPv4})
	}
	op, _ := store.PutJSON(prefixNetworkACL+acl.ID, acl, store.MustNotExist)
	// Rewriting the VPC under its revision makes a concurrent DeleteVpc
	// conflict instead of leaving the ACL without its VPC.
	guard, _ := store.PutJSON(prefixVPC+v.ID, v, vrev)
	ops := []store.Op{op, guard}
	if req.ClientToken != "" {
		ops = append(ops, tokenOp(acct, "CreateNetworkAcl", req.ClientToken, req.hash(), []string{acl.ID}))
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return NetworkACL{}, fmt.Errorf("record %s: %w", acl.ID, err)
	}
	s.log.Info("network acl created", "acl", acl.ID, "vpc", v.ID, "account", acct)
	return acl, nil
}

// DeleteNetworkACL removes a network ACL no subnet is associated with; a
// VPC's default ACL goes only with its VPC.
func (s *Service) DeleteNetworkACL(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	acl, rev, err := s.ownNetworkACL(ctx, acct, id)
	if err != nil {
		return err
	}
	if acl.IsDefault {
		return ec2err.New(ec2err.InvalidParameterValue, "cannot delete default network ACL %s", acl.ID)
	}
	subnets, err := s.networkACLSubnets(ctx, acl)
	if err != nil {
		return err
	}
	if len(subnets) > 0 {
		return ec2err.New(ec2err.DependencyViolation, "The network ACL '%s' has dependencies and cannot be deleted.", acl.ID)
	}
	if dryRun {
		return DryRun()
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: prefixNetworkACL + acl.ID, Delete: true, ExpectRevision: rev}); err != nil {
		return fmt.Errorf("delete %s: %w", acl.ID, err)
	}
	s.log.Info("network acl deleted", "acl", acl.ID, "account", acct)
	return nil
}

// checkVPCNetworkACLs refuses to delete a VPC that still has network ACLs
// other than its default one, as EC2 does (DeleteVpc).
func (s *Service) checkVPCNetworkACLs(ctx context.Context, vpcID string) error {
	all, err := store.ListJSON[NetworkACL](ctx, s.st, prefixNetworkACL)
	if err != nil {
		return fmt.Errorf("list network ACLs: %w", err)
	}
	for _, acl := range all {
		if acl.VpcID == vpcID && !acl.IsDefault {
			return ec2err.New(ec2err.DependencyViolation, "The vpc '%s' has dependencies and cannot be deleted.", vpcID)
		}
	}
	return nil
}

// ownNetworkACL is the caller's network ACL id, with its revision.
func (s *Service) ownNetworkACL(ctx context.Context, acct, id string) (NetworkACL, int64, error) {
	if id == "" {
		return NetworkACL{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter networkAclId")
	}
	if !ids.Valid(ids.NetworkACL, id) {
		return NetworkACL{}, 0, ec2err.New(ec2err.InvalidNetworkACLIDMalformed, "Invalid id: \"%s\" (expecting \"acl-...\")", id)
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return NetworkACL{}, 0, err
	}
	acl, rev, err := store.GetJSON[NetworkACL](ctx, s.st, prefixNetworkACL+id)
	if err != nil || acl.Owner != acct {
		return NetworkACL{}, 0, ec2err.New(ec2err.InvalidNetworkACLIDNotFound, "The networkAcl ID '%s' does not exist", id)
	}
	return acl, rev, nil
}
