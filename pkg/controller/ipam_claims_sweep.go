package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// privateIPClaimHooks registers the private address claims' sweep.
func (s *Service) privateIPClaimHooks(h *hooks) {
	h.sweep("private-ip-claims", s.sweepPrivateIPClaims)
}

// sweepPrivateIPClaims brings the private address claims in line with
// their holders (ipam_claims.go): it creates the missing claim of every
// address an instance or NAT gateway holds (holders recorded before
// claims existed), create-only, and deletes every claim whose holder no
// longer holds its address, revision-checked. Both act only on what the
// store confirms at the time, so a holder this replica's cache has not
// seen yet, or one that changed meanwhile, is left alone.
func (s *Service) sweepPrivateIPClaims(ctx context.Context) {
	made, dropped, err := s.settleClaims(ctx)
	if err != nil {
		s.log.Warn("private address claims", "err", err)
	}
	if made > 0 || dropped > 0 {
		s.log.Info("private address claims settled", "created", made, "deleted", dropped)
	}
}

// settleClaims is sweepPrivateIPClaims' work: it returns how many claims
// it created and deleted.
func (s *Service) settleClaims(ctx context.Context) (made, dropped int, err error) {
	holders, err := s.addressHolders(ctx)
	if err != nil {
		return 0, 0, err
	}
	claims, err := s.listClaims(ctx, prefixPrivateIPClaim)
	if err != nil {
		return 0, 0, err
	}
	have := make(map[string]bool, len(claims))
	var errs []error
	for _, c := range claims {
		key := privateIPClaimKey(c.subnetID, c.addr.String())
		have[key] = true
		if h, ok := holders[key]; ok && h.holder == c.holder {
			continue
		}
		done, err := s.dropStaleClaim(ctx, c)
		errs = append(errs, err)
		if done {
			dropped++
		}
	}
	for key, h := range holders {
		if have[key] {
			continue
		}
		done, err := s.createMissingClaim(ctx, h)
		errs = append(errs, err)
		if done {
			made++
		}
	}
	return made, dropped, errors.Join(errs...)
}

// addressHolders are the private addresses the instances (of the record
// cache) and the live NAT gateways hold, by claim key. Of two holders of
// one address (recorded before claims existed) the first wins; the other
// is logged.
func (s *Service) addressHolders(ctx context.Context) (map[string]storedClaim, error) {
	insts, err := s.instances(ctx)
	if err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	nats, err := s.natGateways(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]storedClaim, len(insts)+len(nats))
	add := func(subnetID, ip, holder string) {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return
		}
		key := privateIPClaimKey(subnetID, ip)
		if other, dup := out[key]; dup {
			s.log.Warn("private address held twice", "subnet", subnetID, "ip", ip, "holders", []string{other.holder, holder})
			return
		}
		out[key] = storedClaim{subnetID: subnetID, addr: addr, holder: holder}
	}
	for _, in := range insts {
		if holdsAddress(*in) {
			add(in.SubnetID, in.PrivateIP, in.ID)
		}
	}
	for _, g := range nats {
		if g.live() && g.SubnetID != "" {
			add(g.SubnetID, g.PrivateIP, g.ID)
		}
	}
	return out, nil
}

// dropStaleClaim deletes claim c when the store confirms that its holder
// no longer holds its address (true: deleted). A claim that changed
// meanwhile (an allocation took it over) stays.
func (s *Service) dropStaleClaim(ctx context.Context, c storedClaim) (bool, error) {
	held, err := s.claimHeld(ctx, c)
	if err != nil || held {
		return false, err
	}
	key := privateIPClaimKey(c.subnetID, c.addr.String())
	_, err = s.st.Txn(ctx, store.Op{Key: key, Delete: true, ExpectRevision: c.rev})
	switch {
	case errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrFenced):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("delete stale claim %s: %w", key, err)
	}
	return true, nil
}

// createMissingClaim creates holder h's claim when the store confirms
// that h holds the address (true: created). A claim that appeared
// meanwhile stays.
func (s *Service) createMissingClaim(ctx context.Context, h storedClaim) (bool, error) {
	held, err := s.claimHeld(ctx, h)
	if err != nil || !held {
		return false, err
	}
	op, err := claimOp(h.subnetID, h.addr.String(), h.holder, 0)
	if err != nil {
		return false, err
	}
	_, err = s.st.Txn(ctx, op)
	switch {
	case errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrFenced):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("create claim %s: %w", op.Key, err)
	}
	return true, nil
}
