package imds_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/imds"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// requireNetNS checks for root, ip and busybox (fails under CI=true,
// skipped under -short).
func requireNetNS(t *testing.T) {
	t.Helper()
	hvtest.SkipIfShort(t, "root network namespaces")
	if os.Geteuid() != 0 {
		nptest.Unavailable(t, "imds network test needs root (euid %d)", os.Geteuid())
	}
	for _, tool := range []string{"ip", "busybox", "timeout"} {
		if _, err := exec.LookPath(tool); err != nil {
			nptest.Unavailable(t, "%s not installed: %v", tool, err)
		}
	}
}

// bridge creates bridge br in host with gateway gw and 169.254.169.254/32,
// as the agent sets up each subnet bridge.
func bridge(t *testing.T, host, br, gw string) {
	nptest.In(t, host, "ip", "link", "add", br, "type", "bridge")
	nptest.In(t, host, "ip", "addr", "add", gw, "dev", br)
	nptest.In(t, host, "ip", "addr", "add", imds.Addr.Addr().String()+"/32", "dev", br)
	nptest.In(t, host, "ip", "link", "set", br, "up")
	nptest.In(t, host, "sysctl", "-qw", "net.ipv4.conf."+br+".rp_filter=0")
}

// guest is a namespace cabled to br (port = host-side veth) with addr and a
// default route via gw, like a tiny guest after its DHCP lease.
func guest(t *testing.T, host, br, port, addr, gw string) string {
	g := nptest.NetNS(t)
	nptest.Veth(t, host, port, "", g, "eth0", addr)
	nptest.In(t, host, "ip", "link", "set", port, "master", br)
	nptest.In(t, g, "ip", "route", "add", gw, "dev", "eth0") // no-op for on-link gateways
	nptest.In(t, g, "ip", "route", "add", "default", "via", gw, "dev", "eth0")
	return g
}

// wget fetches path from 169.254.169.254 inside ns with busybox, as a
// guest would; it returns the body and whether wget succeeded.
func wget(t *testing.T, ns, path string) (string, bool) {
	t.Helper()
	out, err := exec.Command("timeout", "10", "ip", "netns", "exec", ns,
		"busybox", "wget", "-q", "-O", "-", "http://169.254.169.254"+path).CombinedOutput()
	return string(out), err == nil
}

// inNetNS runs f on a fresh OS thread switched into ns; the thread is
// never switched back (it exits with its goroutine), so sockets f creates
// live in ns.
func inNetNS[T any](ns string, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // no Unlock: the runtime discards the thread
		var r result
		h, err := netns.GetFromName(ns)
		if err == nil {
			err = netns.Set(h)
			h.Close()
		}
		if err != nil {
			r.err = fmt.Errorf("enter netns %s: %w", ns, err)
		} else {
			r.v, r.err = f()
		}
		ch <- r
	}()
	r := <-ch
	return r.v, r.err
}

// serveIn runs the metadata service in host on device ("" = Serve, any
// interface) until the test ends.
func serveIn(t *testing.T, host, device string, h http.Handler) context.CancelFunc {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	if device == "" {
		started := make(chan struct{})
		go inNetNS(host, func() (struct{}, error) {
			close(started)
			done <- imds.Serve(ctx, imds.Addr, h) // socket made on this thread
			return struct{}{}, nil
		})
		<-started
	} else {
		ln, err := inNetNS(host, func() (net.Listener, error) { return imds.Listen(ctx, imds.Addr, device) })
		if err != nil {
			t.Fatal(err)
		}
		go func() { done <- imds.ServeListener(ctx, ln, h) }()
	}
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve on %q: %v", device, err)
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			stop()
		}
	})
	return stop
}

// client is an HTTP client whose connections start in ns.
func client(ns string) *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		return inNetNS(ns, func() (net.Conn, error) { return (&net.Dialer{}).DialContext(ctx, network, addr) })
	}
	return &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
}

func call(t *testing.T, c *http.Client, method, path string, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://169.254.169.254"+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitUp waits until a connection from ns to 169.254.169.254:80 succeeds.
func waitUp(t *testing.T, ns string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := inNetNS(ns, func() (net.Conn, error) {
			return net.DialTimeout("tcp", imds.Addr.String(), time.Second)
		})
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metadata service not reachable from %s: %v", ns, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// expect checks what a busybox wget of instance-id from ns returns: the
// instance ID, or (want "") a failure that shows no instance ID at all.
func expect(t *testing.T, name, ns, want string) {
	t.Helper()
	out, ok := wget(t, ns, "/latest/meta-data/instance-id")
	switch {
	case want != "" && (!ok || out != want):
		t.Errorf("%s: wget instance-id = %q (ok %v), want %q", name, out, ok, want)
	case want == "" && (ok || strings.Contains(out, "i-0")):
		t.Errorf("%s: wget instance-id = %q (ok %v), want a refusal without data", name, out, ok)
	}
}

// Guests on real bridges reach 169.254.169.254 through their default
// gateway, and each is told its own instance ID, chosen by the TCP source
// address alone.
func TestServeOnBridgeInNetNS(t *testing.T) {
	requireNetNS(t)
	host := nptest.NetNS(t)
	nptest.In(t, host, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0")
	bridge(t, host, "br0", "10.0.0.1/24")
	bridge(t, host, "br1", "10.1.0.1/24")
	gA := guest(t, host, "br0", "pa", "10.0.0.2/24", "10.0.0.1")
	gB := guest(t, host, "br0", "pb", "10.0.0.3/24", "10.0.0.1")
	gX := guest(t, host, "br0", "px", "10.0.0.9/24", "10.0.0.1")
	gC := guest(t, host, "br1", "pc", "10.1.0.2/24", "10.1.0.1")
	// spoof sits on br1 but claims instance b's address on br0.
	spoof := guest(t, host, "br1", "ps", "10.0.0.3/32", "10.1.0.1")

	instC := instB
	instC.InstanceID, instC.LocalIPv4 = "i-0cccccccccccccccc", "10.1.0.2"
	h0 := imds.NewHandler(newFake().lookup, imds.Options{})
	h1 := imds.NewHandler(func(a netip.Addr) (imds.Instance, bool) {
		return instC, a == netip.MustParseAddr("10.1.0.2")
	}, imds.Options{})

	t.Run("Serve on all interfaces", func(t *testing.T) {
		stop := serveIn(t, host, "", h0)
		defer stop()
		waitUp(t, gA)
		expect(t, "guest a", gA, instA.InstanceID)
		expect(t, "guest b", gB, instB.InstanceID)
		expect(t, "unknown guest", gX, "")
		if out, _ := wget(t, gX, "/latest/meta-data/instance-id"); !strings.Contains(out, "403") {
			t.Errorf("unknown guest: %q, want a 403", out)
		}
	})

	t.Run("one listener per bridge", func(t *testing.T) {
		serveIn(t, host, "br0", h0)
		serveIn(t, host, "br1", h1)
		waitUp(t, gA)
		waitUp(t, gC)
		expect(t, "guest a", gA, instA.InstanceID)
		expect(t, "guest b", gB, instB.InstanceID)
		expect(t, "unknown guest", gX, "")
		expect(t, "guest c on br1", gC, instC.InstanceID)
		expect(t, "br1 guest claiming b's address", spoof, "")
	})

	t.Run("IMDSv2 over the bridge", func(t *testing.T) {
		serveIn(t, host, "br0", h0)
		waitUp(t, gA)
		code, tok := call(t, client(gA), "PUT", "/latest/api/token", map[string]string{ttlHeader: "60"})
		if code != 200 {
			t.Fatalf("PUT token from guest a: %d %q", code, tok)
		}
		if code, body := call(t, client(gA), "GET", idPath, map[string]string{tokenHeader: tok}); code != 200 || body != instA.InstanceID {
			t.Errorf("guest a with its token: %d %q, want 200 %q", code, body, instA.InstanceID)
		}
		if code, body := call(t, client(gB), "GET", idPath, map[string]string{tokenHeader: tok}); code != 401 {
			t.Errorf("guest b with a's token: %d %q, want 401", code, body)
		}
	})
}
