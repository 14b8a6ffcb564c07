package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// elasticIPsByInstance maps an instance ID to its primary interface's private → public address
// pairs, for every instance with at least one: its associated Elastic IPs and, on a primary
// address without one, the auto-assigned public address of a pending or running instance
// (publicips.go). Both kinds are answered alike by the data plane's 1:1 NAT.
func (s *Service) elasticIPsByInstance(ctx context.Context) (map[string]map[string]string, error) {
	byInst, err := s.associationsByInstance(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	add := func(inst string, a ENIAssociation) {
		if a.NetworkInterfaceID != ids.PrimaryNetworkInterface(inst) {
			return
		}
		if out[inst] == nil {
			out[inst] = map[string]string{}
		}
		if _, taken := out[inst][a.PrivateIP]; !taken {
			out[inst][a.PrivateIP] = a.PublicIP
		}
	}
	for inst, as := range byInst {
		for _, a := range as {
			add(inst, a)
		}
	}
	insts, err := s.instances(ctx)
	if err != nil {
		return nil, err
	}
	for _, in := range insts {
		if auto := in.autoAssociation(); auto != nil {
			add(in.ID, *auto) // after the Elastic IPs: one on the same address wins
		}
	}
	return out, nil
}
