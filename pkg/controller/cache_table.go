package controller

import (
	"slices"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// table holds the decoded records under one store prefix, sorted by key,
// with secondary indexes (index name → key value → records sorted by key).
// It is not safe for concurrent use: recordCache guards it.
//
// It also keeps the revision each record was written at, and of each
// recent delete, so that a change seen twice or late (a commit of this
// process applied at once and again from the store's watch, or a watch
// event older than a later commit already applied) is ignored: apply is
// idempotent and never moves a record back.
type table[T any] struct {
	keys   map[string]func(*T) string
	change func(old, cur *T) // told of every record added or removed
	recs   map[string]*T
	sorted []entry[T]
	index  map[string]map[string][]entry[T]
	revs   map[string]int64 // key → revision of its record
	gone   map[string]int64 // key → revision of its delete, until pruned
	floor  int64            // the snapshot revision: older changes are in it
}

// entry is one record with its store key, the sort order of every list.
type entry[T any] struct {
	key string
	rec *T
}

func newTable[T any](keys map[string]func(*T) string, change func(old, cur *T)) *table[T] {
	t := &table[T]{keys: keys, change: change}
	t.reset()
	return t
}

func (t *table[T]) reset() {
	t.recs, t.sorted = map[string]*T{}, nil
	t.revs, t.gone, t.floor = map[string]int64{}, map[string]int64{}, 0
	t.index = map[string]map[string][]entry[T]{}
	for name := range t.keys {
		t.index[name] = map[string][]entry[T]{}
	}
}

// put decodes raw and stores it under key, replacing any older record.
func (t *table[T]) put(key string, raw []byte) error {
	v, err := decodeRecord[T](key, raw)
	if err != nil {
		return err
	}
	t.del(key)
	e := entry[T]{key: key, rec: v}
	t.recs[key] = v
	t.sorted = insertSorted(t.sorted, e)
	for name, f := range t.keys {
		t.index[name][f(v)] = insertSorted(t.index[name][f(v)], e)
	}
	t.change(nil, v)
	return nil
}

// del removes key's record, if any.
func (t *table[T]) del(key string) {
	old, ok := t.recs[key]
	if !ok {
		return
	}
	delete(t.recs, key)
	delete(t.revs, key)
	t.sorted = removeSorted(t.sorted, key)
	for name, f := range t.keys {
		idx := t.index[name]
		if rest := removeSorted(idx[f(old)], key); len(rest) > 0 {
			idx[f(old)] = rest
		} else {
			delete(idx, f(old))
		}
	}
	t.change(old, nil)
}

// load puts a record of a snapshot read at the table's floor.
func (t *table[T]) load(kv store.KV) error {
	if err := t.put(kv.Key, kv.Value); err != nil {
		return err
	}
	t.revs[kv.Key] = kv.Revision
	return nil
}

// apply puts raw under key (or deletes key) as committed at rev, unless
// the table already reflects rev or a later change of key.
func (t *table[T]) apply(key string, raw []byte, del bool, rev int64) error {
	if rev <= t.floor || rev <= t.revs[key] || rev <= t.gone[key] {
		return nil
	}
	if del {
		t.del(key)
		t.gone[key] = rev
		return nil
	}
	if err := t.put(key, raw); err != nil {
		return err
	}
	t.revs[key] = rev
	delete(t.gone, key)
	return nil
}

// prune forgets the deletes at or before rev: no change of their keys at
// or before rev can arrive any more (the watch has passed rev, or nothing
// watches).
func (t *table[T]) prune(rev int64) {
	for k, r := range t.gone {
		if r <= rev {
			delete(t.gone, k)
		}
	}
}

// all returns every record in key order.
func (t *table[T]) all() []*T { return pick(t.sorted) }

// by returns the records whose index name has value val, in key order.
func (t *table[T]) by(name, val string) []*T { return pick(t.index[name][val]) }

func pick[T any](list []entry[T]) []*T {
	out := make([]*T, len(list))
	for i, e := range list {
		out[i] = e.rec
	}
	return out
}

func byKey[T any](e entry[T], key string) int { return strings.Compare(e.key, key) }

// insertSorted adds e to the list sorted by key (replacing one of its key).
func insertSorted[T any](list []entry[T], e entry[T]) []entry[T] {
	i, found := slices.BinarySearchFunc(list, e.key, byKey[T])
	if found {
		list[i] = e
		return list
	}
	return slices.Insert(list, i, e)
}

// removeSorted drops key's entry from the sorted list (a no-op when absent).
func removeSorted[T any](list []entry[T], key string) []entry[T] {
	i, found := slices.BinarySearchFunc(list, key, byKey[T])
	if !found {
		return list
	}
	return slices.Delete(list, i, i+1)
}
