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
