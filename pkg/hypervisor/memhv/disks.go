package memhv

import (
	"context"
	"fmt"

	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// findDisk returns the disk at target in dom, or nil.
func findDisk(dom *libvirtxml.Domain, target string) *libvirtxml.DomainDisk {
	if dom == nil {
		return nil
	}
	for i := range dom.Devices.Disks {
		if t := dom.Devices.Disks[i].Target; t != nil && t.Dev == target {
			return &dom.Devices.Disks[i]
		}
	}
	return nil
}

func removeDisk(dom *libvirtxml.Domain, target string) {
	if dom == nil {
		return
	}
	disks := dom.Devices.Disks[:0]
	for _, disk := range dom.Devices.Disks {
		if disk.Target == nil || disk.Target.Dev != target {
			disks = append(disks, disk)
		}
	}
	dom.Devices.Disks = disks
}

// activeFile is the disk's active (top) file.
func activeFile(disk *libvirtxml.DomainDisk) string {
	if disk.Source == nil || disk.Source.File == nil {
		return ""
	}
	return disk.Source.File.File
}

// maxChain bounds a probed backing chain (a loop in what SetBacking was
// told would otherwise never end).
const maxChain = 64

// probeLocked completes disk's backing chain below its last known layer
// from the files' backing (as libvirt probes the images' headers when a
// disk goes live) and ends it with an empty <backingStore/>; a chain that
// already ends so (given in full by DomainSpec) stays as it is.
func (h *HV) probeLocked(disk *libvirtxml.DomainDisk) {
	if disk.Device != "disk" {
		return
	}
	last := &disk.BackingStore
	path := activeFile(disk)
	for *last != nil {
		if (*last).Source == nil {
			return // the terminator: the chain is complete
		}
		if (*last).Source.File != nil {
			path = (*last).Source.File.File
		}
		last = &(*last).BackingStore
	}
	for i := 0; i < maxChain && path != ""; i++ {
		below, ok := h.backing[path]
		if !ok {
			break
		}
		*last = &libvirtxml.DomainDiskBackingStore{
			Format: &libvirtxml.DomainDiskFormat{Type: "qcow2"},
			Source: &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: below}}}
		last, path = &(*last).BackingStore, below
	}
	*last = &libvirtxml.DomainDiskBackingStore{}
}

// checkSecretLocked fails when disk names a LUKS secret that is not
// defined (QEMU could not open it).
func (h *HV) checkSecretLocked(disk libvirtxml.DomainDisk) error {
	if disk.Source == nil || disk.Source.Encryption == nil {
		return nil
	}
	for _, s := range disk.Source.Encryption.Secrets {
		u, err := canonicalUUID(s.UUID)
		if err != nil {
			return err
		}
		if _, ok := h.secrets[u]; !ok {
			return fmt.Errorf("no secret with matching uuid '%s'", s.UUID)
		}
	}
	return nil
}

// AttachDisk hot-plugs disk into a running domain (and its definition), or
// only into the definition of a stopped one; a target in use is refused.
func (h *HV) AttachDisk(ctx context.Context, name string, disk hypervisor.Disk) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	x, err := hypervisor.DiskXML(disk)
	if err != nil {
		return err
	}
	var dev libvirtxml.DomainDisk
	if err := dev.Unmarshal(x); err != nil {
		return fmt.Errorf("attach %s to %s: %w", disk.Target, name, err)
	}
	confs := d.configs()
	for _, conf := range confs {
		if findDisk(conf, disk.Target) != nil {
			return fmt.Errorf("attach %s to %s: target %s already exists", disk.Target, name, disk.Target)
		}
	}
	if d.running() {
		if err := h.checkSecretLocked(dev); err != nil {
			return fmt.Errorf("attach %s to %s: %w", disk.Target, name, err)
		}
	}
	for _, conf := range confs {
		var c libvirtxml.DomainDisk
		if err := c.Unmarshal(x); err != nil {
			return fmt.Errorf("attach %s to %s: %w", disk.Target, name, err)
		}
		if conf == d.live {
			h.probeLocked(&c)
		}
		conf.Devices.Disks = append(conf.Devices.Disks, c)
	}
	h.notifyLocked()
	return nil
}

// DetachDisk unplugs the disk at target. On a running domain the
// definition loses it at once and the live domain once the guest released
// it (at once unless Guest.HoldDisks); DetachDisk waits for that until ctx
// ends.
func (h *HV) DetachDisk(ctx context.Context, name, target string) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	if findDisk(d.current(), target) == nil {
		h.mu.Unlock()
		return fmt.Errorf("domain %s has no disk %s", name, target)
	}
	removeDisk(d.def, target)
	if !d.running() {
		h.notifyLocked()
		h.mu.Unlock()
		return nil
	}
	if !h.guests[name].HoldDisks {
		removeDisk(d.live, target)
		h.notifyLocked()
		h.mu.Unlock()
		return nil
	}
	if d.held == nil {
		d.held = map[string]bool{}
	}
	d.held[target] = true
	h.notifyLocked()
	h.mu.Unlock()
	for {
		h.mu.Lock()
		d, err := h.lookupLocked(name)
		if err != nil || findDisk(d.current(), target) == nil {
			h.mu.Unlock()
			return nil // released, or the domain went away
		}
		changed := h.changed
		h.mu.Unlock()
		if !h.wait(ctx, changed) {
			return fmt.Errorf("detach %s from %s: guest has not released it: %w", target, name, ctx.Err())
		}
	}
}

// SnapshotDisk makes newHead, an overlay of target's active file (memhv
// records that, see SetBacking), the disk's active file. On a running
// domain the old file becomes the first layer of the live chain, and of
// the definition's, which libvirt updates too; on a stopped one (libvirt's
// offline external snapshot) the definition just names the new head, its
// chain left to be probed when the domain starts.
func (h *HV) SnapshotDisk(ctx context.Context, name, target, newHead string) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	cur := findDisk(d.current(), target)
	if cur == nil {
		return fmt.Errorf("snapshot %s of %s: no such disk", target, name)
	}
	h.setBackingLocked(newHead, activeFile(cur))
	for _, conf := range d.configs() {
		disk := findDisk(conf, target)
		if disk == nil {
			continue
		}
		old := disk.Source
		if d.running() {
			format := "qcow2"
			if disk.Driver != nil && disk.Driver.Type != "" {
				format = disk.Driver.Type
			}
			disk.BackingStore = &libvirtxml.DomainDiskBackingStore{
				Format: &libvirtxml.DomainDiskFormat{Type: format}, Source: old, BackingStore: disk.BackingStore}
		} else {
			disk.BackingStore = nil
		}
		src := &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: newHead}}
		if old != nil {
			src.Encryption = old.Encryption // the new head uses the disk's key too
		}
		disk.Source = src
		if disk.Driver == nil {
			disk.Driver = &libvirtxml.DomainDiskDriver{Name: "qemu"}
		}
		disk.Driver.Type = "qcow2"
	}
	h.notifyLocked()
	return nil
}

// StreamDisk merges the layers between target's active file and base (""
// for all of them) into the active file of the running domain: they leave
// its live chain, and the active file is backed by base. As with libvirt,
// the definition's disk then names no chain (it is probed at the next
// start). base must be a layer of the chain.
func (h *HV) StreamDisk(ctx context.Context, name, target, base string) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if !d.running() {
		return fmt.Errorf("stream %s of %s onto %q: domain is not running", target, name, base)
	}
	disk := findDisk(d.live, target)
	if disk == nil {
		return fmt.Errorf("stream %s of %s onto %q: disk not found", target, name, base)
	}
	below := &libvirtxml.DomainDiskBackingStore{} // nothing below: a flat disk
	if base != "" {
		below = nil
		for b := disk.BackingStore; b != nil; b = b.BackingStore {
			if b.Source != nil && b.Source.File != nil && b.Source.File.File == base {
				below = b
				break
			}
		}
		if below == nil {
			return fmt.Errorf("stream %s of %s onto %q: could not find image '%s' in chain for '%s'", target, name, base, base, activeFile(disk))
		}
	}
	disk.BackingStore = below
	if base == "" {
		delete(h.backing, activeFile(disk))
	} else {
		h.backing[activeFile(disk)] = base
	}
	if cfg := findDisk(d.def, target); cfg != nil && activeFile(cfg) == activeFile(disk) {
		cfg.BackingStore = nil
	}
	h.notifyLocked()
	return nil
}

// ResizeDisk sets the size of target's active file on a running domain.
func (h *HV) ResizeDisk(ctx context.Context, name, target string, sizeBytes uint64) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if !d.running() {
		return fmt.Errorf("resize %s of %s: domain is not running", target, name)
	}
	disk := findDisk(d.live, target)
	if disk == nil {
		return fmt.Errorf("resize %s of %s: disk not found", target, name)
	}
	h.sizes[activeFile(disk)] = sizeBytes
	return nil
}

// SetIOTune sets target's limits, live when running and in the definition;
// an all-zero tune removes them.
func (h *HV) SetIOTune(ctx context.Context, name, target string, tune hypervisor.IOTune) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if findDisk(d.current(), target) == nil {
		return fmt.Errorf("set iotune of %s on %s: disk not found", target, name)
	}
	for _, conf := range d.configs() {
		disk := findDisk(conf, target)
		if disk == nil {
			continue
		}
		if tune == (hypervisor.IOTune{}) {
			disk.IOTune = nil
			continue
		}
		disk.IOTune = &libvirtxml.DomainDiskIOTune{TotalIopsSec: tune.TotalIOPSSec, TotalBytesSec: tune.TotalBytesSec}
	}
	h.notifyLocked()
	return nil
}
