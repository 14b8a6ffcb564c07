package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// poolFileHooks registers the collector of pool files.
func (s *Service) poolFileHooks(h *hooks) { h.collector("pool-files", s.collectFiles) }

// collectFiles deletes pool files (volume heads, snapshot layers and their
// replicated copies) that no record needs any more, once they stayed
// unreferenced for the grace period. A file is needed when it is in the
// backing chain of a volume's head or of a snapshot's layer, in that AZ.
func (s *Service) collectFiles(ctx context.Context, seen map[string]bool) {
	for _, z := range s.cfg.AvailabilityZones {
		pool, ok := s.Pool(z.Name)
		if !ok {
			continue
		}
		if err := s.collectPool(ctx, z.Name, pool, seen); err != nil {
			s.log.Warn("garbage collector: pool skipped", "az", z.Name, "err", err)
		}
	}
}

func (s *Service) collectPool(ctx context.Context, az string, pool *storage.Pool, seen map[string]bool) error {
	// List first: a file made after the records were read is not listed.
	files, err := pool.Files(ctx)
	if err != nil {
		return err
	}
	refs, err := s.referencedFiles(ctx, az, pool)
	if err != nil {
		return err
	}
	for _, f := range files {
		if refs[f] {
			continue
		}
		key := "file/" + az + "/" + f
		seen[key] = true
		if !s.graceOver(key) {
			continue
		}
		s.log.Warn("garbage collector: deleting pool file no record needs", "az", az, "file", f)
		if err := pool.Delete(ctx, f); err != nil {
			s.log.Warn("garbage collector: delete failed", "az", az, "file", f, "err", err)
		}
	}
	return nil
}

// referencedFiles is the set of az's pool files some record needs. It fails
// (so nothing is collected) while a snapshot is being taken in az, because
// the new head exists before the records name it.
func (s *Service) referencedFiles(ctx context.Context, az string, pool *storage.Pool) (map[string]bool, error) {
	refs := map[string]bool{}
	snaps, err := store.ListJSON[Snapshot](ctx, s.st, prefixSnapshot)
	if err != nil {
		return nil, err
	}
	for _, sn := range snaps {
		if sn.AZ != az {
			continue
		}
		if sn.State == "pending" {
			return nil, fmt.Errorf("snapshot %s in progress", sn.ID)
		}
		if err := addChain(ctx, pool, sn.Layer, refs); err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", sn.ID, err)
		}
	}
	vols, err := store.ListJSON[Volume](ctx, s.st, prefixVolume)
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		if v.AZ != az {
			continue
		}
		if err := addChain(ctx, pool, v.Head, refs); err != nil {
			return nil, fmt.Errorf("volume %s: %w", v.ID, err)
		}
	}
	imgs, err := store.ListJSON[Image](ctx, s.st, prefixImage)
	if err != nil {
		return nil, err
	}
	for _, img := range imgs {
		refs[img.Kernel], refs[img.Initrd] = true, true
	}
	return refs, nil
}

// addChain adds name and every file below it to refs. A file that does not
// exist (a volume not made yet, a record whose file is gone) adds only its
// name; any other failure is an error, since a chain left unread could hide
// a needed layer.
func addChain(ctx context.Context, pool *storage.Pool, name string, refs map[string]bool) error {
	if name == "" {
		return nil
	}
	refs[name] = true
	info, err := pool.Info(ctx, name)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, f := range info.Chain {
		refs[f] = true
	}
	return nil
}
