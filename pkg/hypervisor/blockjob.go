package hypervisor

import (
	"context"
	"fmt"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
	"libvirt.org/go/libvirtxml"
)

// abortTimeout bounds the cancellation of a block job whose caller gave up.
const abortTimeout = 10 * time.Second

// StreamDisk pulls the data of the layers above base into target's active
// file (virDomainBlockRebase without COPY): libvirt then drops those layers
// from the running domain (and its definition) and closes them. With a
// base, REBASE_RELATIVE makes QEMU write base's name as the chain had it
// (the pool's relative names), not libvirt's absolute path. The job is
// polled until libvirt forgets it; whether it succeeded is read from the
// disk's chain afterwards, since a finished job leaves no status behind.
func (h *Libvirt) StreamDisk(ctx context.Context, name, target, base string) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	var opt golibvirt.OptString
	var flags golibvirt.DomainBlockRebaseFlags
	if base != "" {
		opt, flags = golibvirt.OptString{base}, golibvirt.DomainBlockRebaseRelative
	}
	if err := do(ctx, func() error { return h.conn().DomainBlockRebase(d, target, opt, 0, flags) }); err != nil {
		return fmt.Errorf("stream %s of %s onto %q: %w", target, name, base, err)
	}
	if err := h.waitBlockJob(ctx, d, target); err != nil {
		return fmt.Errorf("stream %s of %s onto %q: %w", target, name, base, err)
	}
	disk, err := h.findDisk(ctx, d, target, 0)
	if err != nil {
		return err
	}
	if got := backingPath(disk.BackingStore); got != base {
		return fmt.Errorf("stream %s of %s onto %q: block job ended with the disk backed by %q", target, name, base, got)
	}
	return nil
}

// waitBlockJob polls until target has no block job; when ctx ends first
// it aborts the job (a stream stopped part-way leaves consistent data).
func (h *Libvirt) waitBlockJob(ctx context.Context, d golibvirt.Domain, target string) error {
	for {
		found, err := call(ctx, func() (int32, error) {
			found, _, _, _, _, err := h.conn().DomainGetBlockJobInfo(d, target, 0)
			return found, err
		})
		if ctx.Err() != nil {
			h.abortBlockJob(d, target)
			return fmt.Errorf("block job: %w", ctx.Err())
		}
		if err != nil {
			return fmt.Errorf("block job info: %w", err)
		}
		if found == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollInterval / 4):
		}
	}
}

func (h *Libvirt) abortBlockJob(d golibvirt.Domain, target string) {
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	_ = do(ctx, func() error { return h.conn().DomainBlockJobAbort(d, target, 0) })
}

// backingPath is the file right below a disk's active layer, "" for none.
func backingPath(b *libvirtxml.DomainDiskBackingStore) string {
	if b == nil || b.Source == nil || b.Source.File == nil {
		return ""
	}
	return b.Source.File.File
}
