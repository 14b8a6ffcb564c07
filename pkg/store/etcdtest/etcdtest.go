// Package etcdtest runs real etcd members in the test process (the etcd
// server's embed package) for tests of the etcd state store and, later, of
// ec2d replicas: a cluster of one or more members on loopback-only random
// ports with their data in the test's temporary directory, members that
// can be stopped, killed and restarted on the same data, and everything
// stopped when the test ends. Each member logs to etcd.log in its
// directory; a failed test shows the end of those logs.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// startTimeout bounds how long a cluster or a restarted member may take to
// become ready.
const startTimeout = 60 * time.Second

// Cluster is a running etcd cluster of embedded members.
type Cluster struct {
	t       testing.TB
	mu      sync.Mutex
	members []*member
}

type member struct {
	cfg  *embed.Config
	etcd *embed.Etcd // nil while stopped
}

// Start starts an n-member cluster and waits until every member serves
// clients; the test fails if it cannot. The cluster stops when t ends.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 1 {
		t.Fatalf("etcdtest: %d members", n)
	}
	var err error
	for range 3 { // a random port may be taken between picking and binding
		var c *Cluster
		if c, err = start(t, n); err == nil {
			t.Cleanup(func() { c.cleanup() })
			return c
		}
		t.Logf("etcdtest: start: %v; retrying with other ports", err)
	}
	t.Fatalf("etcdtest: start %d members: %v", n, err)
	return nil
}

func start(t testing.TB, n int) (*Cluster, error) {
	dir := t.TempDir()
	cfgs, err := memberConfigs(dir, n)
	if err != nil {
		return nil, err
	}
	c := &Cluster{t: t}
	for _, cfg := range cfgs {
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			c.stopAll()
			return nil, fmt.Errorf("member %s: %w", cfg.Name, err)
		}
		c.members = append(c.members, &member{cfg: cfg, etcd: e})
	}
	for _, m := range c.members {
		if err := waitReady(m.etcd); err != nil {
			c.stopAll()
			return nil, fmt.Errorf("member %s: %w", m.cfg.Name, err)
		}
	}
	return c, nil
}

// memberConfigs makes the configs of a new n-member cluster under dir.
func memberConfigs(dir string, n int) ([]*embed.Config, error) {
	cfgs := make([]*embed.Config, n)
	var initial []string
	for i := range cfgs {
		ports, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = filepath.Join(dir, cfg.Name)
		client, peer := loopbackURL(ports[0]), loopbackURL(ports[1])
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		cfg.LogLevel = "info"
		cfg.LogOutputs = []string{filepath.Join(dir, cfg.Name+".log")}
		cfg.TickMs, cfg.ElectionMs = 50, 1000
		initial = append(initial, cfg.Name+"="+peer.String())
		cfgs[i] = cfg
	}
	for _, cfg := range cfgs {
		cfg.InitialCluster = strings.Join(initial, ",")
		cfg.InitialClusterToken = "etcdtest-" + filepath.Base(dir)
	}
	return cfgs, nil
}

// freePorts returns n loopback ports free when it looked.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func loopbackURL(port int) url.URL {
	return url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)}
}

func waitReady(e *embed.Etcd) error {
	select {
	case <-e.Server.ReadyNotify():
		return nil
	case err := <-e.Err():
		return fmt.Errorf("not ready: %w", err)
	case <-time.After(startTimeout):
		return fmt.Errorf("not ready within %v", startTimeout)
	}
}
