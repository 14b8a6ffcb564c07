package auth

import (
	"sync"
	"time"
)

// replayCache remembers the nonces of accepted gRPC signatures until
// their signatures expire, so that each is accepted once. It holds at most
// max entries: when full of live entries it refuses new ones rather than
// forget one that could then be replayed.
type replayCache struct {
	mu        sync.Mutex
	seen      map[string]time.Time // access key "/" nonce → when its signature expires
	max       int
	lastSweep time.Time
}

// replayCacheSize bounds the cache: 15 minutes of about 290 signed calls a
// second, a few tens of MiB at most.
const replayCacheSize = 1 << 18

// replaySweepEvery is how often add drops expired entries.
const replaySweepEvery = time.Minute

func newReplayCache(max int) *replayCache {
	return &replayCache{seen: map[string]time.Time{}, max: max}
}

// replayResult is what add found.
type replayResult int

const (
	replayFresh replayResult = iota // first use: recorded
	replaySeen                      // a second use within the window
	replayFull                      // no room for another live entry
)

// add records id as used until expires, at server time now.
func (c *replayCache) add(id string, expires, now time.Time) replayResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.lastSweep) >= replaySweepEvery || len(c.seen) >= c.max {
		c.sweep(now)
	}
	if exp, ok := c.seen[id]; ok && now.Before(exp) {
		return replaySeen
	}
	if len(c.seen) >= c.max {
		return replayFull
	}
	c.seen[id] = expires
	return replayFresh
}

func (c *replayCache) sweep(now time.Time) {
	for id, exp := range c.seen {
		if !now.Before(exp) {
			delete(c.seen, id)
		}
	}
	c.lastSweep = now
}
