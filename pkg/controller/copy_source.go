package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/peer"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// SnapshotLayers lists a snapshot's chain bottom-up for a cross-region
// copy. The caller must own the snapshot or be granted it (public or
// shared), or it must back an image the caller may launch. For an encrypted snapshot it also returns the volume
// key wrapped to wrapPub (copy_keywrap.go), which the caller must give.
func (s *Service) SnapshotLayers(ctx context.Context, id string, wrapPub []byte) ([]peer.File, []byte, error) {
	files, sn, err := s.snapshotLayers(ctx, id)
	if err != nil || !sn.Encrypted {
		return files, nil, err
	}
	if len(wrapPub) == 0 {
		return nil, nil, ec2err.New(ec2err.InvalidParameterValue, "Snapshot %s is encrypted: the request must give a key to wrap its volume key to.", id)
	}
	key, err := s.unsealedKey(sn.KeyCipher)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	wrapped, err := wrapKey(wrapPub, key)
	if err != nil {
		return nil, nil, ec2err.New(ec2err.InvalidParameterValue, "Snapshot %s: %v", id, err)
	}
	return files, wrapped, nil
}

// copySource is the snapshot id as a copy acting for the caller's account
// may read it (auth.ActAs makes a peer region's copy act for the account
// that asked there): the account's own, shared with it or with all
// (createVolumePermission), or backing an image it may launch. Whatever it
// may not read is InvalidSnapshot.NotFound, as for an unknown ID.
func (s *Service) copySource(ctx context.Context, id string) (Snapshot, error) {
	acct, err := account(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+id)
	if err != nil || (!snapshotVisible(sn, acct) && !s.snapshotBacksVisibleImage(ctx, acct, id)) {
		return Snapshot{}, ec2err.New(ec2err.InvalidSnapshotNotFound, "The snapshot '%s' does not exist.", id)
	}
	if sn.State != "completed" {
		return Snapshot{}, ec2err.New(ec2err.IncorrectState, "Snapshot %s is in the '%s' state.", id, sn.State)
	}
	return sn, nil
}

func (s *Service) snapshotLayers(ctx context.Context, id string) ([]peer.File, Snapshot, error) {
	sn, err := s.copySource(ctx, id)
	if err != nil {
		return nil, Snapshot{}, err
	}
	pool, ok := s.Pool(sn.AZ)
	if !ok {
		return nil, Snapshot{}, fmt.Errorf("snapshot %s: no pool for %s", id, sn.AZ)
	}
	info, err := pool.Info(ctx, sn.Layer)
	if err != nil {
		return nil, Snapshot{}, fmt.Errorf("snapshot %s: inspect chain: %w", id, err)
	}
	var out []peer.File
	for i := len(info.Layers) - 1; i >= 0; i-- {
		l := info.Layers[i]
		f, err := poolFile(pool, l.Name, "layer")
		if err != nil {
			return nil, Snapshot{}, fmt.Errorf("snapshot %s: %w", id, err)
		}
		f.Backing = l.Backing
		out = append(out, f)
	}
	return out, sn, nil
}

// ImageFiles lists a direct-kernel image's kernel and initrd for a
// cross-region copy (none for a disk-booted image).
func (s *Service) ImageFiles(ctx context.Context, id string) ([]peer.File, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || !imageVisible(img, acct) {
		return nil, imageNotFound(id)
	}
	pool, ok := s.Pool(img.AZ)
	if !ok {
		return nil, fmt.Errorf("image %s: no pool for %s", id, img.AZ)
	}
	var out []peer.File
	for _, k := range []struct{ name, kind string }{{img.Kernel, "kernel"}, {img.Initrd, "initrd"}} {
		if k.name == "" {
			continue
		}
		f, err := poolFile(pool, k.name, k.kind)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", id, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func (s *Service) snapshotBacksVisibleImage(ctx context.Context, acct, snapID string) bool {
	imgs, _ := store.ListJSON[Image](ctx, s.st, prefixImage)
	for _, img := range imgs {
		for _, d := range img.Devices {
			if d.SnapshotID == snapID && img.State == "available" && imageVisible(img, acct) {
				return true
			}
		}
	}
	return false
}

func poolFile(pool *storage.Pool, name, kind string) (peer.File, error) {
	f, err := peer.PoolFile(pool, name, kind)
	if err != nil {
		return peer.File{}, fmt.Errorf("layer %s: %w", name, err)
	}
	return f, nil
}
