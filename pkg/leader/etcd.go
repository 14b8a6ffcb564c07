package leader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// Defaults of EtcdOptions.
const (
	// DefaultTTL is the session lease's TTL in seconds: how long a dead
	// leader keeps the region without one.
	DefaultTTL = 5
	// ElectionKey is the election's key prefix under the store's prefix;
	// each candidate's key is this plus its lease ID.
	ElectionKey = "leader/"
	// retryWait is the pause after a failed session or campaign.
	retryWait = time.Second
)

// EtcdOptions tune an Etcd elector.
type EtcdOptions struct {
	// Name identifies this replica in the election key's value (e.g. its
	// API address); for people reading etcd.
	Name string
	// TTL is the lease TTL in seconds (default DefaultTTL).
	TTL int
	// Log receives the elector's transitions (default slog.Default()).
	Log *slog.Logger
}

// Etcd is the Elector of replicas sharing an etcd store.
type Etcd struct {
	st   *store.Etcd
	opts EtcdOptions
	pfx  string // full etcd key prefix of the election
}

var _ Elector = (*Etcd)(nil)

// NewEtcd returns an elector campaigning on st's cluster, under st's
// prefix.
func NewEtcd(st *store.Etcd, opts EtcdOptions) *Etcd {
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Etcd{st: st, opts: opts, pfx: st.Prefix() + ElectionKey}
}

// Run implements Elector: campaign, lead until deposed, resign, and again,
// until ctx ends or the store's client is closed.
func (e *Etcd) Run(ctx context.Context, lead func(context.Context)) error {
	for ctx.Err() == nil {
		err := e.term(ctx, lead)
		if ctx.Err() != nil {
			break
		}
		if e.st.Client().Ctx().Err() != nil {
			return fmt.Errorf("leader election: etcd client closed: %w", store.ErrClosed)
		}
		if err != nil {
			e.opts.Log.Warn("leader election: campaign failed; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(retryWait):
			}
		}
	}
	return nil
}

// term is one session: campaign, then lead until the session's lease is
// lost, the election key goes, etcd loses quorum or ctx ends. Closing the
// session at the end revokes the lease (when etcd is reachable), so a
// follower takes over at once rather than after the TTL.
func (e *Etcd) term(ctx context.Context, lead func(context.Context)) error {
	sess, err := concurrency.NewSession(e.st.Client(), concurrency.WithTTL(e.opts.TTL))
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	defer sess.Close()
	live, cancel := context.WithCancel(ctx) // ends with the session
	defer cancel()
	go func() {
		select {
		case <-sess.Done():
			cancel()
		case <-live.Done():
		}
	}()
	el := concurrency.NewElection(sess, e.pfx)
	if err := el.Campaign(live, e.opts.Name); err != nil {
		if live.Err() != nil && ctx.Err() == nil {
			return errors.New("session lost while campaigning")
		}
		return fmt.Errorf("campaign: %w", err)
	}
	guard, err := e.st.GuardFor(el.Key(), el.Rev())
	if err != nil {
		return err
	}
	lctx, depose := context.WithCancel(store.WithGuard(live, guard))
	defer depose()
	// Deposed when the key goes (deleted, or its lease expired) or the
	// watch ends (the member lost its etcd leader, or ctx ended).
	wch := e.st.Client().Watch(clientv3.WithRequireLeader(lctx), el.Key(), clientv3.WithRev(el.Rev()+1),
		clientv3.WithFilterPut())
	e.opts.Log.Info("leader election: elected", "key", el.Key(), "revision", el.Rev(), "ttl_s", e.opts.TTL)
	done := make(chan struct{})
	go func() {
		defer close(done)
		lead(lctx)
	}()
	why := "stopped"
	select {
	case <-lctx.Done():
		if ctx.Err() == nil {
			why = "session lost"
		}
	case resp, ok := <-wch:
		switch {
		case !ok || resp.Canceled || resp.Err() != nil:
			why = fmt.Sprintf("watch of the election key ended: %v", resp.Err())
		default:
			why = "election key gone"
		}
	}
	depose()
	<-done
	e.opts.Log.Info("leader election: deposed", "key", el.Key(), "why", why)
	return nil
}
