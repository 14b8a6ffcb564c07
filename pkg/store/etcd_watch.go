package store

import (
	"context"
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Watch implements Store with an etcd watch on prefix that starts just after
// the revision current when it is called: every later commit is delivered
// and none before it. The watch requires a leader, so a member cut off from
// the cluster cannot stall it silently.
//
// Beyond the contract's ctx end and Close, the channel also closes when etcd
// ends the watch: the start revision was compacted, the member lost its
// leader, or etcd cancelled it. No event is lost or reordered before that;
// a watcher that must keep following re-reads what it needs and watches
// again.
func (e *Etcd) Watch(ctx context.Context, prefix string) (<-chan Event, error) {
	rev, err := e.etcdRevision(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch %q: %w", prefix, err)
	}
	return e.watchFrom(ctx, prefix, rev)
}

// WatchFrom implements Store with an etcd watch from rev+1. When rev was
// compacted, etcd ends the watch at once and the channel closes before
// any event.
func (e *Etcd) WatchFrom(ctx context.Context, prefix string, rev int64) (<-chan Event, error) {
	if rev < 0 {
		return nil, fmt.Errorf("watch %q from revision %d: invalid", prefix, rev)
	}
	return e.watchFrom(ctx, prefix, toEtcdRev(rev))
}

// watchFrom watches prefix for the events after etcd revision rev.
func (e *Etcd) watchFrom(ctx context.Context, prefix string, rev int64) (<-chan Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, fmt.Errorf("watch %q: %w", prefix, ErrClosed)
	}
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	stop := context.AfterFunc(e.done, cancel)
	opts := []clientv3.OpOption{clientv3.WithRange(clientv3.GetPrefixRangeEnd(prefix)), clientv3.WithRev(rev + 1)}
	from := prefix
	if from == "" {
		from = "\x00"
	}
	wch := e.watcher.Watch(wctx, from, opts...)
	out := make(chan Event)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(out)
		defer stop()
		defer cancel()
		e.pumpWatch(wctx, prefix, wch, out)
	}()
	return out, nil
}

// pumpWatch forwards the events of wch to out, in order, until ctx ends or
// etcd ends the watch.
func (e *Etcd) pumpWatch(ctx context.Context, prefix string, wch clientv3.WatchChan, out chan<- Event) {
	for resp := range wch {
		if err := resp.Err(); err != nil || resp.Canceled {
			if ctx.Err() == nil {
				e.log.Warn("etcd store: watch ended; closing its channel", "prefix", prefix, "err", err,
					"compact_revision", resp.CompactRevision)
			}
			return
		}
		for _, ev := range resp.Events {
			select {
			case out <- watchEvent(ev):
			case <-ctx.Done():
				return
			}
		}
	}
}

func watchEvent(ev *clientv3.Event) Event {
	kv := KV{Key: string(ev.Kv.Key), Revision: fromEtcdRev(ev.Kv.ModRevision)}
	if ev.Type == mvccpb.DELETE {
		return Event{Type: EventDelete, KV: kv}
	}
	kv.Value = nonNil(ev.Kv.Value)
	return Event{Type: EventPut, KV: kv}
}
