package server

import (
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// TestLoopbackOnly: plaintext agent traffic never leaves loopback.
func TestLoopbackOnly(t *testing.T) {
	cases := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:7701", true},
		{"[::1]:7701", true},
		{"0.0.0.0:7701", false},
		{"192.168.1.5:7701", false},
		{"localhost:7701", false}, // names could resolve anywhere
		{"127.0.0.1", false},
	}
	for _, c := range cases {
		if err := tlsutil.RequireLoopback(c.addr); (err == nil) != c.ok {
			t.Errorf("RequireLoopback(%q) = %v, want ok=%t", c.addr, err, c.ok)
		}
	}
}

// TestHeartbeatSeconds: agents beat at least three times per timeout.
func TestHeartbeatSeconds(t *testing.T) {
	for timeout, want := range map[time.Duration]int32{5 * time.Second: 1, 15 * time.Second: 3, time.Minute: 3, 9 * time.Second: 3, time.Second: 1} {
		if got := heartbeatSeconds(timeout); got != want {
			t.Errorf("heartbeatSeconds(%s) = %d, want %d", timeout, got, want)
		}
	}
}
