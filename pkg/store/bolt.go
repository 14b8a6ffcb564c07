package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	kvBucket   = []byte("kv")
	metaBucket = []byte("meta")
	revKey     = []byte("revision")
)

// Bolt is the embedded Store: one bbolt file, every Txn one bbolt commit
// (fsynced: NoSync stays false), and the global revision counter stored in
// the same file so it survives restarts. Values are stored as an 8-byte
// big-endian mod revision followed by the value bytes.
type Bolt struct {
	db     *bolt.DB
	commit sync.Mutex // serialises commit+publish so watchers see commit order
	hub    *hub
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens (creating if needed) the store file at path.
func OpenBolt(path string) (*Bolt, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{kvBucket, metaBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init store %s: %w", path, err)
	}
	return &Bolt{db: db, hub: newHub()}, nil
}

// DB exposes the underlying bbolt handle (benchmarks and debugging only).
func (b *Bolt) DB() *bolt.DB { return b.db }

// Get implements Store.
func (b *Bolt) Get(ctx context.Context, key string) (KV, error) {
	var kv KV
	err := b.view(ctx, func(tx *bolt.Tx) error {
		raw := tx.Bucket(kvBucket).Get([]byte(key))
		if raw == nil {
			return fmt.Errorf("get %s: %w", key, ErrNotFound)
		}
		var err error
		kv, err = decodeKV(key, raw)
		return err
	})
	return kv, err
}

// List implements Store.
func (b *Bolt) List(ctx context.Context, prefix string) ([]KV, error) {
	var out []KV
	err := b.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(kvBucket).Cursor()
		p := []byte(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			kv, err := decodeKV(string(k), v)
			if err != nil {
				return err
			}
			out = append(out, kv)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	return out, nil
}

// Revision implements Store.
func (b *Bolt) Revision(ctx context.Context) (int64, error) {
	var rev int64
	err := b.view(ctx, func(tx *bolt.Tx) error {
		rev = readRev(tx)
		return nil
	})
	return rev, err
}

// Snapshot implements Store in one bbolt read transaction.
func (b *Bolt) Snapshot(ctx context.Context, prefixes ...string) ([]KV, int64, error) {
	var out []KV
	var rev int64
	err := b.view(ctx, func(tx *bolt.Tx) error {
		rev = readRev(tx)
		for _, prefix := range prefixes {
			c := tx.Bucket(kvBucket).Cursor()
			p := []byte(prefix)
			for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
				kv, err := decodeKV(string(k), v)
				if err != nil {
					return err
				}
				out = append(out, kv)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot %q: %w", prefixes, err)
	}
	return out, rev, nil
}

// Watch implements Store.
func (b *Bolt) Watch(ctx context.Context, prefix string) (<-chan Event, error) {
	return b.watch(ctx, prefix, -1)
}

// WatchFrom implements Store: Bolt keeps no history, so rev must be the
// current revision (checked under the commit lock, so no commit falls
// between); an older one fails with ErrCompacted.
func (b *Bolt) WatchFrom(ctx context.Context, prefix string, rev int64) (<-chan Event, error) {
	return b.watch(ctx, prefix, rev)
}

// watch registers a watcher; rev >= 0 must be the current revision.
func (b *Bolt) watch(ctx context.Context, prefix string, rev int64) (<-chan Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("watch %q: %w", prefix, err)
	}
	b.commit.Lock()
	defer b.commit.Unlock()
	if rev >= 0 {
		cur, err := b.Revision(ctx)
		if err != nil {
			return nil, fmt.Errorf("watch %q: %w", prefix, err)
		}
		switch {
		case rev < cur:
			return nil, fmt.Errorf("watch %q from revision %d (current %d): %w", prefix, rev, cur, ErrCompacted)
		case rev > cur:
			return nil, fmt.Errorf("watch %q from revision %d: beyond the current %d", prefix, rev, cur)
		}
	}
	ch, err := b.hub.add(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("watch %q: %w", prefix, err)
	}
	return ch, nil
}

// Close implements Store.
func (b *Bolt) Close() error {
	b.commit.Lock()
	defer b.commit.Unlock()
	b.hub.close()
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

func (b *Bolt) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := b.db.View(fn)
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

func decodeKV(key string, raw []byte) (KV, error) {
	if len(raw) < 8 {
		return KV{}, fmt.Errorf("decode %s: record of %d bytes is too short", key, len(raw))
	}
	val := make([]byte, len(raw)-8)
	copy(val, raw[8:])
	return KV{Key: key, Value: val, Revision: int64(binary.BigEndian.Uint64(raw[:8]))}, nil
}

func encodeValue(rev int64, val []byte) []byte {
	out := make([]byte, 8+len(val))
	binary.BigEndian.PutUint64(out[:8], uint64(rev))
	copy(out[8:], val)
	return out
}

func readRev(tx *bolt.Tx) int64 {
	raw := tx.Bucket(metaBucket).Get(revKey)
	if len(raw) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(raw))
}
