package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// collectTombstones deletes deregistered images (hidden tombstones kept so
// that instances launched from them can boot again) once no instance that
// is not terminated and no CreateImage in flight needs them, after the
// grace period. The kernel and initrd the image owns go from every pool;
// its snapshots stay, as EC2 keeps them on deregistration.
func (s *Service) collectTombstones(ctx context.Context, seen map[string]bool) {
	need, err := s.imagesInUse(ctx)
	if err != nil {
		s.log.Warn("garbage collector: image tombstones skipped", "err", err)
		return
	}
	imgs, err := store.ListJSON[Image](ctx, s.st, prefixImage)
	if err != nil {
		s.log.Warn("garbage collector: image tombstones skipped", "err", err)
		return
	}
	for _, img := range imgs {
		if img.State != "deregistered" || need[img.ID] {
			continue
		}
		key := "image/" + img.ID
		seen[key] = true
		if s.graceOver(key) {
			s.dropTombstone(ctx, img.ID)
		}
	}
}

// imagesInUse is the set of images some instance that is not terminated
// was launched from, or some image job still reads.
func (s *Service) imagesInUse(ctx context.Context) (map[string]bool, error) {
	insts, err := s.instances(ctx)
	if err != nil {
		return nil, err
	}
	need, byID := map[string]bool{}, map[string]string{}
	for _, in := range insts {
		byID[in.ID] = in.ImageID
		if in.State != StateTerminated {
			need[in.ImageID] = true
		}
	}
	jobs, err := store.ListJSON[imageJob](ctx, s.st, prefixImageJob)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		need[byID[j.InstanceID]] = true
	}
	return need, nil
}

// dropTombstone deletes the image's boot files from every pool, then its
// record (only if it is still the same tombstone).
func (s *Service) dropTombstone(ctx context.Context, id string) {
	img, rev, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || img.State != "deregistered" {
		return
	}
	for _, z := range s.cfg.AvailabilityZones {
		pool, ok := s.Pool(z.Name)
		if !ok {
			continue
		}
		for _, f := range []string{img.Kernel, img.Initrd} {
			if f == "" {
				continue
			}
			if err := pool.Delete(ctx, f); err != nil {
				s.log.Warn("garbage collector: image file not deleted", "image", id, "az", z.Name, "file", f, "err", err)
				return
			}
		}
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: prefixImage + id, Delete: true, ExpectRevision: rev}); err != nil {
		s.log.Warn("garbage collector: image tombstone not deleted", "image", id, "err", err)
		return
	}
	s.log.Info("garbage collector: deleted deregistered image no instance needs", "image", id,
		"kernel", img.Kernel, "initrd", img.Initrd)
}
