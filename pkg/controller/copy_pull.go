package controller

import (
	"context"
	"os"
	"time"

	"github.com/ec2lab/ec2lab/pkg/peer"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// frozenLayers maps the SHA-256 of every frozen layer file in pool (every
// qcow2 file no volume writes to) to its name: what a copy need not pull.
func (s *Service) frozenLayers(ctx context.Context, az string, pool *storage.Pool) (map[string]string, error) {
	files, err := pool.Files(ctx)
	if err != nil {
		return nil, err
	}
	vols, err := store.ListJSON[Volume](ctx, s.st, prefixVolume)
	if err != nil {
		return nil, err
	}
	heads := map[string]bool{}
	for _, v := range vols {
		if v.AZ == az {
			heads[v.Head] = true
		}
	}
	have := map[string]string{}
	for _, f := range files {
		fi, err := os.Stat(pool.Path(f))
		if heads[f] || err != nil || fi.Mode().Perm()&0o222 != 0 {
			continue // writable: a head, whose bytes may still change
		}
		sum, err := peer.SHA256(pool.Path(f), fi)
		if err != nil {
			return nil, err
		}
		have[sum] = f
	}
	return have, nil
}

// pullCtx bounds one pull from a peer.
func pullCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 30*time.Minute)
}
