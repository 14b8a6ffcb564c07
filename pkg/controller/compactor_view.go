package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// chainView reads az's records and chains for the compactor. owners maps
// a volume head to its volume ID. Chains of live volumes and encrypted
// chains are pinned, with a log line each, so they are reported as skipped.
func (s *Service) chainView(ctx context.Context, az string, pool *storage.Pool) (chainView, map[string]string, error) {
	v := chainView{Chains: map[string][]string{}, Pinned: map[string]bool{}}
	owners := map[string]string{}
	snaps, err := store.ListJSON[Snapshot](ctx, s.st, prefixSnapshot)
	if err != nil {
		return v, nil, err
	}
	for _, sn := range snaps {
		if sn.AZ == az {
			if _, err := s.addViewChain(ctx, pool, &v, sn.Layer); err != nil {
				return v, nil, fmt.Errorf("snapshot %s: %w", sn.ID, err)
			}
		}
	}
	vols, err := store.ListJSON[Volume](ctx, s.st, prefixVolume)
	if err != nil {
		return v, nil, err
	}
	for _, vol := range vols {
		if vol.AZ != az || vol.Head == "" {
			continue
		}
		chain, err := s.addViewChain(ctx, pool, &v, vol.Head)
		if err != nil {
			return v, nil, fmt.Errorf("volume %s: %w", vol.ID, err)
		}
		owners[vol.Head] = vol.ID
		v.Heads = append(v.Heads, vol.Head)
		if len(chain) > 1 && s.volumeLive(ctx, vol) {
			s.log.Debug("compactor: skipping live chain (needs block-stream)", "az", az, "volume", vol.ID, "depth", len(chain))
			pin(&v, chain)
		}
	}
	return v, owners, nil
}

// addViewChain records name's chain (a missing file counts as a chain of
// one) and pins encrypted chains.
func (s *Service) addViewChain(ctx context.Context, pool *storage.Pool, v *chainView, name string) ([]string, error) {
	if name == "" {
		return nil, nil
	}
	info, err := pool.Info(ctx, name)
	if errors.Is(err, storage.ErrNotFound) {
		v.Chains[name] = []string{name}
		return v.Chains[name], nil
	}
	if err != nil {
		return nil, err
	}
	v.Chains[name] = info.Chain
	for _, l := range info.Layers {
		if l.Encrypted {
			pin(v, info.Chain)
			break
		}
	}
	return info.Chain, nil
}

func pin(v *chainView, chain []string) {
	for _, f := range chain {
		v.Pinned[f] = true
	}
}

// volumeInstance is the instance a volume is attached to or was made for.
func volumeInstance(v Volume) string {
	if v.Attachment != nil {
		return v.Attachment.InstanceID
	}
	return v.Instance
}

// volumeLive reports a volume whose files some process may have open for
// writing: one that is not at rest, or attached to an instance that is not
// stopped (or terminated).
func (s *Service) volumeLive(ctx context.Context, v Volume) bool {
	if v.State != "available" && v.State != "in-use" {
		return true
	}
	id := volumeInstance(v)
	if id == "" {
		return false
	}
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	return err != nil || (in.State != StateStopped && in.State != StateTerminated)
}
