package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// publicIPHooks registers the sweep that settles auto-assigned public
// addresses (publicips.go).
func (s *Service) publicIPHooks(h *hooks) {
	h.sweep("public-ips", s.sweepPublicIPs)
}

// sweepPublicIPs is the reconciler's step of settlePublicIPs.
func (s *Service) sweepPublicIPs(ctx context.Context) {
	if err := s.settlePublicIPs(ctx); err != nil {
		s.log.Warn("public IPs: settle auto-assigned addresses", "err", err)
	}
}

// settlePublicIPs releases the claims of auto-assigned addresses whose
// instance is gone or no longer holds them, releases the addresses of
// instances that stopped or terminated other than through the API (a
// guest shutting itself down), and gives one to each instance that
// should hold one and does not (it started when the pool was exhausted,
// or its Elastic IP went).
func (s *Service) settlePublicIPs(ctx context.Context) error {
	if err := s.releaseStalePublicIPClaims(ctx); err != nil {
		return err
	}
	insts, err := s.instances(ctx)
	if err != nil {
		return err
	}
	for _, in := range insts {
		// The cache may lag the store: syncPublicIP decides on the record
		// and writes only what changes.
		if !in.PublicIPOnLaunch && in.AssignedPublicIP == "" {
			continue
		}
		if err := s.syncPublicIP(ctx, in.ID); err != nil {
			return err
		}
	}
	return nil
}

// releaseStalePublicIPClaims deletes the claims of auto-assigned addresses
// that their instance (read from the store: the claim and the record were
// written together) does not hold. Each goes only at the revision read, so
// a claim made again meanwhile stays.
func (s *Service) releaseStalePublicIPClaims(ctx context.Context) error {
	claims, err := s.st.List(ctx, prefixAddressClaim)
	if err != nil {
		return fmt.Errorf("list address claims: %w", err)
	}
	for _, kv := range claims {
		var c addressClaim
		if err := json.Unmarshal(kv.Value, &c); err != nil || c.InstanceID == "" {
			continue
		}
		ip := kv.Key[len(prefixAddressClaim):]
		in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+c.InstanceID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("read instance %s: %w", c.InstanceID, err)
		}
		if err == nil && in.AssignedPublicIP == ip {
			continue
		}
		_, err = s.st.Txn(ctx, store.Op{Key: kv.Key, Delete: true, ExpectRevision: kv.Revision})
		if err != nil && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("release public IP %s: %w", ip, err)
		}
		if err == nil {
			s.log.Info("public IP released", "ip", ip, "instance", c.InstanceID)
		}
	}
	return nil
}
