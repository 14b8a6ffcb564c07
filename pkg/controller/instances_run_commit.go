package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// errTokenTaken ends a launch whose ClientToken a concurrent request with
// the same token (on this or another replica) recorded first: the caller
// answers with that request's result.
var errTokenTaken = fmt.Errorf("client token recorded by a concurrent request: %w", store.ErrConflict)

// commitLaunch writes the launch's records in one transaction: ops, then
// its instances, each with its private address (launchAddresses) and that
// address's claim, and the claims of the public addresses they get. A
// claim that a concurrent allocation took first (another replica's
// launch or NAT gateway, this replica's public IP sweep) fails the
// transaction with store.ErrConflict; it is tried again, at most
// allocateAttempts times, with addresses picked around the claims then
// stored. res.Instances are updated in place.
func (s *Service) commitLaunch(ctx context.Context, acct string, req RunRequest, subnet *Subnet, res RunResult, ops []store.Op) error {
	for attempt := 1; ; attempt++ {
		err := s.tryCommitLaunch(ctx, acct, req, subnet, res, ops)
		if err == nil || !errors.Is(err, store.ErrConflict) {
			return err
		}
		if s.launchTokenTaken(ctx, acct, req) {
			return errTokenTaken
		}
		if attempt >= allocateAttempts {
			return fmt.Errorf("record reservation %s: its addresses were taken by concurrent allocations %d times in a row: %w",
				res.ReservationID, attempt, err)
		}
		s.log.Debug("launch lost an address race; allocating again", "reservation", res.ReservationID, "attempt", attempt)
	}
}

// tryCommitLaunch is one try of commitLaunch.
func (s *Service) tryCommitLaunch(ctx context.Context, acct string, req RunRequest, subnet *Subnet, res RunResult, ops []store.Op) error {
	private, err := s.launchAddresses(ctx, acct, subnet, req.PrivateIP, res.Instances)
	if err != nil {
		return err
	}
	public, err := s.launchPublicIPs(ctx, req, subnet, res.Instances)
	if err != nil {
		return err
	}
	all := slices.Concat(ops, private, public)
	for _, in := range res.Instances {
		op, err := store.PutJSON(prefixInstance+in.ID, in, store.MustNotExist)
		if err != nil {
			return fmt.Errorf("record instance %s: %w", in.ID, err)
		}
		all = append(all, op)
	}
	if _, err := s.st.Txn(ctx, all...); err != nil {
		return fmt.Errorf("record reservation %s: %w", res.ReservationID, err)
	}
	return nil
}

// launchAddresses gives each instance its primary private address from a
// fresh address plan (requested: the launch's PrivateIpAddress) and
// returns the addresses' claims.
func (s *Service) launchAddresses(ctx context.Context, acct string, subnet *Subnet, requested string, insts []Instance) ([]store.Op, error) {
	plan, err := s.newAddressPlan(ctx, acct)
	if err != nil {
		return nil, err
	}
	ops := make([]store.Op, 0, len(insts))
	for i := range insts {
		in := &insts[i]
		if err := plan.assign(in, subnet, requested); err != nil {
			return nil, err
		}
		op, err := plan.claimOp(in.SubnetID, in.PrivateIP, in.ID)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// launchTokenTaken reports whether the launch's ClientToken is recorded.
func (s *Service) launchTokenTaken(ctx context.Context, acct string, req RunRequest) bool {
	if req.ClientToken == "" {
		return false
	}
	_, err := s.st.Get(ctx, tokenKey(acct, "RunInstances", req.ClientToken))
	return err == nil
}
