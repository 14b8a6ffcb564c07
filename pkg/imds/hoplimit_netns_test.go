package imds_test

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/imds"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// A token PUT's response leaves with the instance's hop limit as its IP
// TTL: a process one router behind the instance (a container on a bridge
// inside it) gets no token with hop limit 1 and gets one with 2, while a
// guest on the bridge gets one with 1, and IMDSv1 GETs are not limited.
func TestPutResponseHopLimit(t *testing.T) {
	requireNetNS(t)
	host := nptest.NetNS(t)
	nptest.In(t, host, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0")
	bridge(t, host, "br0", "10.0.0.1/24")
	direct := guest(t, host, "br0", "pa", "10.0.0.2/24", "10.0.0.1")
	router := guest(t, host, "br0", "pr", "10.0.0.3/24", "10.0.0.1")
	behind := nptest.NetNS(t)
	nptest.Veth(t, router, "inner", "10.9.0.1/24", behind, "eth0", "10.9.0.2/24")
	nptest.In(t, router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	nptest.In(t, behind, "ip", "route", "add", "default", "via", "10.9.0.1")
	nptest.In(t, host, "ip", "route", "add", "10.9.0.0/24", "via", "10.0.0.3")

	inst := func(hops int) imds.Instance {
		i := instA
		i.PutResponseHopLimit = hops
		return i
	}
	f := newFake()
	f.set(netip.MustParseAddr("10.9.0.2"), inst(1))
	serveIn(t, host, "br0", imds.NewHandler(f.lookup, imds.Options{}))
	waitUp(t, direct)
	waitUp(t, behind)

	put := func(ns string) bool {
		c := client(ns)
		c.Timeout = 3 * time.Second
		req, _ := http.NewRequest(http.MethodPut, "http://169.254.169.254/latest/api/token", nil)
		req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
		resp, err := c.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	if !put(direct) {
		t.Error("a guest on the bridge got no token with hop limit 0 (= 1)")
	}
	if put(behind) {
		t.Error("a process one router behind got a token with hop limit 1")
	}
	if code, body := call(t, client(behind), http.MethodGet, "/latest/meta-data/instance-id", nil); code != 200 || body != instA.InstanceID {
		t.Errorf("IMDSv1 GET from behind the router: %d %q, want 200 %s (the hop limit is for token responses)", code, body, instA.InstanceID)
	}
	f.set(netip.MustParseAddr("10.9.0.2"), inst(2))
	if !put(behind) {
		t.Error("a process one router behind got no token with hop limit 2")
	}
}
