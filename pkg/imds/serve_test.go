package imds_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/imds"
)

// Serve answers on a real socket and returns nil once its context ends.
func TestServeLoopback(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddrPort(probe.Addr().String())
	probe.Close()
	loop := netip.MustParseAddr("127.0.0.1")
	h := imds.NewHandler(func(a netip.Addr) (imds.Instance, bool) { return instA, a == loop }, imds.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- imds.Serve(ctx, addr, h) }()
	t.Cleanup(cancel) // Serve returns into the buffered done

	url := "http://" + addr.String() + "/latest/meta-data/instance-id"
	body := getEventually(t, url)
	if body != instA.InstanceID {
		t.Fatalf("GET instance-id over TCP: %q, want %q", body, instA.InstanceID)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := http.Get(url); err == nil {
		t.Fatal("still serving after Serve returned")
	}
}

// getEventually GETs url until the server is up (5 s) and returns a 200's
// body.
func getEventually(t *testing.T, url string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s: %s %q", url, resp.Status, b)
			}
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestListenBadAddress(t *testing.T) {
	// 192.0.2.1 (TEST-NET-1) is on no interface: the bind must fail loudly
	// (the agent must add 169.254.169.254/32 to the bridge first).
	_, err := imds.Listen(context.Background(), netip.MustParseAddrPort("192.0.2.1:0"), "")
	if !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Fatalf("Listen on an address no interface has: %v, want EADDRNOTAVAIL", err)
	}
}

// TestSlowGuestsAreCutOff: a guest that sends half its request headers,
// or half a body it announced, or keeps a connection idle is disconnected
// after the timeout (shortened to 300 ms here), while a normal request on
// another connection is answered meanwhile; ServeListener has all four
// timeouts.
func TestSlowGuestsAreCutOff(t *testing.T) {
	for i, d := range imds.DefaultTimeouts() {
		if d <= 0 {
			t.Errorf("ServeListener timeout %d is %v: a slow guest would hold its connection forever", i, d)
		}
	}
	const timeout = 300 * time.Millisecond
	loop := netip.MustParseAddr("127.0.0.1")
	h := imds.NewHandler(func(a netip.Addr) (imds.Instance, bool) { return instA, a == loop }, imds.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- imds.ServeListenerWithTimeouts(ctx, ln, h, timeout) }()
	defer func() { cancel(); <-done }()
	url := "http://" + ln.Addr().String() + "/latest/meta-data/instance-id"
	for name, send := range map[string]string{
		"half a header":        "GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n",
		"half a body":          "PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
		"idle after a request": "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte(send)); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if got := getEventually(t, url); got != instA.InstanceID { // served meanwhile
				t.Errorf("normal request while a slow one waits: %q", got)
			}
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err = io.ReadAll(c) // ends when the server closes the connection
			if held := time.Since(start); err != nil || held > 3*time.Second {
				t.Fatalf("connection held %v (err %v), want closed after ~%v", held, err, timeout)
			}
		})
	}
}
