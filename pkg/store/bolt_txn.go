package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Txn implements Store: checks every ExpectRevision, then applies all ops
// at revision+1 in a single bbolt commit, then publishes the events.
func (b *Bolt) Txn(ctx context.Context, ops ...Op) (int64, error) {
	if err := validateOps(ops); err != nil {
		return 0, err
	}
	if g, ok := GuardFrom(ctx); ok {
		return 0, fmt.Errorf("txn: guard %s: a bbolt store has no elections to fence", g)
	}
	if len(ops) == 0 {
		return b.Revision(ctx)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("txn: %w", err)
	}
	b.commit.Lock()
	defer b.commit.Unlock()
	var rev int64
	var evs []Event
	err := b.db.Update(func(tx *bolt.Tx) error {
		var err error
		rev, evs, err = applyOps(tx, ops)
		return err
	})
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		err = ErrClosed
	}
	if err != nil {
		return 0, fmt.Errorf("txn: %w", err)
	}
	if len(evs) > 0 {
		b.hub.publish(evs)
	}
	return rev, nil
}

// applyOps runs inside the write transaction; returning an error rolls
// everything back.
func applyOps(tx *bolt.Tx, ops []Op) (int64, []Event, error) {
	kv := tx.Bucket(kvBucket)
	for _, op := range ops {
		if err := checkRev(kv, op); err != nil {
			return 0, nil, err
		}
	}
	rev := readRev(tx) + 1
	evs := make([]Event, 0, len(ops))
	for _, op := range ops {
		k := []byte(op.Key)
		if op.Delete {
			if kv.Get(k) == nil {
				continue
			}
			if err := kv.Delete(k); err != nil {
				return 0, nil, fmt.Errorf("delete %s: %w", op.Key, err)
			}
			evs = append(evs, Event{Type: EventDelete, KV: KV{Key: op.Key, Revision: rev}})
			continue
		}
		if err := kv.Put(k, encodeValue(rev, op.Value)); err != nil {
			return 0, nil, fmt.Errorf("put %s: %w", op.Key, err)
		}
		val := append([]byte(nil), op.Value...)
		evs = append(evs, Event{Type: EventPut, KV: KV{Key: op.Key, Value: val, Revision: rev}})
	}
	if len(evs) == 0 { // only deletes of absent keys: nothing changed
		return rev - 1, nil, nil
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(rev))
	if err := tx.Bucket(metaBucket).Put(revKey, buf[:]); err != nil {
		return 0, nil, fmt.Errorf("bump revision: %w", err)
	}
	return rev, evs, nil
}

func checkRev(kv *bolt.Bucket, op Op) error {
	if op.ExpectRevision == AnyRevision {
		return nil
	}
	var cur int64
	if raw := kv.Get([]byte(op.Key)); raw != nil {
		if len(raw) < 8 {
			return fmt.Errorf("key %s: corrupt record", op.Key)
		}
		cur = int64(binary.BigEndian.Uint64(raw[:8]))
	}
	if cur != op.ExpectRevision {
		return fmt.Errorf("key %s: expected revision %d, have %d: %w", op.Key, op.ExpectRevision, cur, ErrConflict)
	}
	return nil
}
