package controller

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// copyDeadline fails a cross-region copy still failing after this long.
const copyDeadline = 30 * time.Minute

// CopySnapshotRequest is a CopySnapshot call.
type CopySnapshotRequest struct {
	SourceRegion, SourceSnapshotID, Description string
	Encrypted, DryRun                           bool
	Tags                                        []Tag
}

// CopySnapshot copies a snapshot into this region. From a peer region it
// records a pending snapshot that runSnapshotCopy pulls, layer by layer,
// into the first zone's pool; within the region the copy shares the
// (immutable) layer chain.
func (s *Service) CopySnapshot(ctx context.Context, req CopySnapshotRequest) (Snapshot, error) {
	acct, err := account(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	if !ids.Valid(ids.Snapshot, req.SourceSnapshotID) {
		return Snapshot{}, ec2err.New("InvalidSnapshotID.Malformed", "Invalid id: \"%s\" (expecting \"snap-...\")", req.SourceSnapshotID)
	}
	if err := validateTags(req.Tags); err != nil {
		return Snapshot{}, err
	}
	if req.Encrypted {
		return Snapshot{}, ec2err.New(ec2err.InvalidParameterValue, "ec2lab cannot encrypt snapshot copies yet.")
	}
	if req.SourceRegion == "" || req.SourceRegion == s.cfg.Region {
		return s.copyLocalSnapshot(ctx, acct, req)
	}
	src, err := s.describePeerSnapshot(ctx, req.SourceRegion, req.SourceSnapshotID)
	if err != nil {
		return Snapshot{}, err
	}
	if req.DryRun {
		return Snapshot{}, DryRun()
	}
	sn := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct, VolumeID: "vol-ffffffff", AZ: s.cfg.AvailabilityZones[0].Name,
		State: "pending", Progress: "0%", SizeGiB: src.GetVolumeSize(), StartTime: s.now().UTC(), Tags: req.Tags,
		Description:  firstNonEmpty(req.Description, fmt.Sprintf("[Copied %s from %s]", req.SourceSnapshotID, req.SourceRegion)),
		SourceRegion: req.SourceRegion, SourceSnapshotID: req.SourceSnapshotID}
	if err := put(ctx, s.st, prefixSnapshot+sn.ID, sn); err != nil {
		return Snapshot{}, err
	}
	s.Kick()
	return sn, nil
}

func (s *Service) copyLocalSnapshot(ctx context.Context, acct string, req CopySnapshotRequest) (Snapshot, error) {
	src, err := s.visibleSnapshot(ctx, acct, req.SourceSnapshotID)
	if err != nil {
		return Snapshot{}, err
	}
	if src.State != "completed" || src.Encrypted {
		return Snapshot{}, ec2err.New(ec2err.IncorrectState, "Snapshot %s cannot be copied (state %s).", src.ID, src.State)
	}
	if req.DryRun {
		return Snapshot{}, DryRun()
	}
	sn := src
	sn.ID, sn.Owner, sn.StartTime, sn.Tags = ids.New(ids.Snapshot), acct, s.now().UTC(), req.Tags
	sn.Description = firstNonEmpty(req.Description, fmt.Sprintf("[Copied %s from %s]", src.ID, s.cfg.Region))
	return sn, put(ctx, s.st, prefixSnapshot+sn.ID, sn)
}

func (s *Service) describePeerSnapshot(ctx context.Context, region, id string) (*ec2labv1.Snapshot, error) {
	peer, closePeer, err := s.dialPeer(ctx, region)
	if err != nil {
		return nil, err
	}
	defer closePeer()
	res, err := peer.DescribeSnapshots(ctx, &ec2labv1.DescribeSnapshotsRequest{SnapshotIds: []string{id}})
	if err != nil {
		return nil, ec2err.FromGRPC(err)
	}
	if len(res.GetSnapshots()) != 1 {
		return nil, ec2err.New("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
	}
	return res.GetSnapshots()[0], nil
}

// runSnapshotCopy pulls a pending cross-region copy. Errors the source
// answers (not found, not allowed) fail the copy; others are retried by the
// next reconcile until copyDeadline.
func (s *Service) runSnapshotCopy(ctx context.Context, id string) {
	unlock, ok := s.lockResource(id)
	if !ok {
		return
	}
	defer unlock()
	sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+id)
	if err != nil || sn.State != "pending" {
		return
	}
	top, moved, err := s.pullSnapshot(ctx, sn)
	if err != nil {
		if permanent(err) || s.now().Sub(sn.StartTime) > copyDeadline {
			s.failSnapshot(ctx, id, err.Error())
			s.log.Warn("snapshot copy failed", "snapshot", id, "source", sn.SourceSnapshotID, "err", err)
			return
		}
		s.log.Warn("snapshot copy: will retry", "snapshot", id, "source", sn.SourceSnapshotID, "err", err)
		return
	}
	pool, _ := s.Pool(sn.AZ)
	stored := int64(0)
	if fi, err := os.Stat(pool.Path(top)); err == nil {
		stored = fi.Size()
	}
	_, err = update(ctx, s.st, prefixSnapshot+id, func(r *Snapshot) error {
		r.Layer, r.State, r.Progress, r.StoredBytes, r.CopiedBytes = top, "completed", "100%", stored, moved
		return nil
	})
	if err != nil {
		s.log.Warn("snapshot copy: record", "snapshot", id, "err", err)
		return
	}
	s.log.Info("snapshot copied", "snapshot", id, "source", sn.SourceSnapshotID, "region", sn.SourceRegion,
		"layer", top, "copied_bytes", moved)
	s.Kick() // an image copy may be waiting for it
}

// pullSnapshot brings the source chain's missing layers into sn's pool
// and returns the top layer's name and the bytes moved.
func (s *Service) pullSnapshot(ctx context.Context, sn Snapshot) (string, int64, error) {
	ctx, cancel := pullCtx(ctx)
	defer cancel()
	pool, ok := s.Pool(sn.AZ)
	if !ok {
		return "", 0, fmt.Errorf("no pool for %s", sn.AZ)
	}
	have, err := s.frozenLayers(ctx, sn.AZ, pool)
	if err != nil {
		return "", 0, err
	}
	peer, closePeer, err := s.dialPeer(ctx, sn.SourceRegion)
	if err != nil {
		return "", 0, err
	}
	defer closePeer()
	req := &ec2labv1.GetSnapshotLayersRequest{SnapshotId: sn.SourceSnapshotID}
	for sum := range have {
		req.HaveSha256 = append(req.HaveSha256, sum)
	}
	stream, err := peer.GetSnapshotLayers(ctx, req)
	if err != nil {
		return "", 0, ec2err.FromGRPC(err)
	}
	r := &receiver{pool: pool, have: have, rename: func(c *ec2labv1.LayerChunk) string { return c.GetLayerName() }}
	if err := r.receive(stream); err != nil {
		return "", r.bytes, ec2err.FromGRPC(err)
	}
	if len(r.files) == 0 {
		return "", r.bytes, fmt.Errorf("source sent no layers")
	}
	top := r.files[len(r.files)-1]
	if _, err := pool.Info(ctx, top); err != nil {
		return "", r.bytes, fmt.Errorf("copied chain of %s: %w", top, err)
	}
	return top, r.bytes, nil
}

// permanent reports an EC2 error the source answered (retrying won't help).
func permanent(err error) bool {
	e, ok := ec2err.As(err)
	return ok && e.Code != ec2err.InternalError
}
