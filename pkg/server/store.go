package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/fspath"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// StoreConfig selects the state store: bbolt at DATA_DIR/state.db unless
// Etcd is set.
type StoreConfig struct {
	// Etcd, when set, keeps the state in an etcd cluster instead.
	Etcd *EtcdStoreConfig `json:"etcd,omitempty"`
}

// EtcdStoreConfig is the `store: {etcd: ...}` section of the region config.
type EtcdStoreConfig struct {
	// Endpoints are the members' client URLs (http:// or https://).
	Endpoints []string `json:"endpoints"`
	// Prefix namespaces the region's keys (default store.DefaultEtcdPrefix).
	Prefix string `json:"prefix,omitempty"`
	// TLS, when set, is the client side of TLS with the members: ca
	// verifies them, cert and key (both or neither) are ec2d's.
	TLS *EtcdTLSFiles `json:"tls,omitempty"`
}

// EtcdTLSFiles name PEM files for TLS with etcd.
type EtcdTLSFiles struct {
	CA   string `json:"ca,omitempty"`
	Cert string `json:"cert,omitempty"`
	Key  string `json:"key,omitempty"`
}

// Validate checks the etcd section when there is one.
func (c StoreConfig) Validate() error {
	e := c.Etcd
	switch {
	case e == nil:
		return nil
	case len(e.Endpoints) == 0:
		return errors.New("store.etcd: no endpoints")
	case e.TLS != nil && (e.TLS.Cert == "") != (e.TLS.Key == ""):
		return errors.New("store.etcd.tls: give both cert and key, or neither")
	}
	for _, ep := range e.Endpoints {
		if !strings.HasPrefix(ep, "http://") && !strings.HasPrefix(ep, "https://") {
			return fmt.Errorf("store.etcd: endpoint %q: want an http:// or https:// URL", ep)
		}
	}
	return nil
}

func (c *StoreConfig) makeAbsolute() error {
	if c.Etcd == nil || c.Etcd.TLS == nil {
		return nil
	}
	t := c.Etcd.TLS
	return fspath.Abs(&t.CA, &t.Cert, &t.Key)
}

// Describe says which store c selects, for logs and errors.
func (c StoreConfig) Describe(dataDir string) string {
	if c.Etcd == nil {
		return "bbolt " + StatePath(dataDir)
	}
	return fmt.Sprintf("etcd %v prefix %q", c.Etcd.Endpoints, c.etcdConfig(nil).Prefix)
}

// OpenStore opens the state store c selects: bbolt at StatePath(dataDir),
// or the etcd cluster.
func OpenStore(ctx context.Context, c StoreConfig, dataDir string, log *slog.Logger) (store.Store, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Etcd == nil {
		return store.OpenBolt(StatePath(dataDir))
	}
	return store.OpenEtcd(ctx, c.etcdConfig(log))
}

func (c StoreConfig) etcdConfig(log *slog.Logger) store.EtcdConfig {
	e := c.Etcd
	cfg := store.EtcdConfig{Endpoints: e.Endpoints, Prefix: e.Prefix, Log: log}
	if cfg.Prefix == "" {
		cfg.Prefix = store.DefaultEtcdPrefix
	}
	if e.TLS != nil {
		cfg.TLS = &store.EtcdTLS{CA: e.TLS.CA, Cert: e.TLS.Cert, Key: e.TLS.Key}
	}
	return cfg
}
