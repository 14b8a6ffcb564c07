package hypervisor

import (
	"context"
	"fmt"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
	"libvirt.org/go/libvirtxml"
)

// impact is LIVE|CONFIG for a running domain, CONFIG for a stopped one.
func (h *Libvirt) impact(ctx context.Context, d golibvirt.Domain) (uint32, bool, error) {
	st, err := h.state(ctx, d)
	if err != nil {
		return 0, false, err
	}
	if st == StateStopped {
		return uint32(golibvirt.DomainAffectConfig), false, nil
	}
	return uint32(golibvirt.DomainAffectLive | golibvirt.DomainAffectConfig), true, nil
}

// AttachDisk hot-plugs disk into a running domain (and its definition), or
// only into the definition of a stopped one.
func (h *Libvirt) AttachDisk(ctx context.Context, name string, disk Disk) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	x, err := DiskXML(disk)
	if err != nil {
		return err
	}
	flags, _, err := h.impact(ctx, d)
	if err != nil {
		return err
	}
	if err := do(ctx, func() error { return h.conn().DomainAttachDeviceFlags(d, x, flags) }); err != nil {
		return fmt.Errorf("attach %s to %s: %w", disk.Target, name, err)
	}
	return nil
}

// DetachDisk unplugs the disk at target and, on a running domain, waits
// until the guest has released it (or ctx ends).
func (h *Libvirt) DetachDisk(ctx context.Context, name, target string) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	flags, live, err := h.impact(ctx, d)
	if err != nil {
		return err
	}
	disk, err := h.findDisk(ctx, d, target, 0)
	if err != nil {
		return err
	}
	x, err := disk.Marshal()
	if err != nil {
		return fmt.Errorf("marshal disk %s: %w", target, err)
	}
	if err := do(ctx, func() error { return h.conn().DomainDetachDeviceFlags(d, x, flags) }); err != nil {
		return fmt.Errorf("detach %s from %s: %w", target, name, err)
	}
	if !live {
		return nil
	}
	return h.waitDiskGone(ctx, d, target)
}

func (h *Libvirt) waitDiskGone(ctx context.Context, d golibvirt.Domain, target string) error {
	for {
		if _, err := h.findDisk(ctx, d, target, 0); err != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("detach %s from %s: guest has not released it: %w", target, d.Name, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// findDisk returns the disk element at target from the domain's XML.
func (h *Libvirt) findDisk(ctx context.Context, d golibvirt.Domain, target string, flags golibvirt.DomainXMLFlags) (*libvirtxml.DomainDisk, error) {
	dom, err := h.parsed(ctx, d, flags)
	if err != nil {
		return nil, err
	}
	for i := range dom.Devices.Disks {
		if t := dom.Devices.Disks[i].Target; t != nil && t.Dev == target {
			return &dom.Devices.Disks[i], nil
		}
	}
	return nil, fmt.Errorf("domain %s has no disk %s", d.Name, target)
}

func (h *Libvirt) parsed(ctx context.Context, d golibvirt.Domain, flags golibvirt.DomainXMLFlags) (*libvirtxml.Domain, error) {
	x, err := h.xmlOf(ctx, d, flags)
	if err != nil {
		return nil, err
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(x); err != nil {
		return nil, fmt.Errorf("parse XML of %s: %w", d.Name, err)
	}
	return &dom, nil
}

// SnapshotDisk makes newHead the active file of target on the running
// domain (external, disk-only, atomic, no libvirt metadata). newHead must
// already exist as a qcow2 overlay of the current file: REUSE_EXT keeps its
// header, so a relative backing file name stays relative. All other disks
// are left out of the snapshot.
func (h *Libvirt) SnapshotDisk(ctx context.Context, name, target, newHead string) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	dom, err := h.parsed(ctx, d, 0)
	if err != nil {
		return err
	}
	snap := &libvirtxml.DomainSnapshot{Disks: &libvirtxml.DomainSnapshotDisks{}}
	found := false
	for _, disk := range dom.Devices.Disks {
		sd := libvirtxml.DomainSnapshotDisk{Name: disk.Target.Dev, Snapshot: "no"}
		if disk.Target.Dev == target {
			found = true
			sd.Snapshot = "external"
			sd.Driver = &libvirtxml.DomainDiskDriver{Type: "qcow2"}
			sd.Source = &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: newHead}}
			if disk.Source != nil && disk.Source.Encryption != nil {
				sd.Source.Encryption = disk.Source.Encryption // the new head uses the disk's key too
			}
		}
		snap.Disks.Disks = append(snap.Disks.Disks, sd)
	}
	if !found {
		return fmt.Errorf("snapshot %s of %s: no such disk", target, name)
	}
	x, err := snap.Marshal()
	if err != nil {
		return fmt.Errorf("marshal snapshot XML: %w", err)
	}
	flags := uint32(golibvirt.DomainSnapshotCreateDiskOnly | golibvirt.DomainSnapshotCreateAtomic |
		golibvirt.DomainSnapshotCreateNoMetadata | golibvirt.DomainSnapshotCreateReuseExt)
	if _, err := call(ctx, func() (golibvirt.DomainSnapshot, error) { return h.conn().DomainSnapshotCreateXML(d, x, flags) }); err != nil {
		return fmt.Errorf("snapshot %s of %s: %w", target, name, err)
	}
	return nil
}

// ResizeDisk grows target of a running domain to sizeBytes.
func (h *Libvirt) ResizeDisk(ctx context.Context, name, target string, sizeBytes uint64) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := do(ctx, func() error {
		return h.conn().DomainBlockResize(d, target, sizeBytes, golibvirt.DomainBlockResizeBytes)
	}); err != nil {
		return fmt.Errorf("resize %s of %s: %w", target, name, err)
	}
	return nil
}

// SetIOTune sets target's limits, live when running and in the definition.
func (h *Libvirt) SetIOTune(ctx context.Context, name, target string, tune IOTune) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	flags, _, err := h.impact(ctx, d)
	if err != nil {
		return err
	}
	params := []golibvirt.TypedParam{
		{Field: "total_iops_sec", Value: *golibvirt.NewTypedParamValueUllong(tune.TotalIOPSSec)},
		{Field: "total_bytes_sec", Value: *golibvirt.NewTypedParamValueUllong(tune.TotalBytesSec)},
	}
	if err := do(ctx, func() error { return h.conn().DomainSetBlockIOTune(d, target, params, flags) }); err != nil {
		return fmt.Errorf("set iotune of %s on %s: %w", target, name, err)
	}
	return nil
}
