package controller

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// VolumeRequest is CreateVolume's input.
type VolumeRequest struct {
	AZ                string
	SizeGiB           int32
	SnapshotID, Type  string
	IOPS, Throughput  int32
	Encrypted, DryRun bool
	Tags              []Tag
	ClientToken       string
}

// CreateVolume records a new volume (creating); the reconciler makes its
// file in the AZ's pool — an overlay on the snapshot's layer when one is given.
func (s *Service) CreateVolume(ctx context.Context, req VolumeRequest) (Volume, error) {
	acct, err := account(ctx)
	if err != nil {
		return Volume{}, err
	}
	hash := hashOf(req) // of the request as given: a retry gives it again
	if req.ClientToken != "" {
		if rec, _, err := store.GetJSON[idempotencyRecord](ctx, s.st, tokenKey(acct, "CreateVolume", req.ClientToken)); err == nil {
			if rec.ParamsHash != hash {
				return Volume{}, ec2err.New(ec2err.IdempotentParameterMismatch, "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
			}
			v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+rec.ResultIDs[0])
			return v, err
		}
	}
	v, err := s.validateVolume(ctx, acct, &req)
	if err != nil {
		return Volume{}, err
	}
	if req.DryRun {
		return Volume{}, DryRun()
	}
	release, err := s.admitStorage(ctx, acct, v.Type, int64(v.SizeGiB))
	if err != nil {
		return Volume{}, err
	}
	defer release()
	op, _ := store.PutJSON(prefixVolume+v.ID, v, 0)
	ops := []store.Op{op}
	if req.ClientToken != "" {
		ops = append(ops, tokenOp(acct, "CreateVolume", req.ClientToken, hash, []string{v.ID}))
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return Volume{}, err
	}
	s.Kick()
	return v, nil
}

// volumeSizeFrom checks that a volume of size GiB (0: the snapshot's size)
// can be made from snap, and returns its size.
func volumeSizeFrom(snap Snapshot, size int32) (int32, error) {
	if snap.State != "completed" {
		return 0, ec2err.New(ec2err.IncorrectState, "Snapshot %s is not completed (state %s)", snap.ID, snap.State)
	}
	if size == 0 {
		size = snap.SizeGiB
	}
	if size < snap.SizeGiB {
		return 0, ec2err.New(ec2err.InvalidParameterValue, "Volume of size %dGB is smaller than snapshot '%s', expect size >= %dGB", size, snap.ID, snap.SizeGiB)
	}
	return size, nil
}

func (s *Service) validateVolume(ctx context.Context, acct string, req *VolumeRequest) (Volume, error) {
	if req.AZ == "" {
		return Volume{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AvailabilityZone")
	}
	if _, ok := s.cfg.Zone(req.AZ); !ok {
		return Volume{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid availability zone: [%s]", req.AZ)
	}
	if req.Type == "" {
		req.Type = "gp3"
	}
	var keyCipher []byte
	if req.SnapshotID != "" {
		snap, err := s.visibleSnapshot(ctx, acct, req.SnapshotID)
		if err != nil {
			return Volume{}, err
		}
		if req.SizeGiB, err = volumeSizeFrom(snap, req.SizeGiB); err != nil {
			return Volume{}, err
		}
		if snap.Encrypted { // a volume of an encrypted snapshot is encrypted with its key
			req.Encrypted, keyCipher = true, snap.KeyCipher
		}
	} else if req.SizeGiB == 0 {
		return Volume{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter size or snapshotId")
	}
	if !req.Encrypted {
		on, err := s.encryptByDefault(ctx, acct)
		if err != nil {
			return Volume{}, err
		}
		req.Encrypted = on
	}
	if err := checkVolumeShape(req.Type, req.SizeGiB, req.IOPS, req.Throughput); err != nil {
		return Volume{}, err
	}
	if err := validateTags(req.Tags); err != nil {
		return Volume{}, err
	}
	if req.Encrypted && keyCipher == nil {
		k, err := s.newSealedKey()
		if err != nil {
			return Volume{}, err
		}
		keyCipher = k
	}
	v := Volume{ID: ids.New(ids.Volume), Owner: acct, AZ: req.AZ, SizeGiB: req.SizeGiB, Type: req.Type,
		State: "creating", SnapshotID: req.SnapshotID, CreateTime: s.now().UTC(), Tags: req.Tags, ClientToken: req.ClientToken,
		Encrypted: req.Encrypted, KeyCipher: keyCipher}
	applyVolumeDefaults(&v, req.IOPS, req.Throughput)
	v.Head = headName(v.ID, 0)
	return v, nil
}

// volumeHooks registers the volumes' sweep and their tags.
func (s *Service) volumeHooks(h *hooks) {
	h.sweep("volumes", s.reconcileVolumes)
	t := recordTags(s, ids.Volume, "volume", prefixVolume, func(r *Volume) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })
	t.describe = func(ctx context.Context, acct string) (out []TagDescription) {
		vols, _ := s.volumesOf(ctx, acct)
		for _, r := range vols {
			if r.Owner == acct {
				out = t.describeTags(out, r.ID, r.Tags)
			}
		}
		return out
	}
	h.tags(t)
}

// reconcileVolumes makes standalone volumes in state creating real, and
// finishes deletions.
func (s *Service) reconcileVolumes(ctx context.Context) {
	vols, err := s.volumes(ctx)
	if err != nil {
		return
	}
	for _, v := range vols {
		if v.Instance != "" {
			continue // root and launch volumes are made by their instance's launch
		}
		switch v.State {
		case "creating":
			if s.now().Before(v.NextAttempt) {
				continue
			}
			go s.driveVolume(ctx, v.ID, s.createVolume)
		case "deleting":
			go s.driveVolume(ctx, v.ID, s.removeVolume)
		}
	}
}

// maxVolumeAttempts bounds the creates a volume gets, once a host of its
// zone answers, before it goes to state error (as EC2's volumes do).
const maxVolumeAttempts = 6

// createVolume makes a creating volume's file on a host of its zone. A zone
// without a reachable host is retried forever; a host failing the create
// is retried with backoff until maxVolumeAttempts, then the volume is in
// state error (deletable, never attachable).
func (s *Service) createVolume(ctx context.Context, v Volume) error {
	_, ag, err := s.agentForZone(ctx, v.AZ)
	if err != nil {
		return err
	}
	if err := s.materialize(ctx, ag, v); err != nil {
		s.volumeFailed(ctx, v.ID, err)
		return err
	}
	_, err = update(ctx, s.st, prefixVolume+v.ID, func(r *Volume) error {
		if r.State == "creating" {
			r.State, r.Attempts, r.NextAttempt, r.Failure = "available", 0, time.Time{}, ""
		}
		return nil
	})
	return err
}

func (s *Service) volumeFailed(ctx context.Context, id string, cause error) {
	// A host going away (not yet marked unhealthy) is no verdict on the
	// volume: retry without counting.
	transient := errors.Is(cause, ec2err.ErrUnreachable)
	_, _ = update(ctx, s.st, prefixVolume+id, func(r *Volume) error {
		if r.State != "creating" {
			return nil
		}
		if transient {
			r.Failure, r.NextAttempt = cause.Error(), s.now().Add(5*time.Second)
			return nil
		}
		r.Attempts++
		r.Failure = cause.Error()
		r.NextAttempt = s.now().Add(retryBackoff(r.Attempts))
		if r.Attempts >= maxVolumeAttempts {
			r.State = "error"
			s.log.Error("volume create failed for good", "volume", id, "attempts", r.Attempts, "err", cause)
		}
		return nil
	})
}

func (s *Service) driveVolume(ctx context.Context, id string, fn func(context.Context, Volume) error) {
	unlock, ok := s.lockResource(id)
	if !ok {
		return
	}
	defer unlock()
	v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+id)
	if err != nil {
		return
	}
	if err := fn(ctx, v); err != nil {
		s.log.Warn("volume work failed, will retry", "volume", id, "state", v.State, "err", err)
	}
}

// removeVolume deletes a volume's head file and its record. Layers below
// the head belong to snapshots and are collected when unreferenced.
func (s *Service) removeVolume(ctx context.Context, v Volume) error {
	_, ag, err := s.agentForZone(ctx, v.AZ)
	if err != nil {
		return err
	}
	if err := ag.DeleteVolume(ctx, v.Head); err != nil {
		return err
	}
	_, err = s.st.Txn(ctx, store.Op{Key: prefixVolume + v.ID, Delete: true, ExpectRevision: -1})
	if err == nil {
		s.log.Info("volume deleted", "volume", v.ID)
	}
	return err
}

// DescribeVolumes lists the caller's volumes.
func (s *Service) DescribeVolumes(ctx context.Context, idList []string, filters []Filter, p Page) ([]Volume, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	all, err := s.volumesOf(ctx, acct)
	if err != nil {
		return nil, "", err
	}
	vols := make([]Volume, len(all))
	for i, vp := range all {
		vols[i] = *vp
	}
	return selectPage(vols, selection[Volume]{IDs: idList, Filters: filters, Page: p,
		ID: func(v Volume) string { return v.ID }, Field: volumeField,
		Keep: func(v Volume) bool { return v.Owner == acct },
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidVolumeNotFound, "The volume '%s' does not exist.", id)
		}})
}

func volumeField(v Volume, name string) ([]string, bool) {
	switch name {
	case "volume-id":
		return []string{v.ID}, true
	case "status":
		return []string{v.State}, true
	case "availability-zone":
		return []string{v.AZ}, true
	case "volume-type":
		return []string{v.Type}, true
	case "size":
		return []string{strconv.Itoa(int(v.SizeGiB))}, true
	case "snapshot-id":
		return []string{v.SnapshotID}, true
	case "encrypted":
		return []string{strconv.FormatBool(v.Encrypted)}, true
	case "attachment.instance-id", "attachment.device", "attachment.status", "attachment.delete-on-termination":
		if v.Attachment == nil {
			return nil, true
		}
		switch name {
		case "attachment.instance-id":
			return []string{v.Attachment.InstanceID}, true
		case "attachment.device":
			return []string{v.Attachment.Device}, true
		case "attachment.status":
			return []string{v.Attachment.State}, true
		}
		return []string{strconv.FormatBool(v.Attachment.DeleteOnTermination)}, true
	}
	return tagField(v.Tags, name)
}

// ownedVolume returns one of the caller's volumes.
func (s *Service) ownedVolume(ctx context.Context, acct, id string) (Volume, error) {
	if !ids.Valid(ids.Volume, id) {
		return Volume{}, ec2err.New(ec2err.InvalidVolumeIDMalformed, "Invalid id: \"%s\" (expecting \"vol-...\")", id)
	}
	v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+id)
	if err != nil || v.Owner != acct {
		return Volume{}, ec2err.New(ec2err.InvalidVolumeNotFound, "The volume '%s' does not exist.", id)
	}
	return v, nil
}

// DeleteVolume deletes an available volume.
func (s *Service) DeleteVolume(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	v, err := s.ownedVolume(ctx, acct, id)
	if err != nil {
		return err
	}
	if v.State != "available" && v.State != "error" {
		return ec2err.New(ec2err.VolumeInUse, "Volume %s is currently attached to %s", id, attachedTo(v))
	}
	if dryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixVolume+id, func(r *Volume) error {
		if r.State != "available" && r.State != "error" {
			return ec2err.New(ec2err.VolumeInUse, "Volume %s is currently attached to %s", id, attachedTo(*r))
		}
		r.State = "deleting"
		return nil
	})
	s.Kick()
	return err
}

func attachedTo(v Volume) string {
	if v.Attachment != nil {
		return v.Attachment.InstanceID
	}
	return "an instance"
}
