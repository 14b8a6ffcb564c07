package store

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// listPage bounds one List response; longer lists are read in pages at
// the first page's revision, so the result is one consistent snapshot.
const listPage = 1000

// List implements Store.
func (e *Etcd) List(ctx context.Context, prefix string) ([]KV, error) {
	if err := e.live(); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	out, _, err := e.listAt(ctx, prefix, 0)
	return out, err
}

// Snapshot implements Store: the first read fixes the revision, every
// other page and prefix is read at it.
func (e *Etcd) Snapshot(ctx context.Context, prefixes ...string) ([]KV, int64, error) {
	if err := e.live(); err != nil {
		return nil, 0, fmt.Errorf("snapshot %q: %w", prefixes, err)
	}
	rev, err := e.etcdRevision(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot %q: %w", prefixes, err)
	}
	var out []KV
	for _, p := range prefixes {
		kvs, _, err := e.listAt(ctx, p, rev)
		if err != nil {
			return nil, 0, fmt.Errorf("snapshot: %w", err)
		}
		out = append(out, kvs...)
	}
	return out, fromEtcdRev(rev), nil
}

// listAt lists prefix at etcd revision rev (0: the current one) and
// returns the etcd revision it read at.
func (e *Etcd) listAt(ctx context.Context, prefix string, rev int64) ([]KV, int64, error) {
	end := clientv3.GetPrefixRangeEnd(prefix)
	opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(listPage)}
	if rev > 0 {
		opts = append(opts, clientv3.WithRev(rev))
	}
	from := prefix
	if from == "" {
		from = "\x00" // the smallest key; etcd refuses an empty one
	}
	var out []KV
	for {
		resp, err := e.kv.Get(ctx, from, opts...)
		if err != nil {
			return nil, 0, fmt.Errorf("list %q: %w", prefix, e.wrapErr(err))
		}
		for _, kv := range resp.Kvs {
			out = append(out, KV{Key: string(kv.Key), Value: nonNil(kv.Value), Revision: fromEtcdRev(kv.ModRevision)})
		}
		if rev == 0 {
			rev = resp.Header.Revision
			opts = append(opts, clientv3.WithRev(rev))
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return out, rev, nil
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
}
