package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// A data plane in its own network namespace (Config.NetNS) gets its guests'
// NICs as interface type='ethernet' taps that libvirt creates in the
// agent's namespace; after every start of a domain the agent adopts them
// (netplane.Plane.AdoptTap: moved into the namespace, put on the subnet's
// bridge, up). The security-group firewall works in that namespace and
// names ports by tap, so an adopted tap is filtered as soon as it arrives.

// adoptTaps adopts the ethernet taps of instance id (a no-op for bridge
// NICs, single-host mode). Called with the instance lock held, after
// hv.Start.
func (a *Agent) adoptTaps(ctx context.Context, id string, nics []hypervisor.NIC) error {
	var errs []error
	for _, nic := range nics {
		if !nic.Ethernet {
			continue
		}
		p, err := a.Plane()
		if err != nil {
			return err
		}
		if err := p.AdoptTap(ctx, nic.Tap, nic.Bridge); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("network of %s: %w", id, err)
	}
	return nil
}

// adoptSpecTaps adopts the taps listed in instance id's saved spec.
func (a *Agent) adoptSpecTaps(ctx context.Context, id string) error {
	s, err := a.loadSpec(id)
	if err != nil {
		return err
	}
	return a.adoptTaps(ctx, id, s.Domain.NICs)
}

// recoverTaps adopts the taps of the running instances (a restarted agent
// may have missed a start); those already adopted stay as they are.
func (a *Agent) recoverTaps(ctx context.Context) error {
	if a.cfg.NetNS == "" {
		return nil
	}
	doms, err := a.hv.List(ctx, a.cfg.DomainPrefix)
	if err != nil {
		return fmt.Errorf("recover taps: %w", err)
	}
	var errs []error
	for _, d := range doms {
		if d.State != hypervisor.StateRunning {
			continue
		}
		if err := a.adoptSpecTaps(ctx, a.instanceID(d.Name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
