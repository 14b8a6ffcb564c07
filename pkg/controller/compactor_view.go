package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// chainView reads az's records and chains for the compactor. owners maps
// a volume head to its volume ID. The backing layers of a running
// instance's volume are open (its head may be streamed into); encrypted
// chains and chains of volumes otherwise in use are pinned (logged).
func (s *Service) chainView(ctx context.Context, az string, pool *storage.Pool) (chainView, map[string]string, error) {
	v := chainView{Chains: map[string][]string{}, Pinned: map[string]bool{}, Open: map[string]bool{}}
	owners := map[string]string{}
	snaps, err := store.ListJSON[Snapshot](ctx, s.st, prefixSnapshot)
	if err != nil {
		return v, nil, err
	}
	for _, sn := range snaps {
		if sn.AZ != az {
			continue
		}
		chain, encrypted, err := s.addViewChain(ctx, pool, &v, sn.Layer)
		if err != nil {
			return v, nil, fmt.Errorf("snapshot %s: %w", sn.ID, err)
		}
		if encrypted {
			pin(v.Pinned, chain)
		}
	}
	vols, err := s.volumes(ctx)
	if err != nil {
		return v, nil, err
	}
	for _, vol := range vols {
		if vol.AZ != az || vol.Head == "" {
			continue
		}
		chain, encrypted, err := s.addViewChain(ctx, pool, &v, vol.Head)
		if err != nil {
			return v, nil, fmt.Errorf("volume %s: %w", vol.ID, err)
		}
		owners[vol.Head] = vol.ID
		v.Heads = append(v.Heads, vol.Head)
		live, runningOn := s.volumeUse(ctx, *vol)
		switch {
		case live && runningOn != nil:
			pin(v.Open, chain[1:]) // the head is merged into live
		case live && len(chain) > 1:
			s.log.Debug("compactor: skipping chain of a volume in transition", "az", az, "volume", vol.ID, "state", vol.State, "depth", len(chain))
			pin(v.Pinned, chain)
		case encrypted:
			pin(v.Pinned, chain) // storage.Pool.Reparent refuses encrypted chains
		}
	}
	return v, owners, nil
}

// addViewChain records name's chain (a missing file counts as a chain of
// one) and reports whether any layer of it is encrypted.
func (s *Service) addViewChain(ctx context.Context, pool *storage.Pool, v *chainView, name string) ([]string, bool, error) {
	if name == "" {
		return nil, false, nil
	}
	info, err := pool.Info(ctx, name)
	if errors.Is(err, storage.ErrNotFound) {
		v.Chains[name] = []string{name}
		return v.Chains[name], false, nil
	}
	if err != nil {
		return nil, false, err
	}
	v.Chains[name] = info.Chain
	return info.Chain, slices.ContainsFunc(info.Layers, func(l storage.Layer) bool { return l.Encrypted }), nil
}

func pin(set map[string]bool, files []string) {
	for _, f := range files {
		set[f] = true
	}
}

// volumeInstance is the instance a volume is attached to or was made for.
func volumeInstance(v Volume) string {
	if v.Attachment != nil {
		return v.Attachment.InstanceID
	}
	return v.Instance
}

// volumeUse reads the instance a volume is attached to once and reports
// whether some process may have the volume's files open for writing (the
// volume is not at rest, or its instance is not stopped or terminated)
// and, when that instance runs on a known host, the instance: its QEMU can
// merge into the volume's head live. A live volume without one is in
// transition.
func (s *Service) volumeUse(ctx context.Context, v Volume) (live bool, runningOn *Instance) {
	if v.State != "available" && v.State != "in-use" {
		return true, nil
	}
	id := volumeInstance(v)
	if id == "" {
		return false, nil
	}
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, nil
	}
	live = in.State != StateStopped && in.State != StateTerminated
	if in.State == StateRunning && in.HostID != "" {
		return live, &in
	}
	return live, nil
}
