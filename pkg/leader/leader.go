// Package leader owns the choice of the one ec2d replica of a region that
// runs the background work (the reconciler's passes and what they start:
// GC, the compactor, the per-resource sweeps). Every replica serves the
// APIs; an Elector runs the background work only while this process leads,
// stops it at once when it stops leading, and hands it a ctx carrying the
// fencing guard of its leadership (store.Guard), so that any write that
// work makes after leadership was lost fails instead of racing the new
// leader.
//
// Always is the elector of a lone ec2d on bbolt: it always leads, with no
// guard. Etcd campaigns with etcd's concurrency election (a key under the
// store's prefix, held by a session lease of a few seconds): when the
// leader dies its lease expires and a follower takes over within the TTL;
// when it stops cleanly it resigns and a follower takes over at once.
package leader

import (
	"context"
)

// Elector decides when this process runs the background work.
type Elector interface {
	// Run calls lead each time this process becomes leader, with a ctx
	// that ends as soon as it stops leading (or ctx ends) and carries the
	// leadership's fencing guard, if any; lead must return once its ctx
	// ends. Run returns when ctx ends (nil) or on an error it cannot
	// recover from.
	Run(ctx context.Context, lead func(ctx context.Context)) error
}

// Always leads from the start until ctx ends: one ec2d, no election.
type Always struct{}

var _ Elector = Always{}

// Run implements Elector.
func (Always) Run(ctx context.Context, lead func(context.Context)) error {
	lead(ctx)
	return nil
}
