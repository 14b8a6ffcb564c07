package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/storage"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Default graceful timeouts.
const (
	defaultStopTimeout    = 60 * time.Second
	rebootPowerOffTimeout = 30 * time.Second
)

// StartInstance boots a stopped instance, redefining its domain first when
// it pins CPUs or passes GPUs through (they are reallocated on each start)
// or when the definition is missing.
func (a *Agent) StartInstance(ctx context.Context, ref *agentv1.InstanceRef) (*agentv1.InstanceStatus, error) {
	id := ref.GetInstanceId()
	defer a.lock(id)()
	name := a.domainName(id)
	d, err := a.hv.Get(ctx, name)
	if err != nil && !errors.Is(err, hypervisor.ErrNotFound) {
		return nil, err
	}
	if err == nil && d.State != hypervisor.StateStopped {
		return a.status(ctx, id)
	}
	s, serr := a.loadSpec(id)
	switch {
	case serr != nil && err != nil:
		return nil, serr // neither a domain nor a spec
	case serr == nil && (err != nil || s.Dedicated || s.GPUCount > 0 || s.Domain.Hugepages):
		if err := a.define(ctx, id, s); err != nil {
			return nil, fmt.Errorf("start %s: %w", id, err)
		}
	}
	a.md.booting(id)
	if err := a.hv.Start(ctx, name); err != nil {
		return nil, fmt.Errorf("start %s: %w", id, err)
	}
	if serr == nil {
		if err := a.adoptTaps(ctx, id, s.Domain.NICs); err != nil {
			return nil, fmt.Errorf("start %s: %w", id, err)
		}
	}
	return a.status(ctx, id)
}

// StopInstance powers the guest off (ACPI, then forced after
// timeout_seconds, default 60; at once with force) and wipes the instance
// store, as EC2 does.
func (a *Agent) StopInstance(ctx context.Context, req *agentv1.StopInstanceRequest) (*agentv1.InstanceStatus, error) {
	id := req.GetInstanceId()
	defer a.lock(id)()
	timeout := defaultStopTimeout
	if t := req.GetTimeoutSeconds(); t > 0 {
		timeout = time.Duration(t) * time.Second
	}
	if err := a.powerOff(ctx, id, req.GetForce(), timeout); err != nil {
		return nil, err
	}
	if err := a.wipeInstanceStore(ctx, id); err != nil {
		return nil, err
	}
	return a.status(ctx, id)
}

// powerOff stops the domain gracefully (or not) and waits until it is off.
func (a *Agent) powerOff(ctx context.Context, id string, force bool, timeout time.Duration) error {
	name := a.domainName(id)
	d, err := a.hv.Get(ctx, name)
	if err != nil {
		return orInstanceNotFound(id, err)
	}
	if d.State == hypervisor.StateStopped {
		return nil
	}
	if !force {
		sctx, cancel := context.WithTimeout(ctx, timeout)
		err := a.hv.Shutdown(sctx, name)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		a.log.Warn("graceful stop timed out, forcing", "instance", id, "timeout", timeout, "err", err)
	}
	if err := a.hv.Destroy(ctx, name); err != nil {
		return fmt.Errorf("stop %s: %w", id, err)
	}
	return nil
}

// wipeInstanceStore recreates the instance-store disks empty.
func (a *Agent) wipeInstanceStore(ctx context.Context, id string) error {
	s, err := a.loadSpec(id)
	if err != nil {
		return nil // no spec: nothing known to wipe
	}
	for n, size := range s.Ephemeral {
		name := ephemeralName(id, n)
		if err := a.cfg.LocalPool.Delete(ctx, name); err != nil {
			return err
		}
		if err := a.cfg.LocalPool.Create(ctx, name, size, storage.CreateOptions{}); err != nil {
			return fmt.Errorf("wipe instance store of %s: %w", id, err)
		}
	}
	return nil
}

// RebootInstance powers the guest off through ACPI (forcing it after 30 s)
// and boots it again. The guest has no agent, so this works with any guest
// that honours the power button; instance-store data survives.
func (a *Agent) RebootInstance(ctx context.Context, ref *agentv1.InstanceRef) (*agentv1.InstanceStatus, error) {
	id := ref.GetInstanceId()
	defer a.lock(id)()
	d, err := a.hv.Get(ctx, a.domainName(id))
	if err != nil {
		return nil, orInstanceNotFound(id, err)
	}
	if d.State != hypervisor.StateRunning {
		return nil, ec2err.New(ec2err.IncorrectInstanceState, "instance %s is %s, not running", id, d.State)
	}
	if err := a.powerOff(ctx, id, false, rebootPowerOffTimeout); err != nil {
		return nil, err
	}
	a.md.booting(id)
	if err := a.hv.Start(ctx, d.Name); err != nil {
		return nil, fmt.Errorf("reboot %s: %w", id, err)
	}
	if a.cfg.NetNS != "" {
		if err := a.adoptSpecTaps(ctx, id); err != nil {
			return nil, fmt.Errorf("reboot %s: %w", id, err)
		}
	}
	return a.status(ctx, id)
}

// DestroyInstance removes the domain and everything local to the instance
// (seed, console log, instance store, spec, disk secrets). EBS volume files
// stay. Destroying an unknown instance is no error.
func (a *Agent) DestroyInstance(ctx context.Context, ref *agentv1.InstanceRef) (*agentv1.DestroyInstanceResponse, error) {
	id := ref.GetInstanceId()
	if id == "" {
		return nil, missing("InstanceId")
	}
	defer a.lock(id)()
	name := a.domainName(id)
	var secrets []string
	if st, err := a.status(ctx, id); err == nil {
		for _, d := range st.Disks {
			if d.SecretUuid != "" {
				secrets = append(secrets, d.SecretUuid)
			}
		}
	}
	if err := a.hv.Destroy(ctx, name); err != nil {
		return nil, err
	}
	if err := a.hv.Undefine(ctx, name); err != nil {
		return nil, err
	}
	for _, s := range secrets {
		if err := a.hv.UndefineSecret(ctx, s); err != nil {
			a.log.Warn("undefine secret", "instance", id, "secret", s, "err", err)
		}
	}
	if err := a.removeLocalFiles(ctx, id); err != nil {
		return nil, err
	}
	if err := a.dropMetadata(id); err != nil {
		return nil, err
	}
	a.log.Info("instance destroyed", "instance", id)
	return &agentv1.DestroyInstanceResponse{}, nil
}

// removeLocalFiles deletes the seed, console log, spec and instance store.
func (a *Agent) removeLocalFiles(ctx context.Context, id string) error {
	for _, p := range []string{a.seedPath(id), a.consolePath(id), a.specPath(id)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	eph, _ := filepath.Glob(a.cfg.LocalPool.Path(id + "-ephemeral*.qcow2"))
	for _, p := range eph {
		if err := a.cfg.LocalPool.Delete(ctx, filepath.Base(p)); err != nil {
			return err
		}
	}
	return nil
}
