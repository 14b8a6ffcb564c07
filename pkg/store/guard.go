package store

import (
	"context"
	"fmt"
	"strings"
)

// Guard fences a writer: a Txn whose ctx carries it commits only while the
// key Key exists with create revision CreateRevision, checked in the same
// transaction as the writes. The leader election (pkg/leader) hands its
// background work a ctx with the guard of the election key it holds, so
// that once leadership is lost (the key's lease expired, it resigned) every
// later write of that work fails with ErrFenced instead of racing the new
// leader, while writes without a guard (the API path, which every replica
// serves) are unaffected.
//
// Only Etcd enforces guards; Bolt has a single writer process, no election
// and so never a guard, and it refuses a guarded Txn rather than ignore it.
type Guard struct {
	// Key is the election key, relative to the store's namespace.
	Key string
	// CreateRevision is the store revision that created Key.
	CreateRevision int64
}

type guardKey struct{}

// WithGuard returns ctx carrying g: every Txn made with it (or a ctx
// derived from it) is fenced by g.
func WithGuard(ctx context.Context, g Guard) context.Context {
	return context.WithValue(ctx, guardKey{}, g)
}

// GuardFrom returns the guard ctx carries, if any.
func GuardFrom(ctx context.Context) (Guard, bool) {
	g, ok := ctx.Value(guardKey{}).(Guard)
	return g, ok
}

func (g Guard) String() string { return fmt.Sprintf("%s@%d", g.Key, g.CreateRevision) }

// GuardFor is the Guard of etcd key etcdKey (a full key, as the etcd
// client names it; it must lie under the store's Prefix) created at etcd
// revision etcdRev (as the election reports it).
func (e *Etcd) GuardFor(etcdKey string, etcdRev int64) (Guard, error) {
	key, ok := strings.CutPrefix(etcdKey, e.prefix)
	if !ok || key == "" {
		return Guard{}, fmt.Errorf("guard key %q: not under the store's prefix %q", etcdKey, e.prefix)
	}
	return Guard{Key: key, CreateRevision: fromEtcdRev(etcdRev)}, nil
}
