package tlsutil

import (
	"fmt"
	"net"
)

// RequireLoopback refuses any address that is not on loopback: agent or
// peer traffic without mutual TLS is plaintext and must never leave the
// machine.
func RequireLoopback(addrs ...string) error {
	for _, a := range addrs {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return fmt.Errorf("address %q: %w", a, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("address %s is not loopback: plaintext traffic stays on loopback (configure mutual TLS to leave it)", a)
		}
	}
	return nil
}
