package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// copyLocalImage copies an AMI the caller may launch within this region,
// as EC2 does: a new image of the caller's, private, with a copy of each
// of its snapshots (sharing their immutable layers) and its own kernel and
// initrd files, so that it outlives the source.
func (s *Service) copyLocalImage(ctx context.Context, acct string, req CopyImageRequest) (Image, error) {
	src, err := s.launchableImage(ctx, acct, req.SourceImageID)
	if err != nil {
		return Image{}, err
	}
	if err := s.checkImageName(ctx, acct, req.Name); err != nil {
		return Image{}, err
	}
	if req.DryRun {
		return Image{}, DryRun()
	}
	img := src
	img.ID, img.Owner, img.Name, img.Public, img.LaunchAccounts = ids.New(ids.Image), acct, req.Name, false, nil
	img.Description = firstNonEmpty(req.Description, src.Description)
	img.CreationDate, img.Tags, img.Location = s.now().UTC(), req.Tags, s.cfg.Region+"/"+src.ID
	img.Devices = nil
	// made by CopyImage, never launched yet
	img.SourceInstanceID, img.LastLaunchedTime = "", time.Time{}
	// the source owner's lifecycle settings are not the copy's (as EC2)
	img.Protection, img.ProtectedUntil, img.DeprecationTime = "", time.Time{}, time.Time{}
	snapshots := 0
	for _, d := range src.Devices {
		if d.SnapshotID != "" {
			snapshots++
		}
	}
	// admitted before any file is duplicated, so a refusal leaves none
	release, err := s.admitImage(ctx, acct, snapshots)
	if err != nil {
		return Image{}, err
	}
	defer release()
	var ops []store.Op
	for _, d := range src.Devices {
		if d.SnapshotID != "" {
			sn, err := s.localSnapshotCopy(ctx, acct, d.SnapshotID, img, src.ID)
			if err != nil {
				return Image{}, err
			}
			op, _ := store.PutJSON(prefixSnapshot+sn.ID, sn, store.MustNotExist)
			ops = append(ops, op)
			d.SnapshotID = sn.ID
		}
		img.Devices = append(img.Devices, d)
	}
	if err := s.duplicateBootFiles(ctx, &img, src); err != nil {
		return Image{}, err
	}
	op, _ := store.PutJSON(prefixImage+img.ID, img, store.MustNotExist)
	ops = append(ops, copyTokenOps(acct, req, img.ID)...)
	if _, err := s.st.Txn(ctx, append(ops, op)...); err != nil {
		return Image{}, fmt.Errorf("copy image %s: %w", src.ID, err)
	}
	s.log.Info("image copied", "image", img.ID, "source", src.ID, "account", acct)
	return img, nil
}

// localSnapshotCopy is a new snapshot record of the caller's over the same
// layers as snapshot id (an image's snapshot: the image's launch
// permission is what lets the caller copy it, as in EC2).
func (s *Service) localSnapshotCopy(ctx context.Context, acct, id string, img Image, srcImage string) (Snapshot, error) {
	sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+id)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot %s of %s: %w", id, srcImage, err)
	}
	sn = privateCopy(sn, acct)
	sn.ID, sn.StartTime, sn.Tags = ids.New(ids.Snapshot), img.CreationDate, nil
	sn.CompletionTime = sn.StartTime // it shares the source's layers: complete at once
	sn.Description = fmt.Sprintf("Copied for DestinationAmi %s from SourceAmi %s for SourceSnapshot %s", img.ID, srcImage, id)
	return sn, nil
}

// duplicateBootFiles gives a direct-kernel copy its own kernel and initrd
// in every pool holding the source's (a deregistered source's files go).
func (s *Service) duplicateBootFiles(ctx context.Context, img *Image, src Image) error {
	if src.Kernel == "" && src.Initrd == "" {
		return nil
	}
	img.Kernel, img.Initrd = img.ID+".vmlinuz", img.ID+".initrd"
	for _, z := range s.cfg.AvailabilityZones {
		pool, ok := s.Pool(z.Name)
		if !ok {
			continue
		}
		for from, to := range map[string]string{src.Kernel: img.Kernel, src.Initrd: img.Initrd} {
			if from == "" || !exists(pool, from) {
				continue
			}
			if err := pool.Duplicate(ctx, from, to); err != nil {
				return fmt.Errorf("copy image %s: %w", src.ID, err)
			}
		}
	}
	return nil
}
