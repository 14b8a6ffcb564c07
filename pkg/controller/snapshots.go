package controller

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/crashpoint"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// CreateSnapshot records a pending snapshot of a volume; the reconciler
// freezes the volume's head as the snapshot's layer (live when attached to
// a running instance) and gives the volume a new head.
func (s *Service) CreateSnapshot(ctx context.Context, volID, description string, tags []Tag, dryRun bool) (Snapshot, error) {
	acct, err := account(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	v, err := s.ownedVolume(ctx, acct, volID)
	if err != nil {
		return Snapshot{}, err
	}
	if v.State != "available" && v.State != "in-use" {
		return Snapshot{}, ec2err.New(ec2err.IncorrectState, "Volume '%s' is in the '%s' state.", volID, v.State)
	}
	if err := validateTags(tags); err != nil {
		return Snapshot{}, err
	}
	if dryRun {
		return Snapshot{}, DryRun()
	}
	release, err := s.admit(ctx, acct, QuotaSnapshots, "", 1, s.countSnapshots(acct))
	if err != nil {
		return Snapshot{}, err
	}
	defer release()
	snap := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct, VolumeID: volID, AZ: v.AZ, State: "pending", Progress: "0%",
		SizeGiB: v.SizeGiB, Encrypted: v.Encrypted, KeyCipher: v.KeyCipher, Description: description, StartTime: s.now().UTC(), Tags: tags}
	op, _ := store.PutJSON(prefixSnapshot+snap.ID, snap, 0)
	if _, err := s.st.Txn(ctx, op); err != nil {
		return Snapshot{}, err
	}
	s.Kick()
	return snap, nil
}

// snapshotHooks registers the snapshots' sweep and their tags.
func (s *Service) snapshotHooks(h *hooks) {
	h.sweep("snapshots", s.reconcileSnapshots)
	h.tags(recordTags(s, ids.Snapshot, "snapshot", prefixSnapshot, func(r *Snapshot) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags }))
}

func (s *Service) reconcileSnapshots(ctx context.Context) {
	snaps, err := store.ListJSON[Snapshot](ctx, s.st, prefixSnapshot)
	if err != nil {
		return
	}
	for _, sn := range snaps {
		if sn.State == "pending" && sn.SourceSnapshotID != "" {
			go s.runSnapshotCopy(ctx, sn.ID)
		} else if sn.State == "pending" {
			go s.takeSnapshot(ctx, sn.ID)
		}
	}
}

// takeSnapshot freezes the volume head. The volume is locked meanwhile so a
// second snapshot or a detach waits.
func (s *Service) takeSnapshot(ctx context.Context, id string) {
	unlock, ok := s.lockResource(id)
	if !ok {
		return
	}
	defer unlock()
	sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+id)
	if err != nil || sn.State != "pending" {
		return
	}
	// One snapshot of a volume at a time, and none while the volume is
	// attached, detached or resized: each moves or reads the head.
	unlockVol, ok := s.lockResource(sn.VolumeID)
	if !ok {
		return // the next reconcile retries
	}
	defer unlockVol()
	v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+sn.VolumeID)
	if err != nil {
		s.failSnapshot(ctx, id, "volume vanished")
		return
	}
	if err := s.freeze(ctx, sn, v); err != nil {
		s.log.Warn("snapshot failed, will retry", "snapshot", id, "volume", v.ID, "err", err)
	}
}

func (s *Service) freeze(ctx context.Context, sn Snapshot, v Volume) error {
	req := host.VolumeSnapshot{Name: v.Head, SnapshotID: sn.ID}
	var ag host.Host
	var err error
	if v.Attachment != nil {
		in, _, ierr := store.GetJSON[Instance](ctx, s.st, prefixInstance+v.Attachment.InstanceID)
		// A stopped instance's agent repoints its domain to the new head too.
		if ierr == nil && (in.State == StateRunning || in.State == StateStopping || in.State == StateStopped) {
			req.InstanceID, req.Target = in.ID, v.Attachment.Target
			ag, err = s.agent(in.HostID)
		}
	}
	if ag == nil && err == nil {
		_, ag, err = s.agentForZone(ctx, v.AZ)
	}
	if err != nil {
		return err
	}
	if req.EncryptionKey, err = s.volumeKey(v); err != nil {
		return err
	}
	res, err := ag.SnapshotVolume(ctx, req)
	if err != nil {
		return fmt.Errorf("snapshot %s of %s: %w", sn.ID, v.ID, err)
	}
	crashpoint.Hit("snapshot-frozen") // the agent is done, the record not yet
	sn.Layer, sn.StoredBytes, sn.State, sn.Progress = res.Layer, res.StoredBytes, "completed", "100%"
	sn.CompletionTime = s.now().UTC()
	if err := s.recordFreeze(ctx, v.ID, res.Head, sn); err != nil {
		return fmt.Errorf("snapshot %s of %s: record: %w", sn.ID, v.ID, err)
	}
	s.log.Info("snapshot completed", "snapshot", sn.ID, "volume", v.ID, "layer", sn.Layer, "live", req.InstanceID != "", "stored_bytes", sn.StoredBytes)
	return nil
}

// recordFreeze moves the volume to its new head and completes the snapshot
// in one transaction, re-reading the volume on conflicts so a concurrent
// change (a tag, an attachment) is kept.
func (s *Service) recordFreeze(ctx context.Context, volID, head string, sn Snapshot) error {
	for attempt := 0; ; attempt++ {
		v, rev, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+volID)
		if err != nil {
			return err
		}
		v.Head, v.Generation = head, v.Generation+1
		vop, err := store.PutJSON(prefixVolume+volID, v, rev)
		if err != nil {
			return err
		}
		sop, err := store.PutJSON(prefixSnapshot+sn.ID, sn, -1)
		if err != nil {
			return err
		}
		if _, err = s.st.Txn(ctx, vop, sop); err == nil || !errors.Is(err, store.ErrConflict) || attempt > 50 {
			return err
		}
	}
}

func (s *Service) failSnapshot(ctx context.Context, id, msg string) {
	_, _ = update(ctx, s.st, prefixSnapshot+id, func(r *Snapshot) error { r.State, r.Message = "error", msg; return nil })
}

// SnapshotQuery is DescribeSnapshots' input: Owners and RestorableBy
// narrow what the caller may see (its own, public and shared snapshots).
type SnapshotQuery struct {
	IDs, Owners, RestorableBy []string
	Filters                   []Filter
	Page                      Page
}

// DescribeSnapshots lists the snapshots the caller may create volumes
// from: its own, public ones and those shared with it (without their
// owners' tags).
func (s *Service) DescribeSnapshots(ctx context.Context, q SnapshotQuery) ([]Snapshot, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(q.Page, len(q.IDs) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	if err := checkUserIDs(q.RestorableBy, "self", "all"); err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[Snapshot](ctx, s.st, prefixSnapshot)
	if err != nil {
		return nil, "", err
	}
	for i := range all {
		all[i] = snapshotViewFor(all[i], acct)
	}
	return selectPage(all, selection[Snapshot]{IDs: q.IDs, Filters: q.Filters, Page: q.Page,
		ID: func(sn Snapshot) string { return sn.ID }, Field: snapshotField,
		Keep: func(sn Snapshot) bool { return snapshotVisible(sn, acct) },
		Narrow: func(sn Snapshot) bool {
			return ownerWanted(q.Owners, sn.Owner, acct) && restorableBy(sn, q.RestorableBy, acct)
		},
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidSnapshotNotFound, "The snapshot '%s' does not exist.", id)
		}})
}

func snapshotField(sn Snapshot, name string) ([]string, bool) {
	switch name {
	case "snapshot-id":
		return []string{sn.ID}, true
	case "volume-id":
		return []string{sn.VolumeID}, true
	case "status":
		return []string{sn.State}, true
	case "owner-id":
		return []string{sn.Owner}, true
	case "description":
		return []string{sn.Description}, true
	case "volume-size":
		return []string{strconv.Itoa(int(sn.SizeGiB))}, true
	case "encrypted":
		return []string{strconv.FormatBool(sn.Encrypted)}, true
	}
	return tagField(sn.Tags, name)
}

// DeleteSnapshot deletes a snapshot record. Its layer stays while a volume,
// image or later snapshot still builds on it, and is collected after.
func (s *Service) DeleteSnapshot(ctx context.Context, id string, dryRun bool) error {
	sn, err := s.ownedSnapshot(ctx, id)
	if err != nil {
		return err
	}
	imgs, _ := store.ListJSON[Image](ctx, s.st, prefixImage)
	for _, img := range imgs {
		for _, d := range img.Devices {
			if d.SnapshotID == id && img.State != "deregistered" {
				return ec2err.New(ec2err.InvalidSnapshotInUse, "The snapshot %s is currently in use by %s", id, img.ID)
			}
		}
	}
	if sn.State == "pending" {
		return ec2err.New(ec2err.IncorrectState, "Snapshot %s is still pending", id)
	}
	if dryRun {
		return DryRun()
	}
	_, err = s.st.Txn(ctx, store.Op{Key: prefixSnapshot + id, Delete: true, ExpectRevision: -1})
	if err == nil {
		s.log.Info("snapshot deleted", "snapshot", id, "layer", sn.Layer)
	}
	return err
}
