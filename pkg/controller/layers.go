package controller

import (
	"context"
	"fmt"
	"os"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/storage"
)

// ensureLayer makes a snapshot's layer chain present in az's pool,
// replicating only the layers the destination lacks (incremental copy,
// verified by checksum in storage.CopyFrom).
func (s *Service) ensureLayer(ctx context.Context, snap Snapshot, az string) error {
	if snap.AZ == az {
		return nil
	}
	src, ok := s.Pool(snap.AZ)
	dst, ok2 := s.Pool(az)
	if !ok || !ok2 {
		return fmt.Errorf("snapshot %s: no pool for %s or %s", snap.ID, snap.AZ, az)
	}
	info, err := src.Info(ctx, snap.Layer)
	if err != nil {
		return fmt.Errorf("snapshot %s: inspect chain: %w", snap.ID, err)
	}
	chain := info.Chain
	if len(chain) == 0 {
		chain = []string{snap.Layer}
	}
	// Copy from the bottom up, so every copied layer finds its backing file.
	for i := len(chain) - 1; i >= 0; i-- {
		if exists(dst, chain[i]) {
			continue
		}
		if err := dst.CopyFrom(ctx, src, chain[i]); err != nil {
			return fmt.Errorf("snapshot %s: replicate layer %s to %s: %w", snap.ID, chain[i], az, err)
		}
		s.log.Info("layer replicated", "snapshot", snap.ID, "layer", chain[i], "from", snap.AZ, "to", az)
	}
	return nil
}

// ensureFiles makes a direct-kernel image's kernel and initrd present in az's pool.
func (s *Service) ensureFiles(ctx context.Context, img Image, az string) error {
	if img.AZ == az {
		return nil
	}
	src, _ := s.Pool(img.AZ)
	dst, ok := s.Pool(az)
	if src == nil || !ok {
		return fmt.Errorf("image %s: no pool for %s or %s", img.ID, img.AZ, az)
	}
	for _, f := range []string{img.Kernel, img.Initrd} {
		if f == "" || exists(dst, f) {
			continue
		}
		if err := copyFile(src.Path(f), dst.Path(f)); err != nil {
			return fmt.Errorf("image %s: copy %s to %s: %w", img.ID, f, az, err)
		}
	}
	return nil
}

func exists(p *storage.Pool, name string) bool {
	_, err := os.Stat(p.Path(name))
	return err == nil
}

// copyFile copies src to dst through a temp file and a rename.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp-copy"
	if err := fsmode.WriteFile(tmp, b, fsmode.ReadOnly); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
