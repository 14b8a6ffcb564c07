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
	end := clientv3.GetPrefixRangeEnd(prefix)
	opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(listPage)}
	from := prefix
	if from == "" {
		from = "\x00" // the smallest key; etcd refuses an empty one
	}
	var out []KV
	for {
		resp, err := e.kv.Get(ctx, from, opts...)
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, e.wrapErr(err))
		}
		for _, kv := range resp.Kvs {
			out = append(out, KV{Key: string(kv.Key), Value: nonNil(kv.Value), Revision: fromEtcdRev(kv.ModRevision)})
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return out, nil
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
		if len(opts) == 2 {
			opts = append(opts, clientv3.WithRev(resp.Header.Revision))
		}
	}
}
