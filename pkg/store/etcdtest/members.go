package etcdtest

import (
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// logTail is how much of each member's log a failed test shows.
const logTail = 4096

// Endpoints are the client URLs of every member, running or not.
func (c *Cluster) Endpoints() []string {
	out := make([]string, len(c.members))
	for i := range c.members {
		out[i] = c.Endpoint(i)
	}
	return out
}

// Endpoint is member i's client URL; it stays the same across restarts.
func (c *Cluster) Endpoint(i int) string {
	return c.members[i].cfg.AdvertiseClientUrls[0].String()
}

// Size is the number of members.
func (c *Cluster) Size() int { return len(c.members) }

// Leader is the index of the member that leads, as the running members
// see it, or -1 while none does.
func (c *Cluster) Leader() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, m := range c.members {
		if m.etcd != nil && m.etcd.Server.Leader() == m.etcd.Server.MemberID() {
			return i
		}
	}
	return -1
}

// WaitLeader waits until a running member other than not leads (not is -1
// for any) and returns its index; the test fails after startTimeout. A
// request made while followers still forward to a killed leader can time
// out: that is etcd's behaviour, which tests wait out with this.
func (c *Cluster) WaitLeader(not int) int {
	c.t.Helper()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if l := c.Leader(); l >= 0 && l != not {
			return l
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("etcdtest: no leader (other than member %d) within %v", not, startTimeout)
	return -1
}

// Stop stops member i gracefully (a leader hands leadership over first);
// its data stays for Restart.
func (c *Cluster) Stop(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.members[i].etcd; e != nil {
		e.Close()
		c.members[i].etcd = nil
	}
}

// Kill stops member i abruptly, as a crash would: no leadership transfer,
// raft stops at once, then its listeners close. Its data stays for Restart.
func (c *Cluster) Kill(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.members[i].etcd; e != nil {
		e.Server.HardStop()
		e.Close()
		c.members[i].etcd = nil
	}
}

// Restart starts stopped member i again on its data and ports and waits
// until it serves clients; the test fails if it cannot.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.members[i]
	if m.etcd != nil {
		c.t.Fatalf("etcdtest: restart member %s: it is running", m.cfg.Name)
	}
	e, err := embed.StartEtcd(m.cfg)
	if err == nil {
		if err = waitReady(e); err != nil {
			e.Close()
		}
	}
	if err != nil {
		c.t.Fatalf("etcdtest: restart member %s: %v", m.cfg.Name, err)
	}
	m.etcd = e
}

func (c *Cluster) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.members {
		if m.etcd != nil {
			m.etcd.Close()
			m.etcd = nil
		}
	}
}

// cleanup stops the cluster and, when the test failed, shows the end of
// every member's log.
func (c *Cluster) cleanup() {
	c.stopAll()
	if !c.t.Failed() {
		return
	}
	for _, m := range c.members {
		path := m.cfg.LogOutputs[0]
		b, err := os.ReadFile(path)
		if err != nil {
			c.t.Logf("etcdtest: %v", err)
			continue
		}
		c.t.Logf("etcdtest: end of %s:\n%s", filepath.Base(path), b[max(0, len(b)-logTail):])
	}
}
