package agent

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// Encrypted volumes: the controller hands the volume's key with the disk
// (Disk.encryption_key + secret_uuid); the agent stores it in a private
// libvirt secret and spells out the disk's backing chain, because libvirt
// opens an encrypted backing layer only when <backingStore> gives it its
// own <encryption>. All encrypted layers of one volume share its key.

// fillChains sets the backing chain of every encrypted disk.
func (a *Agent) fillChains(ctx context.Context, disks []hypervisor.Disk) error {
	for i := range disks {
		if err := a.fillChain(ctx, &disks[i]); err != nil {
			return err
		}
	}
	return nil
}

// fillChain lists the layers below an encrypted disk's head (from the
// shared pool); plain disks are left for libvirt to probe.
func (a *Agent) fillChain(ctx context.Context, d *hypervisor.Disk) error {
	if d.SecretUUID == "" {
		return nil
	}
	pool := a.cfg.SharedPool
	name := filepath.Base(d.Path)
	if pool.Path(name) != d.Path {
		return nil // not a shared-pool volume
	}
	info, err := pool.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("disk %s: chain: %w", d.Target, err)
	}
	d.Backing = nil
	for _, l := range info.Layers[1:] {
		d.Backing = append(d.Backing, hypervisor.BackingFile{Path: pool.Path(l.Name), Format: l.Format, Encrypted: l.Encrypted})
	}
	return nil
}
