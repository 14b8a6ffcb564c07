package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/namespace"
)

// DefaultEtcdPrefix is the key namespace EtcdConfig.Prefix defaults to.
const DefaultEtcdPrefix = "/ec2lab/"

// defaultDialTimeout bounds OpenEtcd's first contact with the cluster when
// EtcdConfig.DialTimeout is zero.
const defaultDialTimeout = 5 * time.Second

// revProbeKey is the key Revision reads (count only) to learn the current
// revision from the response header; it is never written.
const revProbeKey = "\x00revision"

// EtcdConfig says how to reach the etcd cluster that holds the state.
type EtcdConfig struct {
	// Endpoints are the client URLs of the members (http:// or https://).
	Endpoints []string
	// Prefix namespaces every key in etcd (default DefaultEtcdPrefix), so
	// one cluster can hold several regions or other users' keys.
	Prefix string
	// DialTimeout bounds connecting and the first request of OpenEtcd
	// (default 5s).
	DialTimeout time.Duration
	// TLS, when set, is the client side of TLS with the members.
	TLS *EtcdTLS
	// Log receives the etcd client's errors and the watches' ends
	// (default slog.Default()).
	Log *slog.Logger
}

// EtcdTLS names PEM files: CA verifies the members' certificates, Cert and
// Key are the client's (both or neither).
type EtcdTLS struct {
	CA, Cert, Key string
}

// Etcd is the Store over an etcd cluster, every key under one prefix.
//
// Revisions: etcd's revision counter is global to the cluster and is 1
// when the cluster is empty. Etcd reports etcd's revision minus one, so a
// fresh cluster is at revision 0 and the first write is revision 1, as
// with Bolt; mod revisions and ExpectRevision are shifted the same way.
// Writes under other prefixes of the same cluster advance it too: the
// store revision is then not 0 although the namespace is empty.
type Etcd struct {
	cli     *clientv3.Client
	prefix  string
	log     *slog.Logger
	kv      clientv3.KV
	watcher clientv3.Watcher

	done   context.Context // ends at Close; every watch ends with it
	cancel context.CancelFunc
	mu     sync.Mutex // guards closed and wg.Add against Close
	closed bool
	wg     sync.WaitGroup // watch pumps
}

var _ Store = (*Etcd)(nil)

// OpenEtcd connects to the cluster and checks that it answers.
func OpenEtcd(ctx context.Context, cfg EtcdConfig) (*Etcd, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, errors.New("open etcd store: no endpoints")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultEtcdPrefix
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = defaultDialTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	ccfg, err := clientConfig(cfg)
	if err != nil {
		return nil, err
	}
	cli, err := clientv3.New(ccfg)
	if err != nil {
		return nil, fmt.Errorf("open etcd store %v: %w", cfg.Endpoints, err)
	}
	e := &Etcd{cli: cli, prefix: cfg.Prefix, log: cfg.Log, kv: namespace.NewKV(cli.KV, cfg.Prefix), watcher: namespace.NewWatcher(cli.Watcher, cfg.Prefix)}
	e.done, e.cancel = context.WithCancel(context.Background())
	pctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	if _, err := e.Revision(pctx); err != nil {
		e.Close()
		return nil, fmt.Errorf("open etcd store %v: %w", cfg.Endpoints, err)
	}
	return e, nil
}

func clientConfig(cfg EtcdConfig) (clientv3.Config, error) {
	ccfg := clientv3.Config{Endpoints: cfg.Endpoints, DialTimeout: cfg.DialTimeout,
		Logger: newEtcdClientLogger(cfg.Log)}
	if cfg.TLS == nil {
		return ccfg, nil
	}
	tc, err := etcdTLSConfig(*cfg.TLS)
	if err != nil {
		return ccfg, fmt.Errorf("open etcd store: %w", err)
	}
	ccfg.TLS = tc
	return ccfg, nil
}

// Client is the etcd client, for what the store does not cover (the
// leader election); keys it writes are not namespaced: see Prefix.
func (e *Etcd) Client() *clientv3.Client { return e.cli }

// Prefix is the namespace of the store's keys in etcd.
func (e *Etcd) Prefix() string { return e.prefix }

// Get implements Store.
func (e *Etcd) Get(ctx context.Context, key string) (KV, error) {
	if err := e.live(); err != nil {
		return KV{}, fmt.Errorf("get %s: %w", key, err)
	}
	resp, err := e.kv.Get(ctx, key)
	if err != nil {
		return KV{}, fmt.Errorf("get %s: %w", key, e.wrapErr(err))
	}
	if len(resp.Kvs) == 0 {
		return KV{}, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	kv := resp.Kvs[0]
	return KV{Key: string(kv.Key), Value: nonNil(kv.Value), Revision: fromEtcdRev(kv.ModRevision)}, nil
}

// Revision implements Store.
func (e *Etcd) Revision(ctx context.Context) (int64, error) {
	rev, err := e.etcdRevision(ctx)
	if err != nil {
		return 0, fmt.Errorf("revision: %w", err)
	}
	return fromEtcdRev(rev), nil
}

// etcdRevision is etcd's current revision, read linearizably.
func (e *Etcd) etcdRevision(ctx context.Context) (int64, error) {
	if err := e.live(); err != nil {
		return 0, err
	}
	resp, err := e.kv.Get(ctx, revProbeKey, clientv3.WithCountOnly())
	if err != nil {
		return 0, e.wrapErr(err)
	}
	return resp.Header.Revision, nil
}

// Close implements Store: it ends every watch (their channels close), waits
// for them, then closes the client.
func (e *Etcd) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	if err := e.cli.Close(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("close etcd store: %w", err)
	}
	return nil
}

// live fails with ErrClosed once Close has begun (the client would retry
// against its closed connection for a while instead).
func (e *Etcd) live() error {
	if e.isClosed() {
		return ErrClosed
	}
	return nil
}

func (e *Etcd) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// wrapErr turns the client's errors after Close into ErrClosed.
func (e *Etcd) wrapErr(err error) error {
	if e.isClosed() {
		return ErrClosed
	}
	return err
}

// fromEtcdRev maps an etcd revision to a store revision (see Etcd).
func fromEtcdRev(rev int64) int64 { return rev - 1 }

// toEtcdRev maps a store revision to etcd's.
func toEtcdRev(rev int64) int64 { return rev + 1 }

// nonNil keeps empty values non-nil, so callers can tell them from the nil
// Value of delete events.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Shared reports whether other processes may write st: true for an etcd
// store (several ec2d replicas share one), whose other writers' commits
// reach this process only through Watch; false for bbolt, which one
// process holds.
func Shared(st Store) bool {
	_, ok := st.(*Etcd)
	return ok
}
