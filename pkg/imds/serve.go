package imds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Addr is where guests find the metadata service.
var Addr = netip.MustParseAddrPort("169.254.169.254:80")

// shutdownGrace is how long in-flight requests get once ctx ends.
const shutdownGrace = 2 * time.Second

// Serve listens on addr (which must be assigned to an interface of this
// network namespace) and serves h until ctx ends; then it returns nil.
func Serve(ctx context.Context, addr netip.AddrPort, h http.Handler) error {
	ln, err := Listen(ctx, addr, "")
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h)
}

// Listen opens a TCP listener on addr. A non-empty device binds it to that
// interface (SO_BINDTODEVICE): then only connections arriving on device
// reach it, and every subnet bridge of a host can have its own listener on
// the same 169.254.169.254:80. The socket lives in the network namespace
// of the calling thread.
func Listen(ctx context.Context, addr netip.AddrPort, device string) (net.Listener, error) {
	lc := net.ListenConfig{Control: bindToDevice(device)}
	ln, err := lc.Listen(ctx, "tcp", addr.String())
	if err != nil {
		return nil, fmt.Errorf("imds listen %s (device %q): %w", addr, device, err)
	}
	return ln, nil
}

func bindToDevice(device string) func(network, address string, c syscall.RawConn) error {
	if device == "" {
		return nil
	}
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = unix.BindToDevice(int(fd), device)
		}); err != nil {
			return err
		}
		if serr != nil {
			return fmt.Errorf("bind to device %s: %w", device, serr)
		}
		return nil
	}
}

// timeouts bound what a guest's connection may hold: its headers, its
// request, the answer and an idle keep-alive, so that a slow or idle guest
// cannot tie up the host's metadata service.
type timeouts struct {
	readHeader, read, write, idle time.Duration
}

var defaultTimeouts = timeouts{readHeader: 5 * time.Second, read: 10 * time.Second, write: 10 * time.Second, idle: 60 * time.Second}

// ServeListener serves h on ln until ctx ends, then shuts down (in-flight
// requests get a short grace) and returns nil; it closes ln.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	return serveListener(ctx, ln, h, defaultTimeouts)
}

func serveListener(ctx context.Context, ln net.Listener, h http.Handler, t timeouts) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelDebug),
		ConnContext:       withConn,
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
		case <-done: // Serve failed on its own
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	err := srv.Serve(ln)
	close(done)
	<-stopped
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("imds serve %s: %w", ln.Addr(), err)
}
