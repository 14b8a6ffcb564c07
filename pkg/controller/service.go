package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Service owns the region's resources.
type Service struct {
	cfg   Config
	st    store.Store
	types *instancetypes.Catalog
	log   *slog.Logger
	now   func() time.Time

	// Lock order, where a call holds several: netMu, then mu, then eipMu
	// (never the other way: StartInstances holds mu while it takes eipMu).
	mu     sync.Mutex
	agents map[string]host.Host     // host ID → its agent
	pools  map[string]*storage.Pool // AZ → shared pool
	kick   chan struct{}
	// inflight guards per-resource work so two workers never act on one record.
	inflight sync.Map
	// net remembers what network was last pushed to each agent (netsync.go).
	net netSync
	// reports are the hosts' last heartbeat lists (instance_status_reports.go).
	reports hostReports
	// masterKey seals volume keys (volume_keys.go); nil: no encryption.
	// keyMu guards it alone, so it can be read under mu (RunInstances).
	keyMu     sync.RWMutex
	masterKey []byte
	// cache is st seen as the record cache (cache.go); st is the cache.
	cache *recordCache
	// peerDial reaches other regions for copies (copy_peer.go).
	peerDial PeerDialer
	// netMu serialises the changes of internet gateways, route tables and
	// their associations, whose checks span several records (igws.go).
	netMu sync.Mutex
	// quotaLocks serialise quota checks with their writes (quotas.go).
	quotaLocks quotaLocks
	// asgHealth is when the groups' health check first ran (asg_health.go).
	asgHealth healthWatch
	// asgPrune spaces out the pruning of scaling activities (asg_activities.go).
	asgPrune activityPruner
	// hooks are what each resource registered with the reconciler and
	// the garbage collector (hooks.go), in New.
	hooks hooks
	// gc is the garbage collector's memory (gc.go).
	gc gcState
	// compact spaces out compactor passes (compactor.go).
	compact compactState
	// loop is what the reconciler's passes leave behind (observe.go).
	loop loopState
	// eipPool is the region's Elastic IP pool (addresses_pool.go); eipMu
	// serialises associations, so an interface address gets one address.
	eipPool ElasticIPPool
	eipMu   sync.Mutex
}

// New builds the service. cfg must be validated.
func New(cfg Config, st store.Store, log *slog.Logger) (*Service, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	types, err := instancetypes.Default().With(cfg.InstanceTypes)
	if err != nil {
		return nil, fmt.Errorf("instance types: %w", err)
	}
	cache, err := newRecordCache(context.Background(), st, usageOf(types))
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, st: cache, cache: cache, types: types, log: log, now: time.Now,
		agents: map[string]host.Host{}, pools: map[string]*storage.Pool{},
		kick: make(chan struct{}, 1), peerDial: dialPeerGRPC}
	if s.eipPool, err = ParseElasticIPPool(cfg.ElasticIPPool); err != nil {
		return nil, fmt.Errorf("region %s: %w", cfg.Region, err)
	}
	for _, z := range cfg.AvailabilityZones {
		p, err := storage.New(z.Pool)
		if err != nil {
			return nil, fmt.Errorf("zone %s pool: %w", z.Name, err)
		}
		s.pools[z.Name] = p
	}
	s.register()
	return s, nil
}

// Config returns the region config in force.
func (s *Service) Config() Config { return s.cfg }

// Types returns the instance type catalog.
func (s *Service) Types() *instancetypes.Catalog { return s.types }

// Pool returns the shared pool of an AZ.
func (s *Service) Pool(az string) (*storage.Pool, bool) {
	p, ok := s.pools[az]
	return p, ok
}

// Kick wakes the reconciler.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// account returns the calling account, from the authenticated key in ctx.
func account(ctx context.Context) (string, error) {
	k, ok := auth.FromContext(ctx)
	if !ok || k.AccountID == "" {
		return "", ec2err.New(ec2err.AuthFailure, "request is not authenticated")
	}
	return k.AccountID, nil
}

// update reads the JSON record at key, applies fn and writes it back with a
// revision check, retrying on conflicts.
func update[T any](ctx context.Context, st store.Store, key string, fn func(*T) error) (T, error) {
	return readModifyWrite(ctx, st, key, false, fn)
}

// upsert is update for a record that may be absent: fn then starts from
// T's zero value and the write creates it.
func upsert[T any](ctx context.Context, st store.Store, key string, fn func(*T) error) (T, error) {
	return readModifyWrite(ctx, st, key, true, fn)
}

func readModifyWrite[T any](ctx context.Context, st store.Store, key string, absentOK bool, fn func(*T) error) (T, error) {
	return readModifyWriteAlso(ctx, st, key, absentOK, func(v *T) ([]store.Op, error) { return nil, fn(v) })
}

// updateAlso is update whose fn also returns ops to commit in the same
// transaction as the record (each try's own: a retry calls fn again).
func updateAlso[T any](ctx context.Context, st store.Store, key string, fn func(*T) ([]store.Op, error)) (T, error) {
	return readModifyWriteAlso(ctx, st, key, false, fn)
}

func readModifyWriteAlso[T any](ctx context.Context, st store.Store, key string, absentOK bool, fn func(*T) ([]store.Op, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, rev, err := store.GetJSON[T](ctx, st, key)
		if absentOK && errors.Is(err, store.ErrNotFound) {
			v, rev, err = *new(T), store.MustNotExist, nil
		}
		if err != nil {
			return v, err
		}
		also, err := fn(&v)
		if err != nil {
			return v, err
		}
		op, err := store.PutJSON(key, v, rev)
		if err != nil {
			return v, err
		}
		if _, err := st.Txn(ctx, append(also, op)...); err == nil {
			return v, nil
		} else if !errors.Is(err, store.ErrConflict) || attempt > 50 {
			return v, fmt.Errorf("update %s: %w", key, err)
		}
	}
}

// put writes a record without a revision check.
func put(ctx context.Context, st store.Store, key string, v any) error {
	op, err := store.PutJSON(key, v, -1)
	if err != nil {
		return err
	}
	_, err = st.Txn(ctx, op)
	return err
}

// lockResource serialises background work on one resource ID.
func (s *Service) lockResource(id string) (unlock func(), ok bool) {
	if _, busy := s.inflight.LoadOrStore(id, true); busy {
		return nil, false
	}
	return func() { s.inflight.Delete(id) }, true
}

// DryRun answers a dry-run request that passed validation.
func DryRun() error {
	return ec2err.New(ec2err.DryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}
