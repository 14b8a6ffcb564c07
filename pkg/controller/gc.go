package controller

import (
	"context"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// gcState remembers when the collector first saw an unowned thing, so it
// only removes what stayed unowned for the grace period.
type gcState struct {
	mu        sync.Mutex
	firstSeen map[string]time.Time
	lastRun   time.Time
}

var gcs = gcState{firstSeen: map[string]time.Time{}}

// gcInterval spaces out collector runs (they list every host's domains):
// every 30 s, or more often when the grace period is shorter.
func (s *Service) gcInterval() time.Duration {
	return min(30*time.Second, max(s.cfg.GCGrace.Duration/2, time.Second))
}

// collectGarbage destroys domains that no record owns, pool files no record
// needs and image tombstones no instance needs, after a grace period and
// with a log line.
func (s *Service) collectGarbage(ctx context.Context) {
	gcs.mu.Lock()
	if time.Since(gcs.lastRun) < s.gcInterval() {
		gcs.mu.Unlock()
		return
	}
	gcs.lastRun = time.Now()
	gcs.mu.Unlock()
	seen := map[string]bool{}
	for hostID, ag := range s.connectedAgents() {
		list, err := ag.ListInstances(ctx)
		if err != nil {
			continue
		}
		for _, d := range list {
			in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+d.InstanceID)
			if err == nil && in.HostID == hostID && in.State != StateTerminated {
				continue
			}
			key := hostID + "/" + d.InstanceID
			seen[key] = true
			if s.graceOver(key) {
				s.log.Warn("garbage collector: destroying domain no record owns", "host", hostID, "instance", d.InstanceID, "domain", d.DomainName)
				_ = ag.DestroyInstance(ctx, d.InstanceID)
			}
		}
	}
	s.collectFiles(ctx, seen)
	s.collectTombstones(ctx, seen)
	gcs.mu.Lock()
	for k := range gcs.firstSeen {
		if !seen[k] {
			delete(gcs.firstSeen, k)
		}
	}
	gcs.mu.Unlock()
}

func (s *Service) graceOver(key string) bool {
	gcs.mu.Lock()
	defer gcs.mu.Unlock()
	t, ok := gcs.firstSeen[key]
	if !ok {
		gcs.firstSeen[key] = time.Now()
		return false
	}
	return time.Since(t) > s.cfg.GCGrace.Duration
}
