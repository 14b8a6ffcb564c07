package controller

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// imageJobDeadline bounds a CreateImage: past it, a job still failing is
// settled as a failed image.
const imageJobDeadline = 10 * time.Minute

// jobFailure is an error that retrying cannot cure: the image fails.
type jobFailure struct{ reason string }

func (f jobFailure) Error() string { return f.reason }

func failJob(format string, a ...any) error { return jobFailure{fmt.Sprintf(format, a...)} }

// imageHooks registers the sweep of the CreateImage jobs, the collector
// of image tombstones (gc_images.go) and the images' tags.
func (s *Service) imageHooks(h *hooks) {
	h.sweep("images", s.reconcileImages)
	h.collector("image-tombstones", s.collectTombstones)
	h.tags(recordTags(s, ids.Image, "image", prefixImage, func(r *Image) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags }))
}

// reconcileImages resumes every CreateImage in flight.
func (s *Service) reconcileImages(ctx context.Context) {
	jobs, err := store.ListJSON[imageJob](ctx, s.st, prefixImageJob)
	if err != nil {
		return
	}
	for _, j := range jobs {
		go s.runImageJob(ctx, j.ImageID)
	}
}

// runImageJob advances one CreateImage as far as it can; a transient error
// leaves the job for the next reconcile round.
func (s *Service) runImageJob(parent context.Context, id string) {
	unlock, ok := s.lockResource(id)
	if !ok {
		return
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(parent, imageJobDeadline)
	defer cancel()
	job, _, err := store.GetJSON[imageJob](ctx, s.st, prefixImageJob+id)
	if err != nil {
		return
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || img.State != "pending" {
		s.settleImage(ctx, job, nil) // deregistered meanwhile: only the job goes
		return
	}
	err = s.imageFromInstance(ctx, &job, &img)
	var fail jobFailure
	switch {
	case err == nil:
		img.State = "available"
	case errors.As(err, &fail) || s.now().Sub(img.CreationDate) > imageJobDeadline:
		img.State, img.StateReason = "failed", err.Error()
	default:
		s.log.Warn("create image: will retry", "image", id, "instance", job.InstanceID, "err", err)
		return
	}
	s.settleImage(ctx, job, &img)
}

// imageFromInstance stops the instance (unless NoReboot), snapshots each
// of its volumes and fills in the image's mappings and boot files.
func (s *Service) imageFromInstance(ctx context.Context, job *imageJob, img *Image) error {
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+job.InstanceID)
	if err != nil || in.State == StateTerminated || in.State == StateShuttingDown {
		return failJob("Instance %s was terminated before its image was taken", job.InstanceID)
	}
	if !job.NoReboot && job.Snapshots == nil {
		if err := s.stopForImage(ctx, job, in); err != nil {
			return err
		}
	}
	if job.Snapshots == nil {
		if err := s.recordImageSnapshots(ctx, job, in); err != nil {
			return err
		}
	}
	img.Devices = nil
	for _, bd := range in.BlockDevices {
		sn, err := s.snapshotNow(ctx, job.Snapshots[bd.DeviceName])
		if err != nil {
			return err
		}
		img.Devices = append(img.Devices, ImageDevice{DeviceName: bd.DeviceName, SnapshotID: sn.ID, SizeGiB: sn.SizeGiB,
			VolumeType: volumeTypeOf(ctx, s, bd.VolumeID), DeleteOnTermination: bd.DeleteOnTermination})
	}
	return s.inheritBootFiles(ctx, in, img)
}

// stopForImage stops a running instance cleanly (as StopInstances does)
// and waits until it is stopped.
func (s *Service) stopForImage(ctx context.Context, job *imageJob, in Instance) error {
	if in.State == StateRunning || in.State == StatePending {
		job.Restart = true
		if err := s.saveImageJob(ctx, *job); err != nil {
			return err
		}
		if _, err := s.move(ctx, in.ID, stopT, nil); err != nil {
			return err
		}
		s.Kick()
	} else if in.State == StateStopped {
		return nil
	}
	deadline := time.Now().Add(s.cfg.StopTimeout.Duration + time.Minute)
	for time.Now().Before(deadline) {
		cur, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+in.ID)
		switch {
		case err != nil:
			return err
		case cur.State == StateStopped:
			return nil
		case cur.State == StateTerminated || cur.State == StateShuttingDown:
			return failJob("Instance %s was terminated before its image was taken", in.ID)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
	return fmt.Errorf("instance %s did not stop in time", in.ID)
}

// recordImageSnapshots records a pending snapshot of every volume of the
// instance, with the job naming them, in one transaction.
func (s *Service) recordImageSnapshots(ctx context.Context, job *imageJob, in Instance) error {
	job.Snapshots = map[string]string{}
	var ops []store.Op
	for _, bd := range in.BlockDevices {
		v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+bd.VolumeID)
		if err != nil {
			return failJob("volume %s of %s: %v", bd.VolumeID, in.ID, err)
		}
		sn := Snapshot{ID: ids.New(ids.Snapshot), Owner: in.Owner, VolumeID: v.ID, AZ: v.AZ, State: "pending",
			Progress: "0%", SizeGiB: v.SizeGiB, Encrypted: v.Encrypted, KeyCipher: v.KeyCipher, StartTime: s.now().UTC(), Tags: job.SnapshotTags,
			Description: fmt.Sprintf("Created by CreateImage(%s) for %s from %s", in.ID, job.ImageID, v.ID)}
		op, _ := store.PutJSON(prefixSnapshot+sn.ID, sn, 0)
		ops = append(ops, op)
		job.Snapshots[bd.DeviceName] = sn.ID
	}
	jop, _ := store.PutJSON(prefixImageJob+job.ImageID, *job, -1)
	if _, err := s.st.Txn(ctx, append(ops, jop)...); err != nil {
		job.Snapshots = nil
		return fmt.Errorf("record snapshots of %s: %w", in.ID, err)
	}
	return nil
}

// snapshotNow freezes a pending snapshot (or waits for the reconciler that
// is freezing it) and returns it completed.
func (s *Service) snapshotNow(ctx context.Context, id string) (Snapshot, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		s.takeSnapshot(ctx, id)
		sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+id)
		switch {
		case err != nil:
			return sn, failJob("snapshot %s vanished", id)
		case sn.State == "completed":
			return sn, nil
		case sn.State == "error":
			return sn, failJob("snapshot %s failed: %s", id, sn.Message)
		case time.Now().After(deadline):
			return sn, fmt.Errorf("snapshot %s still pending", id)
		}
		select {
		case <-ctx.Done():
			return sn, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func volumeTypeOf(ctx context.Context, s *Service, id string) string {
	v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+id)
	if err != nil || v.Type == "" {
		return "gp3"
	}
	return v.Type
}

// inheritBootFiles gives a direct-kernel image its own kernel and initrd in
// the instance's pool, linked from the source image's (both immutable).
func (s *Service) inheritBootFiles(ctx context.Context, in Instance, img *Image) error {
	if img.BootMode != "direct-kernel" {
		return nil
	}
	src, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+in.ImageID)
	if err != nil {
		return failJob("source image %s of %s is gone: its kernel and initrd are unknown", in.ImageID, in.ID)
	}
	if err := s.ensureFiles(ctx, src, in.AZ); err != nil {
		return err
	}
	pool, ok := s.Pool(in.AZ)
	if !ok {
		return failJob("no storage pool for %s", in.AZ)
	}
	img.Kernel, img.Initrd = img.ID+".vmlinuz", img.ID+".initrd"
	for from, to := range map[string]string{src.Kernel: img.Kernel, src.Initrd: img.Initrd} {
		if exists(pool, to) {
			continue
		}
		if err := os.Link(pool.Path(from), pool.Path(to)); err != nil {
			if err := copyFile(pool.Path(from), pool.Path(to)); err != nil {
				return fmt.Errorf("image %s: boot file %s: %w", img.ID, to, err)
			}
		}
	}
	return nil
}

func (s *Service) saveImageJob(ctx context.Context, job imageJob) error {
	op, _ := store.PutJSON(prefixImageJob+job.ImageID, job, -1)
	_, err := s.st.Txn(ctx, op)
	return err
}

// settleImage ends a job: the instance it stopped starts again, the image
// (when given) is written in its final state and the job record goes.
func (s *Service) settleImage(ctx context.Context, job imageJob, img *Image) {
	if job.Restart {
		if _, err := s.move(ctx, job.InstanceID, startT, nil); err != nil {
			s.log.Warn("create image: restart instance", "instance", job.InstanceID, "err", err)
		}
		s.Kick()
	}
	if img != nil {
		final := *img
		_, err := update(ctx, s.st, prefixImage+img.ID, func(r *Image) error {
			if r.State != "pending" {
				return errors.New("image left pending meanwhile")
			}
			tags := r.Tags // tags may have changed meanwhile
			*r = final
			r.Tags = tags
			return nil
		})
		if err == nil {
			s.log.Info("image created", "image", img.ID, "state", img.State, "reason", img.StateReason,
				"instance", job.InstanceID, "devices", len(img.Devices))
		}
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: prefixImageJob + job.ImageID, Delete: true, ExpectRevision: -1}); err != nil {
		s.log.Error("create image: drop job", "image", job.ImageID, "err", err)
	}
}
