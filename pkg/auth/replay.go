package auth

import (
	"sync"
	"time"
)

// replayCache remembers the nonces of accepted gRPC signatures until
// their signatures expire, so that each is accepted once. It holds at most
// max entries, and at most maxPerKey of one access key, so that one key
// cannot fill it for everyone: when full of live entries it refuses new
// ones (of that key, or of all) rather than forget one that could then be
// replayed.
type replayCache struct {
	mu        sync.Mutex
	seen      map[string]replayEntry // access key "/" nonce
	perKey    map[string]int         // live entries per access key
	max       int
	maxPerKey int
	lastSweep time.Time
}

type replayEntry struct {
	key     string
	expires time.Time // when its signature expires
}

// replayCacheSize bounds the cache: 15 minutes of about 290 signed calls a
// second, a few tens of MiB at most; one key may hold a quarter of it
// (about 73 calls a second for 15 minutes, above every throttling bucket).
const (
	replayCacheSize   = 1 << 18
	replayCachePerKey = replayCacheSize / 4
)

// replaySweepEvery is how often add drops expired entries (also when a
// limit is reached, at most once a second).
const replaySweepEvery = time.Minute

func newReplayCache(max, maxPerKey int) *replayCache {
	return &replayCache{seen: map[string]replayEntry{}, perKey: map[string]int{}, max: max, maxPerKey: maxPerKey}
}

// replayResult is what add found.
type replayResult int

const (
	replayFresh replayResult = iota // first use: recorded
	replaySeen                      // a second use within the window
	replayFull                      // no room for another live entry
)

// add records key's nonce as used until expires, at server time now.
func (c *replayCache) add(key, nonce string, expires, now time.Time) replayResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	full := len(c.seen) >= c.max || c.perKey[key] >= c.maxPerKey
	if since := now.Sub(c.lastSweep); since >= replaySweepEvery || (full && since >= time.Second) {
		c.sweep(now)
	}
	id := key + "/" + nonce
	if e, ok := c.seen[id]; ok && now.Before(e.expires) {
		return replaySeen
	}
	if len(c.seen) >= c.max || c.perKey[key] >= c.maxPerKey {
		return replayFull
	}
	c.seen[id] = replayEntry{key: key, expires: expires}
	c.perKey[key]++
	return replayFresh
}

func (c *replayCache) sweep(now time.Time) {
	for id, e := range c.seen {
		if !now.Before(e.expires) {
			delete(c.seen, id)
			if c.perKey[e.key]--; c.perKey[e.key] <= 0 {
				delete(c.perKey, e.key)
			}
		}
	}
	c.lastSweep = now
}
