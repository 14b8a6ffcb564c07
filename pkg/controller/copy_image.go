package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/peer"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// CopyImageRequest is a CopyImage call.
type CopyImageRequest struct {
	SourceRegion, SourceImageID, Name, Description string
	Tags                                           []Tag
	DryRun                                         bool
	// ClientToken makes a retry answer the first call's image.
	ClientToken string
}

// CopyImage copies an AMI within this region (copy_image_local.go) or from
// a peer region: for the latter it records a pending image
// whose devices are pending snapshot copies (pulled like CopySnapshot);
// runImageCopy then pulls the kernel and initrd and makes it available.
func (s *Service) CopyImage(ctx context.Context, req CopyImageRequest) (Image, error) {
	acct, err := account(ctx)
	if err != nil {
		return Image{}, err
	}
	if !ids.Valid(ids.Image, req.SourceImageID) {
		return Image{}, ec2err.New(ec2err.InvalidAMIIDMalformed, "Invalid id: \"%s\" (expecting \"ami-...\")", req.SourceImageID)
	}
	if req.Name == "" {
		return Image{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter name")
	}
	if err := validAMIName(req.Name); err != nil {
		return Image{}, err
	}
	if err := validateTags(req.Tags); err != nil {
		return Image{}, err
	}
	if img, done, err := s.replayCopy(ctx, acct, req); done || err != nil {
		return img, err
	}
	if req.SourceRegion == "" || req.SourceRegion == s.cfg.Region {
		return s.copyLocalImage(ctx, acct, req)
	}
	src, err := s.describePeerImage(ctx, acct, req.SourceRegion, req.SourceImageID)
	if err != nil {
		return Image{}, err
	}
	if err := s.checkImageName(ctx, acct, req.Name); err != nil {
		return Image{}, err
	}
	if req.DryRun {
		return Image{}, DryRun()
	}
	img, snaps := s.newImageCopy(acct, req, src)
	release, err := s.admitImage(ctx, acct, len(snaps))
	if err != nil {
		return Image{}, err
	}
	defer release()
	ops := make([]store.Op, 0, len(snaps)+1)
	for _, sn := range snaps {
		op, _ := store.PutJSON(prefixSnapshot+sn.ID, sn, 0)
		ops = append(ops, op)
	}
	op, _ := store.PutJSON(prefixImage+img.ID, img, 0)
	ops = append(ops, copyTokenOps(acct, req, img.ID)...)
	if _, err := s.st.Txn(ctx, append(ops, op)...); err != nil {
		return Image{}, fmt.Errorf("copy image %s: %w", req.SourceImageID, err)
	}
	s.Kick()
	return img, nil
}

// newImageCopy makes the pending image and one pending snapshot copy per
// EBS device of the source image.
func (s *Service) newImageCopy(acct string, req CopyImageRequest, src peer.Image) (Image, []Snapshot) {
	az := s.cfg.AvailabilityZones[0].Name
	img := Image{ID: ids.New(ids.Image), Owner: acct, Name: req.Name, State: "pending",
		Description:  firstNonEmpty(req.Description, src.Description),
		Architecture: src.Architecture, BootMode: src.BootMode, Cmdline: src.KernelCommandLine,
		RootDeviceName: src.RootDeviceName, CreationDate: s.now().UTC(), Tags: req.Tags, AZ: az,
		Location: req.SourceRegion + "/" + req.SourceImageID, SourceRegion: req.SourceRegion, SourceImageID: req.SourceImageID}
	var snaps []Snapshot
	for _, d := range src.Devices {
		sn := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct, VolumeID: "vol-ffffffff", AZ: az, State: "pending",
			Progress: "0%", SizeGiB: d.SizeGiB, StartTime: img.CreationDate,
			Description:  fmt.Sprintf("Copied for DestinationAmi %s from SourceAmi %s for SourceSnapshot %s", img.ID, req.SourceImageID, d.SnapshotID),
			SourceRegion: req.SourceRegion, SourceSnapshotID: d.SnapshotID}
		snaps = append(snaps, sn)
		img.Devices = append(img.Devices, ImageDevice{DeviceName: d.DeviceName, SnapshotID: sn.ID, SizeGiB: d.SizeGiB,
			VolumeType: firstNonEmpty(d.VolumeType, "gp3"), DeleteOnTermination: d.DeleteOnTermination})
	}
	return img, snaps
}

func (s *Service) describePeerImage(ctx context.Context, acct, region, id string) (peer.Image, error) {
	p, err := s.dialPeer(ctx, region, acct)
	if err != nil {
		return peer.Image{}, err
	}
	defer p.Close()
	return p.Image(ctx, id)
}

// imageCopyHooks registers the sweep of the image copies in flight.
func (s *Service) imageCopyHooks(h *hooks) { h.sweep("image-copies", s.reconcileImageCopies) }

func (s *Service) reconcileImageCopies(ctx context.Context) {
	imgs, err := store.ListJSON[Image](ctx, s.st, prefixImage)
	if err != nil {
		return
	}
	for _, img := range imgs {
		if img.State == "pending" && img.SourceImageID != "" {
			go s.runImageCopy(ctx, img.ID)
		}
	}
}

// runImageCopy completes a pending image copy once its snapshot copies
// are done: it pulls the kernel and initrd, then makes it available.
func (s *Service) runImageCopy(ctx context.Context, id string) {
	unlock, ok := s.lockResource(id)
	if !ok {
		return
	}
	defer unlock()
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || img.State != "pending" {
		return
	}
	for _, d := range img.Devices {
		sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+d.SnapshotID)
		switch {
		case err != nil || sn.State == "error":
			s.settleImageCopy(ctx, id, "failed", fmt.Sprintf("copy of snapshot %s failed: %s", d.SnapshotID, sn.Message))
			return
		case sn.State != "completed":
			return // the snapshot copy is still running
		}
	}
	if err := s.pullImageFiles(ctx, &img); err != nil {
		if permanent(err) || s.now().Sub(img.CreationDate) > copyDeadline {
			s.settleImageCopy(ctx, id, "failed", err.Error())
			return
		}
		s.log.Warn("image copy: will retry", "image", id, "err", err)
		return
	}
	_, err = update(ctx, s.st, prefixImage+id, func(r *Image) error {
		r.Kernel, r.Initrd, r.State = img.Kernel, img.Initrd, "available"
		return nil
	})
	if err == nil {
		s.log.Info("image copied", "image", id, "source", img.SourceImageID, "region", img.SourceRegion)
	}
}

// pullImageFiles brings a direct-kernel image's kernel and initrd, named
// after the new image.
func (s *Service) pullImageFiles(ctx context.Context, img *Image) error {
	if img.BootMode != "direct-kernel" {
		return nil
	}
	ctx, cancel := pullCtx(ctx)
	defer cancel()
	pool, _ := s.Pool(img.AZ)
	p, err := s.dialPeer(ctx, img.SourceRegion, img.Owner)
	if err != nil {
		return err
	}
	defer p.Close()
	names := map[string]string{"kernel": img.ID + ".vmlinuz", "initrd": img.ID + ".initrd"}
	r := &peer.Receiver{Pool: pool, Rename: func(_, kind string) string { return names[kind] }}
	if err := p.PullImageFiles(ctx, img.SourceImageID, r); err != nil {
		return err
	}
	img.Kernel, img.Initrd = names["kernel"], names["initrd"]
	for _, f := range []string{img.Kernel, img.Initrd} {
		if !exists(pool, f) {
			return fmt.Errorf("source sent no %s", f)
		}
	}
	return nil
}

func (s *Service) settleImageCopy(ctx context.Context, id, state, reason string) {
	_, _ = update(ctx, s.st, prefixImage+id, func(r *Image) error { r.State, r.StateReason = state, reason; return nil })
	s.log.Warn("image copy failed", "image", id, "reason", reason)
}
