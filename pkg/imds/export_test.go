package imds

import (
	"context"
	"net"
	"net/http"
	"time"
)

// ServeListenerWithTimeouts is ServeListener with every timeout set to d
// (tests shorten them).
func ServeListenerWithTimeouts(ctx context.Context, ln net.Listener, h http.Handler, d time.Duration) error {
	return serveListener(ctx, ln, h, timeouts{readHeader: d, read: d, write: d, idle: d})
}

// DefaultTimeouts are ServeListener's read-header, read, write and idle
// timeouts.
func DefaultTimeouts() []time.Duration {
	t := defaultTimeouts
	return []time.Duration{t.readHeader, t.read, t.write, t.idle}
}
