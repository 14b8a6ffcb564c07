// Package store owns the control plane's persistent state: a small,
// revisioned key-value interface (get, prefix list, conditional
// transactions, watch) that two backends implement: Bolt, one embedded
// bbolt file (the default), and Etcd, a namespace of an etcd cluster.
// Domain code talks to Store and the typed JSON helpers only.
package store

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors; backends wrap them with the key involved, so test with
// errors.Is.
var (
	// ErrNotFound: the key does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: an Op's ExpectRevision check failed; nothing was applied.
	ErrConflict = errors.New("revision conflict")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrCompacted: WatchFrom's revision is older than the backend can
	// replay from; take a new Snapshot and watch from its revision.
	ErrCompacted = errors.New("revision compacted")
	// ErrFenced: a guarded Txn's Guard no longer holds (its writer lost
	// leadership); nothing was applied. It wraps ErrConflict.
	ErrFenced = fmt.Errorf("fenced: leadership lost: %w", ErrConflict)
)

// Revision checks for Op.ExpectRevision.
const (
	// AnyRevision skips the check.
	AnyRevision int64 = -1
	// MustNotExist requires the key to be absent.
	MustNotExist int64 = 0
)

// KV is one stored key with its value and mod revision (the global revision
// of the transaction that last wrote it).
type KV struct {
	Key      string
	Value    []byte
	Revision int64
}

// Op is one write in a transaction. ExpectRevision is AnyRevision (-1) for no
// check, MustNotExist (0) for "key must be absent", or >0 for "the key's
// current mod revision must equal this".
type Op struct {
	Key            string
	Value          []byte
	Delete         bool
	ExpectRevision int64
}

// Event types.
const (
	EventPut    = "put"
	EventDelete = "delete"
)

// Event is one change seen by a watcher. For deletes KV.Value is nil and
// KV.Revision is the revision of the deleting transaction.
type Event struct {
	Type string
	KV   KV
}

// Store is the state store contract. A shared conformance suite lives in
// store/storetest.
type Store interface {
	// Get returns key or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) (KV, error)
	// List returns every key with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]KV, error)
	// Snapshot returns every key under each prefix (prefix by prefix, each
	// sorted by key), all read at one revision, and that revision: the
	// state a WatchFrom of the same revision continues, with no event lost
	// or repeated.
	Snapshot(ctx context.Context, prefixes ...string) (kvs []KV, rev int64, err error)
	// Txn applies ops all-or-nothing in one durable commit and returns the
	// new global revision; all ops share it as their mod revision. Any
	// failed ExpectRevision check returns an error wrapping ErrConflict and
	// applies nothing. Deleting an absent key is a no-op. When ctx carries
	// a Guard (WithGuard), the guard is checked in the same transaction
	// and a failed one returns an error wrapping ErrFenced (guard.go).
	Txn(ctx context.Context, ops ...Op) (rev int64, err error)
	// Watch streams, in commit order, the events under prefix committed
	// after the call returns, until ctx ends (then the channel is closed).
	// A backend may also close the channel early when it can no longer
	// deliver every event (Etcd: compaction, no leader); nothing is
	// skipped before that, and the watcher re-reads and watches again.
	Watch(ctx context.Context, prefix string) (<-chan Event, error)
	// WatchFrom is Watch from just after revision rev (typically a
	// Snapshot's): every event under prefix committed after rev, in order.
	// A rev older than the backend can replay fails with an error wrapping
	// ErrCompacted, or (Etcd, where the check is asynchronous) closes the
	// channel before any event. Bolt keeps no history: it can only watch
	// from its current revision.
	WatchFrom(ctx context.Context, prefix string, rev int64) (<-chan Event, error)
	// Revision is the current global revision (0 for an empty store).
	Revision(ctx context.Context) (int64, error)
	// Close releases the store; open watch channels are closed.
	Close() error
}
