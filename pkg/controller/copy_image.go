package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CopyImageRequest is a CopyImage call.
type CopyImageRequest struct {
	SourceRegion, SourceImageID, Name, Description string
	Tags                                           []Tag
	DryRun                                         bool
}

// CopyImage copies an AMI from a peer region: it records a pending image
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
	if req.SourceRegion == s.cfg.Region {
		return Image{}, ec2err.New(ec2err.InvalidParameterValue, "ec2lab copies images between regions only.")
	}
	src, err := s.describePeerImage(ctx, req.SourceRegion, req.SourceImageID)
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
	ops := make([]store.Op, 0, len(snaps)+1)
	for _, sn := range snaps {
		op, _ := store.PutJSON(prefixSnapshot+sn.ID, sn, 0)
		ops = append(ops, op)
	}
	op, _ := store.PutJSON(prefixImage+img.ID, img, 0)
	if _, err := s.st.Txn(ctx, append(ops, op)...); err != nil {
		return Image{}, fmt.Errorf("copy image %s: %w", req.SourceImageID, err)
	}
	s.Kick()
	return img, nil
}

// newImageCopy makes the pending image and one pending snapshot copy per
// EBS device of the source image.
func (s *Service) newImageCopy(acct string, req CopyImageRequest, src *ec2labv1.Image) (Image, []Snapshot) {
	az := s.cfg.AvailabilityZones[0].Name
	img := Image{ID: ids.New(ids.Image), Owner: acct, Name: req.Name, State: "pending",
		Description:  firstNonEmpty(req.Description, src.GetDescription()),
		Architecture: src.GetArchitecture(), BootMode: src.GetBootMode(), Cmdline: src.GetKernelCommandLine(),
		RootDeviceName: src.GetRootDeviceName(), CreationDate: s.now().UTC(), Tags: req.Tags, AZ: az,
		Location: req.SourceRegion + "/" + req.SourceImageID, SourceRegion: req.SourceRegion, SourceImageID: req.SourceImageID}
	var snaps []Snapshot
	for _, m := range src.GetBlockDeviceMappings() {
		e := m.GetEbs()
		if e.GetSnapshotId() == "" {
			continue
		}
		sn := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct, VolumeID: "vol-ffffffff", AZ: az, State: "pending",
			Progress: "0%", SizeGiB: e.GetVolumeSize(), StartTime: img.CreationDate,
			Description:  fmt.Sprintf("Copied for DestinationAmi %s from SourceAmi %s for SourceSnapshot %s", img.ID, req.SourceImageID, e.GetSnapshotId()),
			SourceRegion: req.SourceRegion, SourceSnapshotID: e.GetSnapshotId()}
		snaps = append(snaps, sn)
		img.Devices = append(img.Devices, ImageDevice{DeviceName: m.GetDeviceName(), SnapshotID: sn.ID, SizeGiB: e.GetVolumeSize(),
			VolumeType: firstNonEmpty(e.GetVolumeType(), "gp3"), DeleteOnTermination: e.GetDeleteOnTermination()})
	}
	return img, snaps
}

func (s *Service) describePeerImage(ctx context.Context, region, id string) (*ec2labv1.Image, error) {
	if _, err := s.peerRegion(region); err != nil {
		return nil, err
	}
	peer, closePeer, err := s.dialPeer(ctx, region)
	if err != nil {
		return nil, err
	}
	defer closePeer()
	res, err := peer.DescribeImages(ctx, &ec2labv1.DescribeImagesRequest{ImageIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(res.GetImages()) != 1 || res.GetImages()[0].GetState() != "available" {
		return nil, imageNotFound(id)
	}
	return res.GetImages()[0], nil
}

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
	peer, closePeer, err := s.dialPeer(ctx, img.SourceRegion)
	if err != nil {
		return err
	}
	defer closePeer()
	stream, err := peer.GetImageFiles(ctx, &ec2labv1.GetImageFilesRequest{ImageId: img.SourceImageID})
	if err != nil {
		return err
	}
	names := map[string]string{"kernel": img.ID + ".vmlinuz", "initrd": img.ID + ".initrd"}
	r := &receiver{pool: pool, rename: func(c *ec2labv1.LayerChunk) string { return names[c.GetKind()] }}
	if err := r.receive(stream); err != nil {
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
