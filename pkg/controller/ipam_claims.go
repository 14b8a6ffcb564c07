package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Private address claims make a subnet's private addresses safe to hand
// out from several ec2d replicas at once. Every address an instance or a
// NAT gateway holds (holdsAddress, NatGateway.live) has a claim key,
// prefixPrivateIPClaim + subnet ID + "/" + address, whose value names the
// holder. The claim is created create-only (store.MustNotExist) in the
// same transaction that records its holder (commitLaunch,
// recordNatGateway), so of two replicas that picked one address at once
// exactly one commits; the other gets store.ErrConflict and allocates
// again around the claims it now reads. A claim is deleted in the
// transaction that makes its holder give the address up (an instance
// terminated by setState, a NAT gateway deleted by
// retireNatGateway). A claim left behind by any other path is
// stale: its holder's record is gone or no longer holds the address. An
// allocation takes a stale claim over (revision-checked), and the claim
// sweep (sweepPrivateIPClaims) deletes stale claims and creates the
// missing claims of holders recorded before claims existed.
const prefixPrivateIPClaim = "/privateipclaims/" // + subnet ID/address → privateIPClaim

// privateIPClaim is the value of a private address claim.
type privateIPClaim struct {
	// Holder is the instance or NAT gateway ID that holds the address.
	Holder string `json:"holder"`
}

// privateIPClaimKey is the claim key of ip in subnet.
func privateIPClaimKey(subnetID, ip string) string {
	return prefixPrivateIPClaim + subnetID + "/" + ip
}

// storedClaim is one claim as read from the store.
type storedClaim struct {
	subnetID string
	addr     netip.Addr
	holder   string
	rev      int64
}

// parseClaim decodes the claim kv (false: not a well-formed claim).
func parseClaim(kv store.KV) (storedClaim, bool) {
	subnetID, ip, ok := strings.Cut(strings.TrimPrefix(kv.Key, prefixPrivateIPClaim), "/")
	addr, err := netip.ParseAddr(ip)
	if !ok || err != nil {
		return storedClaim{}, false
	}
	var c privateIPClaim
	if err := json.Unmarshal(kv.Value, &c); err != nil {
		return storedClaim{}, false
	}
	return storedClaim{subnetID: subnetID, addr: addr, holder: c.Holder, rev: kv.Revision}, true
}

// listClaims reads the claims under prefix (a subnet's, or all).
func (s *Service) listClaims(ctx context.Context, prefix string) ([]storedClaim, error) {
	kvs, err := s.st.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list private address claims: %w", err)
	}
	out := make([]storedClaim, 0, len(kvs))
	for _, kv := range kvs {
		if c, ok := parseClaim(kv); ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// claimHeld reports whether c's holder, as the store has it now, still
// holds c's address. A holder whose record is gone, or that gave the
// address up (terminated, deleted, failed: final states), does not; a
// holder of a kind it does not know holds it (never taken over).
func (s *Service) claimHeld(ctx context.Context, c storedClaim) (bool, error) {
	ip := c.addr.String()
	switch {
	case ids.Valid(ids.Instance, c.holder):
		in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+c.holder)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read claim holder %s: %w", c.holder, err)
		}
		return holdsAddress(in) && in.SubnetID == c.subnetID && in.PrivateIP == ip, nil
	case ids.Valid(ids.NatGateway, c.holder):
		g, _, err := store.GetJSON[NatGateway](ctx, s.st, prefixNatGateway+c.holder)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read claim holder %s: %w", c.holder, err)
		}
		return g.live() && g.SubnetID == c.subnetID && g.PrivateIP == ip, nil
	}
	return true, nil
}

// subnetClaims adds to held the addresses of subnet whose claims are live
// and returns the revisions of its stale claims, by address: an
// allocation may take those over. held are the addresses the records
// already show taken: their claims need no check.
func (s *Service) subnetClaims(ctx context.Context, subnetID string, held *network.AddrBits) (map[netip.Addr]int64, error) {
	claims, err := s.listClaims(ctx, prefixPrivateIPClaim+subnetID+"/")
	if err != nil {
		return nil, err
	}
	stale := map[netip.Addr]int64{}
	for _, c := range claims {
		if held.Has(c.addr) {
			continue
		}
		live, err := s.claimHeld(ctx, c)
		if err != nil {
			return nil, err
		}
		if live {
			held.Add(c.addr)
		} else {
			stale[c.addr] = c.rev
		}
	}
	return stale, nil
}

// claimOp is the write that claims ip of subnet for holder: create-only,
// or over the stale claim of revision staleRev (>0) that it replaces.
func claimOp(subnetID, ip, holder string, staleRev int64) (store.Op, error) {
	expect := store.MustNotExist
	if staleRev > 0 {
		expect = staleRev
	}
	op, err := store.PutJSON(privateIPClaimKey(subnetID, ip), privateIPClaim{Holder: holder}, expect)
	if err != nil {
		return store.Op{}, fmt.Errorf("claim %s in %s: %w", ip, subnetID, err)
	}
	return op, nil
}

// releaseClaimOps are the ops that delete holder's claim on ip of subnet,
// for the transaction in which holder gives the address up: none when the
// claim is absent or someone else's (revision-checked, so a claim that
// changes meanwhile fails that transaction).
func (s *Service) releaseClaimOps(ctx context.Context, subnetID, ip, holder string) ([]store.Op, error) {
	if subnetID == "" || ip == "" {
		return nil, nil
	}
	key := privateIPClaimKey(subnetID, ip)
	c, rev, err := store.GetJSON[privateIPClaim](ctx, s.st, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read claim %s: %w", key, err)
	}
	if c.Holder != holder {
		return nil, nil
	}
	return []store.Op{{Key: key, Delete: true, ExpectRevision: rev}}, nil
}
