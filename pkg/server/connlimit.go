package server

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"

	"github.com/ec2lab/ec2lab/pkg/auth"
)

// Caps on connections to ec2d's public endpoints (gRPC and HTTP together)
// that have not carried an authenticated request yet: in all, and from one
// source address. Authenticated clients keep their connections whatever
// the count.
const (
	maxUnauthenticatedConns      = 512
	maxUnauthenticatedConnsPerIP = 64
	// unauthenticatedGrace is how long a connection may stay without an
	// authenticated request before it is closed, so that idle connections
	// cannot hold the caps (and lock every new client out) for long.
	unauthenticatedGrace = 30 * time.Second
)

// connLimiter counts connections until their first authenticated request
// and refuses (closes at once) a new one over either cap, so a client
// without a key cannot hold every connection the server can take.
type connLimiter struct {
	maxTotal, maxPerIP int
	grace              time.Duration // unauthenticatedGrace
	log                *slog.Logger

	mu      sync.Mutex
	total   int
	perIP   map[string]int
	pending map[string]*limitedConn // by remote address
}

func newConnLimiter(maxTotal, maxPerIP int, log *slog.Logger) *connLimiter {
	return &connLimiter{maxTotal: maxTotal, maxPerIP: maxPerIP, grace: unauthenticatedGrace, log: log,
		perIP: map[string]int{}, pending: map[string]*limitedConn{}}
}

// Listener wraps ln: connections over the caps are closed as accepted.
func (l *connLimiter) Listener(ln net.Listener) net.Listener {
	return &limitedListener{Listener: ln, l: l}
}

type limitedListener struct {
	net.Listener
	l *connLimiter
}

func (ll *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if lc := ll.l.admit(c); lc != nil {
			return lc, nil
		}
		c.Close()
	}
}

// limitedConn is a counted connection; it leaves the count when it
// authenticates or closes.
type limitedConn struct {
	net.Conn
	l       *connLimiter
	ip, key string
	counted bool        // under l.mu
	expire  *time.Timer // closes it at the end of the grace, unless authenticated
}

func (c *limitedConn) Close() error {
	c.l.release(c)
	return c.Conn.Close()
}

func sourceIP(addr net.Addr) string {
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

func (l *connLimiter) admit(c net.Conn) *limitedConn {
	ip := sourceIP(c.RemoteAddr())
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.maxTotal || l.perIP[ip] >= l.maxPerIP {
		l.log.Debug("connection refused: too many unauthenticated connections", "remote", c.RemoteAddr().String(),
			"from_this_address", l.perIP[ip], "in_all", l.total)
		return nil
	}
	lc := &limitedConn{Conn: c, l: l, ip: ip, key: c.RemoteAddr().String(), counted: true}
	lc.expire = time.AfterFunc(l.grace, func() {
		l.log.Debug("connection closed: no authenticated request in time", "remote", lc.key, "grace", l.grace)
		lc.Close()
	})
	l.total++
	l.perIP[ip]++
	l.pending[lc.key] = lc
	return lc
}

func (l *connLimiter) release(c *limitedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !c.counted {
		return
	}
	c.counted = false
	c.expire.Stop()
	l.total--
	if l.perIP[c.ip]--; l.perIP[c.ip] <= 0 {
		delete(l.perIP, c.ip)
	}
	if l.pending[c.key] == c {
		delete(l.pending, c.key)
	}
}

// authenticated takes the connection from remoteAddr out of the count.
func (l *connLimiter) authenticated(remoteAddr string) {
	l.mu.Lock()
	c := l.pending[remoteAddr]
	l.mu.Unlock()
	if c != nil {
		l.release(c)
	}
}

// connContext is the HTTP server's ConnContext: requests on c report
// their authentication (auth.ConnAuthenticated) to l.
func (l *connLimiter) connContext(ctx context.Context, c net.Conn) context.Context {
	addr := c.RemoteAddr().String()
	return auth.WithConnAuthenticated(ctx, func() { l.authenticated(addr) })
}

// unaryAuthenticated and streamAuthenticated run after the gRPC
// authenticator: a call that reaches them with a key in its context was
// authenticated (health and reflection calls pass without one).
func (l *connLimiter) unaryAuthenticated(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	l.fromPeer(ctx)
	return h(ctx, req)
}

func (l *connLimiter) streamAuthenticated(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	// a server-streaming call is authenticated by its request message
	counted, _ := auth.AfterAuth(ss, func(ctx context.Context) error { l.fromPeer(ctx); return nil })
	return h(srv, counted)
}

func (l *connLimiter) fromPeer(ctx context.Context) {
	if _, keyed := auth.FromContext(ctx); !keyed {
		return
	}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		l.authenticated(p.Addr.String())
	}
}
