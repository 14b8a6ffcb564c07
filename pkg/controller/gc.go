package controller

import (
	"context"
	"sync"
	"time"
)

// gcState remembers when the collector first saw an unowned thing, so it
// only removes what stayed unowned for the grace period.
type gcState struct {
	mu        sync.Mutex
	firstSeen map[string]time.Time
	lastRun   time.Time
}

// gcInterval spaces out collector runs (they list every host's domains):
// every 30 s, or more often when the grace period is shorter.
func (s *Service) gcInterval() time.Duration {
	return min(30*time.Second, max(s.cfg.GCGrace.Duration/2, time.Second))
}

// garbageCollectorHooks makes the collector a step of the reconciler's
// pass.
func (s *Service) garbageCollectorHooks(h *hooks) {
	h.sweep("garbage-collector", s.collectGarbage)
}

// collectGarbage runs every registered collector (domains no record owns,
// pool files no record needs, image tombstones no instance needs), at most
// once per gcInterval; each removes what stayed unowned for the grace
// period, with a log line.
func (s *Service) collectGarbage(ctx context.Context) {
	s.gc.mu.Lock()
	if time.Since(s.gc.lastRun) < s.gcInterval() {
		s.gc.mu.Unlock()
		return
	}
	s.gc.lastRun = time.Now()
	s.gc.mu.Unlock()
	seen := map[string]bool{}
	for _, c := range s.hooks.collectors {
		c.run(ctx, seen)
	}
	s.gc.mu.Lock()
	for k := range s.gc.firstSeen {
		if !seen[k] {
			delete(s.gc.firstSeen, k)
		}
	}
	s.gc.mu.Unlock()
}

func (s *Service) graceOver(key string) bool {
	s.gc.mu.Lock()
	defer s.gc.mu.Unlock()
	t, ok := s.gc.firstSeen[key]
	if !ok {
		if s.gc.firstSeen == nil {
			s.gc.firstSeen = map[string]time.Time{}
		}
		s.gc.firstSeen[key] = time.Now()
		return false
	}
	return time.Since(t) > s.cfg.GCGrace.Duration
}
