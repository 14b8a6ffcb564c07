package vpcdns

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestServeLoopback serves a zone on a loopback port and asks it over UDP
// and TCP as a resolver would; a zone change (DNS support turned off)
// applies to the next query without a restart.
func TestServeLoopback(t *testing.T) {
	var mu sync.Mutex
	zone := testZone()
	lookup := func() (Zone, bool) {
		mu.Lock()
		defer mu.Unlock()
		return zone, true
	}
	ctx, cancel := context.WithCancel(context.Background())
	l, err := Listen(ctx, netip.MustParseAddrPort("127.0.0.1:0"), "")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, Handler(lookup), nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	addr := l.Addr().String()
	for _, proto := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: proto, Timeout: 2 * time.Second}
		resp, _, err := c.Exchange(query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeA), addr)
		if err != nil || answerData(resp) != "10.0.0.5" {
			t.Errorf("%s A: %v, %v", proto, resp, err)
		}
		resp, _, err = c.Exchange(query("9.1.0.10.in-addr.arpa.", dns.TypePTR), addr)
		if err != nil || answerData(resp) != "ip-10-0-1-9.lab-1.compute.internal." {
			t.Errorf("%s PTR: %v, %v", proto, resp, err)
		}
	}
	mu.Lock()
	zone.Support = false
	mu.Unlock()
	c := &dns.Client{Net: "udp", Timeout: 300 * time.Millisecond}
	if resp, _, err := c.Exchange(query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeA), addr); err == nil {
		t.Errorf("support off: answered %v", resp)
	}
}
