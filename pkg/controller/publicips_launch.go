package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// explicitPublicIP is the launch's own AssociatePublicIpAddress (from
// its interface or launch template); set reports whether it gave one.
func explicitPublicIP(req RunRequest) (want, set bool) {
	if req.associatePublicIP == nil {
		return false, false
	}
	return *req.associatePublicIP, true
}

// checkLaunchPublicIP refuses, before anything is placed, a launch that
// asks for public addresses in a region without a pool.
func (s *Service) checkLaunchPublicIP(req RunRequest) error {
	if want, _ := explicitPublicIP(req); want && s.eipPool.Empty() {
		return s.errNoPublicIP(0, req.MinCount)
	}
	return nil
}

// launchWantsPublicIP reports, per instance of the launch, whether it gets
// a public address: the launch's AssociatePublicIpAddress decides, and
// without one its subnet's MapPublicIpOnLaunch (subnet, or each
// instance's default subnet when nil).
func (s *Service) launchWantsPublicIP(ctx context.Context, req RunRequest, subnet *Subnet, insts []Instance) ([]bool, error) {
	out := make([]bool, len(insts))
	want, set := explicitPublicIP(req)
	maps := map[string]bool{}
	if subnet != nil {
		maps[subnet.ID] = subnet.MapPublicIPOnLaunch
	}
	for i, in := range insts {
		if set || in.SubnetID == "" {
			out[i] = want && in.SubnetID != ""
			continue
		}
		m, ok := maps[in.SubnetID]
		if !ok {
			sn, _, err := store.GetJSON[Subnet](ctx, s.st, prefixSubnet+in.SubnetID)
			if err != nil {
				return nil, fmt.Errorf("read subnet %s: %w", in.SubnetID, err)
			}
			m, maps[in.SubnetID] = sn.MapPublicIPOnLaunch, sn.MapPublicIPOnLaunch
		}
		out[i] = m
	}
	return out, nil
}

// launchPublicIPs marks the launch's instances that get public addresses
// and gives each a free pool address, returning the claims' ops for the
// launch's transaction. Asked for in the request, addresses the pool
// cannot give fail the launch; by the subnet's default, the instances left
// over go without one until the sweep finds one free.
func (s *Service) launchPublicIPs(ctx context.Context, req RunRequest, subnet *Subnet, insts []Instance) ([]store.Op, error) {
	wants, err := s.launchWantsPublicIP(ctx, req, subnet, insts)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, w := range wants {
		if w {
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	free, err := s.freePublicIPs(ctx, n)
	if err != nil {
		return nil, err
	}
	if _, set := explicitPublicIP(req); set && len(free) < n {
		return nil, s.errNoPublicIP(len(free), n)
	}
	var ops []store.Op
	for i := range insts {
		insts[i].PublicIPOnLaunch, insts[i].AssignedPublicIP = wants[i], ""
		if !wants[i] || len(free) == 0 {
			continue
		}
		op, err := publicIPClaimOp(free[0], insts[i])
		if err != nil {
			return nil, err
		}
		insts[i].AssignedPublicIP, free = free[0], free[1:]
		ops = append(ops, op)
	}
	return ops, nil
}
