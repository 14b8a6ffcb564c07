package controller

import (
	"sync/atomic"
	"time"
)

// Observer is told what the reconciler does, for metrics; ec2d's server
// implements it (pkg/metrics), so the domain imports no metrics library.
// Its methods are called from the reconciler's goroutine and must not block.
type Observer interface {
	// SweepDone reports one sweep of a pass (name as registered in
	// hooks.go) and its error (only gates fail: hooks.go).
	SweepDone(name string, d time.Duration, err error)
	// PassDone reports a pass; completed is false when a gate ended it.
	PassDone(d time.Duration, completed bool)
}

// loopState is what the reconciler's passes leave for observers and the
// readiness check.
type loopState struct {
	obs      Observer
	lastPass atomic.Int64 // unix nanoseconds of the last completed pass; 0: none
	follower atomic.Bool  // another replica leads and reconciles (SetFollower)
}

// SetFollower says whether another replica of the region leads, so that
// this one does not run its reconciler (pkg/leader) and its readiness
// does not wait for passes.
func (s *Service) SetFollower(f bool) { s.loop.follower.Store(f) }

// SetObserver has o told of every sweep and pass. Call it before Run.
func (s *Service) SetObserver(o Observer) { s.loop.obs = o }

// SweepNames are the reconciler's sweeps, in the order of a pass.
func (s *Service) SweepNames() []string {
	out := make([]string, len(s.hooks.sweeps))
	for i, sw := range s.hooks.sweeps {
		out[i] = sw.name
	}
	return out
}

// LastPass is when the reconciler last completed a pass (zero: never).
func (s *Service) LastPass() time.Time {
	n := s.loop.lastPass.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func (l *loopState) sweepDone(name string, start time.Time, err error) {
	if l.obs != nil {
		l.obs.SweepDone(name, time.Since(start), err)
	}
}

func (l *loopState) passDone(start, end time.Time, completed bool) {
	if completed {
		l.lastPass.Store(end.UnixNano())
	}
	if l.obs != nil {
		l.obs.PassDone(end.Sub(start), completed)
	}
}
