package controller

import (
	"context"
	"crypto/ecdh"
	"fmt"
	"os"
	"time"

	"github.com/ec2lab/ec2lab/pkg/crashpoint"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/peer"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// copyDeadline fails a cross-region copy still failing after this long.
const copyDeadline = 30 * time.Minute

// CopySnapshotRequest is a CopySnapshot call.
type CopySnapshotRequest struct {
	SourceRegion, SourceSnapshotID, Description string
	Encrypted, DryRun                           bool
	Tags                                        []Tag
	// DestinationRegion, when given, must be this region (the copy is
	// made where the request is served).
	DestinationRegion string
	// Unsupported names a parameter ec2lab cannot honour ("" when none).
	Unsupported string
}

// CopySnapshot copies a snapshot into this region. From a peer region it
// records a pending snapshot that runSnapshotCopy pulls, layer by layer,
// into the first zone's pool; within the region the copy shares the
// (immutable) layer chain, unless it encrypts a plain snapshot, which is
// then written as one encrypted layer by runSnapshotCopy.
func (s *Service) CopySnapshot(ctx context.Context, req CopySnapshotRequest) (Snapshot, error) {
	acct, err := account(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	if !ids.Valid(ids.Snapshot, req.SourceSnapshotID) {
		return Snapshot{}, ec2err.New(ec2err.InvalidSnapshotIDMalformed, "Invalid id: \"%s\" (expecting \"snap-...\")", req.SourceSnapshotID)
	}
	if err := validateTags(req.Tags); err != nil {
		return Snapshot{}, err
	}
	if req.Unsupported != "" {
		return Snapshot{}, ec2err.New(ec2err.UnsupportedOperation,
			"The parameter %s is not supported: ec2lab encrypts with keys of its own and copies at once", req.Unsupported)
	}
	if req.DestinationRegion != "" && req.DestinationRegion != s.cfg.Region {
		return Snapshot{}, ec2err.New(ec2err.InvalidParameterValue,
			"DestinationRegion %s is not this endpoint's region (%s): send CopySnapshot to the destination region", req.DestinationRegion, s.cfg.Region)
	}
	if !req.Encrypted { // the account's encryption by default encrypts copies too
		if req.Encrypted, err = s.encryptByDefault(ctx, acct); err != nil {
			return Snapshot{}, err
		}
	}
	if req.SourceRegion == "" || req.SourceRegion == s.cfg.Region {
		return s.copyLocalSnapshot(ctx, acct, req)
	}
	src, err := s.describePeerSnapshot(ctx, acct, req.SourceRegion, req.SourceSnapshotID)
	if err != nil {
		return Snapshot{}, err
	}
	if err := s.checkCopyEncryption(req.Encrypted, src.Encrypted); err != nil {
		return Snapshot{}, err
	}
	if req.DryRun {
		return Snapshot{}, DryRun()
	}
	return s.recordCopy(ctx, acct, req, req.SourceRegion, src.SizeGiB, src.Encrypted)
}

// recordCopy records a pending copy that runSnapshotCopy makes real. A
// copy of an encrypted snapshot gets the source's key when it is pulled;
// one encrypted on copy gets a new key of its own now.
func (s *Service) recordCopy(ctx context.Context, acct string, req CopySnapshotRequest, from string, size int32, srcEncrypted bool) (Snapshot, error) {
	release, err := s.admit(ctx, acct, QuotaSnapshots, "", 1, s.countSnapshots(acct))
	if err != nil {
		return Snapshot{}, err
	}
	defer release()
	sn := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct, VolumeID: "vol-ffffffff", AZ: s.cfg.AvailabilityZones[0].Name,
		State: "pending", Progress: "0%", SizeGiB: size, StartTime: s.now().UTC(), Tags: req.Tags,
		Encrypted:    req.Encrypted || srcEncrypted,
		Description:  firstNonEmpty(req.Description, fmt.Sprintf("[Copied %s from %s]", req.SourceSnapshotID, from)),
		SourceRegion: from, SourceSnapshotID: req.SourceSnapshotID}
	if req.Encrypted && !srcEncrypted {
		k, err := s.newSealedKey()
		if err != nil {
			return Snapshot{}, err
		}
		sn.KeyCipher = k
	}
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
	if src.State != "completed" {
		return Snapshot{}, ec2err.New(ec2err.IncorrectState, "Snapshot %s cannot be copied (state %s).", src.ID, src.State)
	}
	if err := s.checkCopyEncryption(req.Encrypted, src.Encrypted); err != nil {
		return Snapshot{}, err
	}
	if req.DryRun {
		return Snapshot{}, DryRun()
	}
	if req.Encrypted && !src.Encrypted {
		return s.recordCopy(ctx, acct, req, s.cfg.Region, src.SizeGiB, false)
	}
	release, err := s.admit(ctx, acct, QuotaSnapshots, "", 1, s.countSnapshots(acct))
	if err != nil {
		return Snapshot{}, err
	}
	defer release()
	sn := privateCopy(src, acct)
	sn.ID, sn.StartTime, sn.Tags = ids.New(ids.Snapshot), s.now().UTC(), req.Tags
	sn.CompletionTime = sn.StartTime // it shares the source's layers: complete at once
	sn.Description = firstNonEmpty(req.Description, fmt.Sprintf("[Copied %s from %s]", src.ID, s.cfg.Region))
	return sn, put(ctx, s.st, prefixSnapshot+sn.ID, sn)
}

func (s *Service) describePeerSnapshot(ctx context.Context, acct, region, id string) (peer.Snapshot, error) {
	p, err := s.dialPeer(ctx, region, acct)
	if err != nil {
		return peer.Snapshot{}, err
	}
	defer p.Close()
	return p.Snapshot(ctx, id)
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
	top, moved, keyCipher, err := s.fetchSnapshot(ctx, sn)
	if err == nil && keyCipher == nil && sn.KeyCipher != nil { // encrypt on copy
		top, err = s.encryptCopied(ctx, sn, top)
		keyCipher = sn.KeyCipher
	}
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
		r.CompletionTime = s.now().UTC()
		r.Encrypted, r.KeyCipher = keyCipher != nil, keyCipher
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

// fetchSnapshot makes a pending copy's source chain present in its pool:
// pulled from the peer region, or (a copy within the region that encrypts)
// replicated from the source's zone.
func (s *Service) fetchSnapshot(ctx context.Context, sn Snapshot) (string, int64, []byte, error) {
	if sn.SourceRegion != s.cfg.Region {
		return s.pullSnapshot(ctx, sn)
	}
	src, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+sn.SourceSnapshotID)
	if err != nil {
		return "", 0, nil, ec2err.New(ec2err.InvalidSnapshotNotFound, "The snapshot '%s' does not exist.", sn.SourceSnapshotID)
	}
	if err := s.ensureLayer(ctx, src, sn.AZ); err != nil {
		return "", 0, nil, err
	}
	return src.Layer, 0, nil, nil
}

// encryptCopied writes the copied plain chain top as one layer encrypted
// with the copy's own key (named after the copy) and returns its name. The
// plain layers are left to the file collector once nothing needs them.
func (s *Service) encryptCopied(ctx context.Context, sn Snapshot, top string) (string, error) {
	pool, ok := s.Pool(sn.AZ)
	if !ok {
		return "", fmt.Errorf("no pool for %s", sn.AZ)
	}
	key, err := s.passphrase(sn.KeyCipher)
	if err != nil {
		return "", fmt.Errorf("encrypt copy %s: %w", sn.ID, err)
	}
	layer := sn.ID + ".qcow2"
	crashpoint.Hit("copy-before-encrypt")
	if err := pool.EncryptCopy(ctx, top, layer, key); err != nil {
		return "", fmt.Errorf("encrypt copy %s: %w", sn.ID, err)
	}
	return layer, nil
}

// pullSnapshot brings the source chain's missing layers into sn's pool
// and returns the top layer's name, the bytes moved and, for an encrypted
// snapshot, its volume key sealed with this region's master key.
func (s *Service) pullSnapshot(ctx context.Context, sn Snapshot) (string, int64, []byte, error) {
	ctx, cancel := pullCtx(ctx)
	defer cancel()
	pool, ok := s.Pool(sn.AZ)
	if !ok {
		return "", 0, nil, fmt.Errorf("no pool for %s", sn.AZ)
	}
	have, err := s.frozenLayers(ctx, sn.AZ, pool)
	if err != nil {
		return "", 0, nil, err
	}
	wrap, err := newWrapKey()
	if err != nil {
		return "", 0, nil, err
	}
	p, err := s.dialPeer(ctx, sn.SourceRegion, sn.Owner)
	if err != nil {
		return "", 0, nil, err
	}
	defer p.Close()
	r := &peer.Receiver{Pool: pool, Have: have}
	if err := p.PullSnapshot(ctx, sn.SourceSnapshotID, wrap.PublicKey().Bytes(), r); err != nil {
		return "", r.Bytes, nil, err
	}
	if len(r.Files) == 0 {
		return "", r.Bytes, nil, fmt.Errorf("source sent no layers")
	}
	top := r.Files[len(r.Files)-1]
	info, err := pool.Info(ctx, top)
	if err != nil {
		return "", r.Bytes, nil, fmt.Errorf("copied chain of %s: %w", top, err)
	}
	keyCipher, err := s.resealCopiedKey(wrap, r.WrappedKey, info.Encrypted)
	return top, r.Bytes, keyCipher, err
}

// resealCopiedKey unwraps the volume key an encrypted source sent and
// seals it with this region's master key; a chain whose head is encrypted
// must come with one.
func (s *Service) resealCopiedKey(wrap *ecdh.PrivateKey, wrapped []byte, encrypted bool) ([]byte, error) {
	if len(wrapped) == 0 {
		if encrypted {
			return nil, fmt.Errorf("source sent an encrypted chain without its key")
		}
		return nil, nil
	}
	key, err := unwrapKey(wrap, wrapped)
	if err != nil {
		return nil, err
	}
	return s.sealKey(key)
}

// checkCopyEncryption: an encrypted copy (of an encrypted source, or one
// encrypted on copy) needs this region's master key.
func (s *Service) checkCopyEncryption(want, srcEncrypted bool) error {
	if want || srcEncrypted {
		if _, err := s.master(); err != nil {
			return err
		}
	}
	return nil
}

// permanent reports an EC2 error the source answered (retrying won't help).
func permanent(err error) bool {
	e, ok := ec2err.As(err)
	return ok && e.Code != ec2err.InternalError
}
