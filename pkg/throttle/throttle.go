// Package throttle limits each account's API requests as EC2 does
// ("Request throttling for the Amazon EC2 API"): token buckets per account
// and action, sized by the action's class (mutating, non-mutating,
// unfiltered and unpaginated non-mutating), and resource buckets that the
// instance lifecycle calls draw one token per instance from. A request
// over its bucket is refused with RequestLimitExceeded and a hint of when
// a token will be there; both edges (gRPC and the Query API) share one
// Limiter, so an account's budget is the same whichever way it calls.
package throttle

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Class names a kind of bucket.
type Class string

// The request classes (one bucket per account and action, of the class's
// size) and the resource classes (one bucket per account).
const (
	Mutating              Class = "mutating"
	NonMutating           Class = "non_mutating"
	UnfilteredNonMutating Class = "unfiltered_non_mutating"
	RunInstancesResource  Class = "run_instances_resource"
	StartInstancesRes     Class = "start_instances_resource"
	StopInstancesRes      Class = "stop_instances_resource"
	TerminateInstancesRes Class = "terminate_instances_resource"
)

// Bucket is a token bucket: Size tokens at most, Refill tokens a second.
type Bucket struct {
	Size   int     `json:"size"`
	Refill float64 `json:"refill"`
}

// Defaults are EC2's default buckets.
var Defaults = map[Class]Bucket{
	Mutating:              {Size: 200, Refill: 5},
	NonMutating:           {Size: 100, Refill: 20},
	UnfilteredNonMutating: {Size: 50, Refill: 10},
	RunInstancesResource:  {Size: 1000, Refill: 2},
	StartInstancesRes:     {Size: 1000, Refill: 2},
	StopInstancesRes:      {Size: 1000, Refill: 20},
	TerminateInstancesRes: {Size: 1000, Refill: 20},
}

// resourceClass is the resource bucket an action draws instances from.
var resourceClass = map[string]Class{
	"RunInstances":       RunInstancesResource,
	"StartInstances":     StartInstancesRes,
	"StopInstances":      StopInstancesRes,
	"TerminateInstances": TerminateInstancesRes,
}

// Config is the `throttling:` section of the region config: buckets that
// replace EC2's defaults for every account, and per account.
type Config struct {
	// Disabled turns throttling off.
	Disabled bool                        `json:"disabled"`
	Buckets  map[Class]Bucket            `json:"buckets"`
	Accounts map[string]map[Class]Bucket `json:"accounts"`
}

// Validate refuses unknown classes and empty buckets.
func (c Config) Validate() error {
	check := func(where string, m map[Class]Bucket) error {
		for cl, b := range m {
			if _, ok := Defaults[cl]; !ok {
				return fmt.Errorf("throttling %s: unknown class %q", where, cl)
			}
			if b.Size < 1 || b.Refill <= 0 {
				return fmt.Errorf("throttling %s: %s needs a size of at least 1 and a positive refill", where, cl)
			}
		}
		return nil
	}
	if err := check("buckets", c.Buckets); err != nil {
		return err
	}
	for acct, m := range c.Accounts {
		if err := check("account "+acct, m); err != nil {
			return err
		}
	}
	return nil
}

// bucket is the bucket of class for acct.
func (c Config) bucket(acct string, class Class) Bucket {
	if b, ok := c.Accounts[acct][class]; ok {
		return b
	}
	if b, ok := c.Buckets[class]; ok {
		return b
	}
	return Defaults[class]
}

// Request is one API call to admit.
type Request struct {
	Account, Action string
	// Filtered: a non-mutating call that names IDs, filters or a page
	// size (EC2 counts the others against a smaller bucket).
	Filtered bool
	// Instances is how many instances a lifecycle call acts on (its
	// resource tokens).
	Instances int
}

// ClassOf is the request class of an action.
func ClassOf(action string, filtered bool) Class {
	if !strings.HasPrefix(action, "Describe") && !strings.HasPrefix(action, "Get") {
		return Mutating
	}
	if filtered {
		return NonMutating
	}
	return UnfilteredNonMutating
}

// Limiter holds the buckets. The zero value is not usable: use New.
type Limiter struct {
	cfg Config
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter // account/action/class, or account/resource class
}

// New returns a Limiter over cfg (nil when throttling is disabled, which
// Allow accepts: a nil Limiter admits everything).
func New(cfg Config) *Limiter {
	if cfg.Disabled {
		return nil
	}
	return &Limiter{cfg: cfg, now: time.Now, buckets: map[string]*rate.Limiter{}}
}

// SetClock replaces the limiter's clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

func (l *Limiter) get(acct, name string, class Class) *rate.Limiter {
	k := acct + "/" + name
	b, ok := l.buckets[k]
	if !ok {
		c := l.cfg.bucket(acct, class)
		b = rate.NewLimiter(rate.Limit(c.Refill), c.Size)
		l.buckets[k] = b
	}
	return b
}

// Allow takes the request's tokens, or none and returns a
// RequestLimitExceeded error carrying when to retry (RetryAfter).
func (l *Limiter) Allow(r Request) error {
	if l == nil || r.Account == "" {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	class := ClassOf(r.Action, r.Filtered)
	req := l.get(r.Account, r.Action+"/"+string(class), class).ReserveN(now, 1)
	wait := delay(req, now)
	if rc, ok := resourceClass[r.Action]; ok && r.Instances > 0 && wait == 0 {
		res := l.get(r.Account, string(rc), rc).ReserveN(now, r.Instances)
		if wait = delay(res, now); wait > 0 {
			req.CancelAt(now)
		}
	}
	if wait == 0 {
		return nil
	}
	return &Throttled{RetryAfter: wait, err: ec2err.New(ec2err.RequestLimitExceeded, "Request limit exceeded.")}
}

// delay is how long r must wait (a reservation that can never be met, as
// one over the bucket's size, waits an hour); one that must wait is
// cancelled, so a refused request takes no tokens.
func delay(r *rate.Reservation, now time.Time) time.Duration {
	if !r.OK() {
		return time.Hour
	}
	d := r.DelayFrom(now)
	if d > 0 {
		r.CancelAt(now)
	}
	return d
}

// Throttled is a refused request: RequestLimitExceeded, and how long
// until its tokens are there.
type Throttled struct {
	RetryAfter time.Duration
	err        *ec2err.Error
}

func (t *Throttled) Error() string { return t.err.Error() }

// Unwrap gives the EC2 error, so the edges map the code as any other.
func (t *Throttled) Unwrap() error { return t.err }

// RetryAfter is the wait a throttled err carries.
func RetryAfter(err error) (time.Duration, bool) {
	var t *Throttled
	if errors.As(err, &t) {
		return t.RetryAfter, true
	}
	return 0, false
}
