package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// The compactor keeps backing chains short. A deleted snapshot's layer stays
// hidden while later layers build on it; the compactor merges such hidden
// layers into their child (a safe qemu-img rebase on a copy renamed over
// the child), after which the file collector (gc_files.go) removes them. A
// volume chain longer than Config.MaxChainDepth is flattened too. When the
// child is the head of a running instance's volume, the instance's agent
// merges live instead (block stream, compactor_live.go); the other layers
// such an instance has open are never rewritten. Encrypted chains are
// merged only live (qemu-img rebase would need every layer's key).

// compactState spaces out compactor passes and keeps them from overlapping.
type compactState struct {
	mu      sync.Mutex
	lastRun time.Time
	running bool
}

// compactorHooks registers the compactor's pass.
func (s *Service) compactorHooks(h *hooks) { h.sweep("compactor", s.compactLayers) }

// compactLayers starts a compactor pass in the background, at most once per
// garbage-collector interval and never two at a time.
func (s *Service) compactLayers(ctx context.Context) {
	s.compact.mu.Lock()
	defer s.compact.mu.Unlock()
	if s.compact.running || time.Since(s.compact.lastRun) < s.gcInterval() {
		return
	}
	s.compact.running, s.compact.lastRun = true, time.Now()
	go func() {
		defer func() {
			s.compact.mu.Lock()
			s.compact.running = false
			s.compact.mu.Unlock()
		}()
		s.compactOnce(ctx)
	}()
}

// compactOnce runs one pass over every AZ pool and returns how many merges
// succeeded.
func (s *Service) compactOnce(ctx context.Context) int {
	done := 0
	for _, z := range s.cfg.AvailabilityZones {
		pool, ok := s.Pool(z.Name)
		if !ok {
			continue
		}
		n, err := s.compactPool(ctx, z.Name, pool)
		done += n
		if err != nil {
			s.log.Info("compactor: pool skipped", "az", z.Name, "err", err)
		}
	}
	return done
}

func (s *Service) compactPool(ctx context.Context, az string, pool *storage.Pool) (int, error) {
	// The collector's guard: no pass while a snapshot is being taken in az.
	if _, err := s.referencedFiles(ctx, az, pool); err != nil {
		return 0, err
	}
	view, owners, err := s.chainView(ctx, az, pool)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, st := range planCompaction(view, s.cfg.MaxChainDepth) {
		if err := s.merge(ctx, az, pool, st, owners[st.Child]); err != nil {
			s.log.Warn("compactor: merge skipped", "az", az, "child", st.Child, "onto", st.NewBacking, "reason", st.Reason, "err", err)
			continue
		}
		done++
	}
	return done, nil
}

// merge performs one step, holding the lock of the volume whose head is
// the child (if any) and re-checking the chain first: offline, or through
// the agent when a running instance has the head open.
func (s *Service) merge(ctx context.Context, az string, pool *storage.Pool, st mergeStep, volID string) error {
	var liveOn *Instance
	if volID != "" {
		unlock, ok := s.lockResource(volID)
		if !ok {
			return fmt.Errorf("volume %s busy", volID)
		}
		defer unlock()
		v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+volID)
		if err != nil || v.Head != st.Child {
			return errors.New("volume head moved")
		}
		// The instance lock keeps a launch (which opens the head) away.
		if id := volumeInstance(v); id != "" {
			unlockIn, ok := s.lockResource(id)
			if !ok {
				return fmt.Errorf("instance %s busy", id)
			}
			defer unlockIn()
		}
		if live, runningOn := s.volumeUse(ctx, v); live {
			if runningOn == nil {
				return fmt.Errorf("volume %s is in use and its instance is not running", volID)
			}
			liveOn = runningOn
		}
	}
	if _, err := s.referencedFiles(ctx, az, pool); err != nil {
		return err
	}
	info, err := pool.Info(ctx, st.Child)
	if err != nil {
		return err
	}
	i := slices.Index(info.Chain, st.NewBacking)
	if i < 1 || !slices.Equal(info.Chain[1:i], st.Skip) {
		return fmt.Errorf("chain changed: %v", info.Chain)
	}
	if liveOn != nil {
		return s.mergeLive(ctx, az, st, volID, *liveOn)
	}
	start := time.Now()
	if err := pool.Reparent(ctx, st.Child, st.NewBacking); err != nil {
		return err
	}
	s.log.Info("compactor: merged layers", "az", az, "child", st.Child, "onto", st.NewBacking,
		"merged", st.Skip, "reason", st.Reason, "volume", volID, "took", time.Since(start))
	return nil
}
