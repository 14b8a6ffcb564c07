package controller

import (
	"context"
	"errors"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// followRetry is the wait between tries to reload and watch again after a
// watch ended and the first reload failed.
const followRetry = time.Second

// follower is the record cache's subscription to the store's changes (on
// a shared store only; see recordCache). Each reload starts a new
// generation: a snapshot at revision R and one watch per prefix from R.
// Events of an older generation are dropped, and a watch that ends
// (compaction, lost etcd leader) reloads and subscribes again.
type follower struct {
	on     bool               // the store is shared: follow it
	gen    uint64             // current generation; guarded by recordCache.mu
	cancel context.CancelFunc // ends the current generation's watches; guarded by recordCache.commit
}

// subscribe starts the watches of the generation just loaded at rev; the
// caller holds c.commit.
func (c *recordCache) subscribe(rev int64) error {
	if !c.follow.on {
		return nil
	}
	if c.follow.cancel != nil {
		c.follow.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.follow.cancel = cancel
	c.mu.RLock()
	gen := c.follow.gen
	c.mu.RUnlock()
	for _, prefix := range []string{prefixInstance, prefixVolume} {
		ch, err := c.Store.WatchFrom(ctx, prefix, rev)
		if err != nil {
			cancel()
			return err
		}
		go c.consume(ctx, gen, ch)
	}
	return nil
}

// consume applies the events of one watch of generation gen until it
// ends; when the store ended it, it reloads and subscribes again.
func (c *recordCache) consume(ctx context.Context, gen uint64, ch <-chan store.Event) {
	for ev := range ch {
		if !c.applyEvent(gen, ev) {
			return
		}
	}
	if ctx.Err() == nil {
		c.resubscribe(gen)
	}
}

// applyEvent applies ev to the cache unless gen is over (false).
func (c *recordCache) applyEvent(gen uint64, ev store.Event) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.follow.gen != gen {
		return false
	}
	t := c.tableFor(ev.KV.Key)
	if t == nil {
		return true
	}
	if err := t.apply(ev.KV.Key, ev.KV.Value, ev.Type == store.EventDelete, ev.KV.Revision); err != nil {
		c.stale = true // the next read reloads (and subscribes again)
	}
	t.prune(ev.KV.Revision)
	return true
}

// resubscribe reloads the cache after generation gen's watch ended, until
// it succeeds, another reload replaced gen, or the store is closed.
func (c *recordCache) resubscribe(gen uint64) {
	for {
		c.commit.Lock()
		c.mu.RLock()
		current := c.follow.gen == gen
		c.mu.RUnlock()
		if !current {
			c.commit.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := c.reload(ctx)
		cancel()
		c.commit.Unlock()
		if err == nil || errors.Is(err, store.ErrClosed) {
			return
		}
		c.setStale() // reads reload meanwhile, or fail
		time.Sleep(followRetry)
	}
}
