package controller

import (
	"context"
	"time"
)

// reconcileInterval is how often the reconciler looks at every record even
// when nothing kicked it.
const reconcileInterval = 2 * time.Second

// Run drives records towards their desired state until ctx ends.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(reconcileInterval)
	defer tick.Stop()
	for {
		s.reconcileOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.kick:
		}
	}
}

// reconcileOnce runs every registered sweep, in order (hooks.go), and
// stops at the first that fails; each sweep and the pass are reported
// (observe.go).
func (s *Service) reconcileOnce(ctx context.Context) {
	start := time.Now()
	for _, sw := range s.hooks.sweeps {
		t := time.Now()
		err := sw.run(ctx)
		s.loop.sweepDone(sw.name, t, err)
		if err != nil {
			s.log.Error("reconcile: "+sw.name, "err", err)
			s.loop.passDone(start, time.Now(), false)
			return
		}
	}
	s.loop.passDone(start, time.Now(), true)
}

// retryBackoff is the wait before the next try of work that failed
// attempts times: 2 s doubling up to 64 s.
func retryBackoff(attempts int) time.Duration {
	return time.Duration(1<<min(attempts, 6)) * time.Second
}
