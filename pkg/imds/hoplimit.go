package imds

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"syscall"

	"golang.org/x/sys/unix"
)

type connKey struct{}

// withConn is the server's ConnContext: handlers find their connection
// in the request's context.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// limitHops sets the IP TTL of the rest of r's connection to hops (0 means
// 1) and has the server close the connection after the response w, so later requests on
// it are not limited. A request served without ServeListener (tests with
// httptest) has no connection to limit.
func limitHops(w http.ResponseWriter, r *http.Request, hops int) error {
	c, ok := r.Context().Value(connKey{}).(syscall.Conn)
	if !ok {
		return nil
	}
	if hops < 1 {
		hops = 1
	}
	raw, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("hop limit: %w", err)
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TTL, hops)
	}); err != nil {
		return fmt.Errorf("hop limit: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("hop limit %d: %w", hops, serr)
	}
	w.Header().Set("Connection", "close")
	return nil
}
