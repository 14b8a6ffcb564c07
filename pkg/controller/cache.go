package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// recordCache is the store the Service talks to: it passes every call to
// the backing store and keeps decoded, indexed copies of the instance and
// volume records so that hot paths read them without scanning and decoding
// the whole prefix. The store stays the source of truth: the cache is
// loaded from it at start, and every commit made through Txn is applied to
// the cache, in commit order, before Txn returns, so a read never sees a
// state older than a commit this process made. A commit that ends with an
// ambiguous error marks the cache stale, and the next read reloads it.
//
// On a shared store (etcd: several ec2d replicas, store.Shared) the cache
// also follows the other writers (cache_follow.go): it loads a Snapshot of
// its prefixes and watches them from the snapshot's revision, so nothing
// committed between load and watch is lost, and applies every event. Its
// own commits come back through the watch too; the tables' revisions make
// applying them again a no-op (cache_table.go), so usage is counted once.
// On bbolt (one process) nothing else writes: writers that bypass the
// Service (the raw store) are not seen.
//
// Records handed out are shared: callers must treat them as read-only.
type recordCache struct {
	store.Store
	commit sync.Mutex // orders commits and their application
	mu     sync.RWMutex
	stale  bool
	inst   *table[Instance]
	vol    *table[Volume]
	use    usageSums
	addrs  addrIndex
	follow follower
}

// newRecordCache wraps st and loads the records; use says what capacity
// an instance holds (usageOf).
func newRecordCache(ctx context.Context, st store.Store, use func(*Instance) (usage, bool)) (*recordCache, error) {
	c := &recordCache{Store: st, use: usageSums{of: use}, follow: follower{on: store.Shared(st)}}
	c.inst = newTable(map[string]func(*Instance) string{
		"owner":  func(in *Instance) string { return in.Owner },
		"host":   func(in *Instance) string { return in.HostID },
		"subnet": func(in *Instance) string { return in.SubnetID },
		"pgroup": func(in *Instance) string { return in.PlacementGroup },
	}, func(old, cur *Instance) { c.use.change(old, cur); c.addrs.change(old, cur) })
	c.vol = newTable(map[string]func(*Volume) string{
		"owner": func(v *Volume) string { return v.Owner },
	}, func(_, _ *Volume) {})
	c.commit.Lock()
	defer c.commit.Unlock()
	return c, c.reload(ctx)
}

// reload rebuilds the cache from a snapshot of the store and, when it
// follows the store, watches again from the snapshot's revision; the
// caller holds c.commit.
func (c *recordCache) reload(ctx context.Context) error {
	kvs, rev, err := c.Store.Snapshot(ctx, prefixInstance, prefixVolume)
	if err != nil {
		return fmt.Errorf("load instances and volumes: %w", err)
	}
	if err := c.loadSnapshot(kvs, rev); err != nil {
		return err
	}
	if err := c.subscribe(rev); err != nil {
		c.setStale()
		return err
	}
	return nil
}

// loadSnapshot replaces the tables' content with kvs, read at rev.
func (c *recordCache) loadSnapshot(kvs []store.KV, rev int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.follow.gen++ // the watches of the old content stop applying
	c.inst.reset()
	c.vol.reset()
	c.use.reset()
	c.addrs.reset()
	c.inst.floor, c.vol.floor = rev, rev
	for _, kv := range kvs {
		t := c.tableFor(kv.Key)
		if t == nil {
			continue
		}
		if err := t.load(kv); err != nil {
			c.stale = true
			return err
		}
	}
	c.stale = false
	return nil
}

// Txn commits through the backing store, then applies the ops to the cache.
func (c *recordCache) Txn(ctx context.Context, ops ...store.Op) (int64, error) {
	c.commit.Lock()
	defer c.commit.Unlock()
	rev, err := c.Store.Txn(ctx, ops...)
	if err != nil {
		if !errors.Is(err, store.ErrConflict) && touchesCache(ops) {
			c.setStale() // the commit may or may not have happened
		}
		return rev, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range ops {
		t := c.tableFor(op.Key)
		if t == nil {
			continue
		}
		if err := t.apply(op.Key, op.Value, op.Delete, rev); err != nil {
			c.stale = true
			return rev, nil // committed: the reload on the next read repairs the cache
		}
	}
	if !c.follow.on { // no watch will bring older changes: forget the deletes
		c.inst.prune(rev)
		c.vol.prune(rev)
	}
	return rev, nil
}

// cacheTable is what the cache does with a table of any record type.
type cacheTable interface {
	load(store.KV) error
	apply(key string, raw []byte, del bool, rev int64) error
	prune(rev int64)
}

// tableFor is the typed table a key belongs in (nil: none).
func (c *recordCache) tableFor(key string) cacheTable {
	switch {
	case strings.HasPrefix(key, prefixInstance):
		return c.inst
	case strings.HasPrefix(key, prefixVolume):
		return c.vol
	}
	return nil
}

func touchesCache(ops []store.Op) bool {
	for _, op := range ops {
		if strings.HasPrefix(op.Key, prefixInstance) || strings.HasPrefix(op.Key, prefixVolume) {
			return true
		}
	}
	return false
}

func (c *recordCache) setStale() {
	c.mu.Lock()
	c.stale = true
	c.mu.Unlock()
}

// read runs fn under the read lock, reloading a stale cache first.
func (c *recordCache) read(ctx context.Context, fn func()) error {
	c.mu.RLock()
	stale := c.stale
	if !stale {
		defer c.mu.RUnlock()
		fn()
		return nil
	}
	c.mu.RUnlock()
	c.commit.Lock()
	err := c.reload(ctx)
	c.commit.Unlock()
	if err != nil {
		return fmt.Errorf("reload record cache: %w", err)
	}
	return c.read(ctx, fn)
}

// instances returns every instance record, sorted by ID.
func (s *Service) instances(ctx context.Context) (out []*Instance, err error) {
	err = s.cache.read(ctx, func() { out = s.cache.inst.all() })
	return out, err
}

// instancesBy returns the instances whose index key (owner, host or
// subnet) is val, sorted by ID.
func (s *Service) instancesBy(ctx context.Context, key, val string) (out []*Instance, err error) {
	err = s.cache.read(ctx, func() { out = s.cache.inst.by(key, val) })
	return out, err
}

// volumes returns every volume record, sorted by ID.
func (s *Service) volumes(ctx context.Context) (out []*Volume, err error) {
	err = s.cache.read(ctx, func() { out = s.cache.vol.all() })
	return out, err
}

// volumesOf returns the account's volumes, sorted by ID.
func (s *Service) volumesOf(ctx context.Context, acct string) (out []*Volume, err error) {
	err = s.cache.read(ctx, func() { out = s.cache.vol.by("owner", acct) })
	return out, err
}

// decodeRecord decodes a record value; the slices it holds are clipped so
// that an append by a reader never writes into memory the cache shares.
func decodeRecord[T any](key string, raw []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", key, err)
	}
	switch r := any(v).(type) {
	case *Instance:
		r.Tags, r.BlockDevices, r.SecurityGroups = slices.Clip(r.Tags), slices.Clip(r.BlockDevices), slices.Clip(r.SecurityGroups)
		r.ENITags = slices.Clip(r.ENITags)
		r.UserData = slices.Clip(r.UserData)
	case *Volume:
		r.Tags, r.KeyCipher = slices.Clip(r.Tags), slices.Clip(r.KeyCipher)
	}
	return v, nil
}

// ownedInstanceRefs is ownedInstances returning the shared records, sorted
// by ID when idList is empty.
func (s *Service) ownedInstanceRefs(ctx context.Context, acct string, idList []string) ([]*Instance, error) {
	if len(idList) == 0 {
		return s.instancesBy(ctx, "owner", acct)
	}
	list, err := s.ownedInstances(ctx, acct, idList)
	out := make([]*Instance, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out, err
}

// refIDs sorts list by instance ID (a no-op on cache order) and returns
// the IDs.
func refIDs(list []*Instance) []string {
	slices.SortStableFunc(list, func(a, b *Instance) int { return strings.Compare(a.ID, b.ID) })
	out := make([]string, len(list))
	for i, in := range list {
		out[i] = in.ID
	}
	return out
}

func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}
