package vpcdns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// ioTimeout bounds reading a query and writing its answer on TCP.
const ioTimeout = 5 * time.Second

// Handler answers queries from lookup's zone; a query the zone does not
// answer gets no reply (a TCP connection is closed).
func Handler(lookup Lookup) dns.Handler {
	return dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		z, ok := lookup()
		if !ok {
			return
		}
		if resp := Answer(z, req); resp != nil {
			_ = w.WriteMsg(resp) // the client went away
		}
	})
}

// Listener is one DNS address's UDP and TCP sockets.
type Listener struct {
	udp net.PacketConn
	tcp net.Listener
}

// Listen opens addr's UDP and TCP sockets. A non-empty device binds them
// to that interface (SO_BINDTODEVICE): only queries arriving on device
// reach them, so every bridge of a host can have its own listener on the
// same address. The sockets live in the calling thread's network
// namespace.
func Listen(ctx context.Context, addr netip.AddrPort, device string) (*Listener, error) {
	lc := net.ListenConfig{Control: bindToDevice(device)}
	pc, err := lc.ListenPacket(ctx, "udp4", addr.String())
	if err != nil {
		return nil, fmt.Errorf("dns listen udp %s (device %q): %w", addr, device, err)
	}
	// The TCP socket takes the UDP one's port (addr's port may be 0).
	tcpAddr := netip.AddrPortFrom(addr.Addr(), uint16(pc.LocalAddr().(*net.UDPAddr).Port))
	ln, err := lc.Listen(ctx, "tcp4", tcpAddr.String())
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("dns listen tcp %s (device %q): %w", tcpAddr, device, err)
	}
	return &Listener{udp: pc, tcp: ln}, nil
}

// Addr is the address and port the listener answers on.
func (l *Listener) Addr() netip.AddrPort { return l.udp.LocalAddr().(*net.UDPAddr).AddrPort() }

// Serve answers with h on both sockets until ctx ends (then it returns
// nil) or one of them fails; it closes them.
func (l *Listener) Serve(ctx context.Context, h dns.Handler, log *slog.Logger) error {
	servers := []*dns.Server{
		{PacketConn: l.udp, Handler: h},
		{Listener: l.tcp, Handler: h, ReadTimeout: ioTimeout, WriteTimeout: ioTimeout, MaxTCPQueries: 16},
	}
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.ActivateAndServe() }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	for _, s := range servers {
		if serr := s.Shutdown(); serr != nil && log != nil {
			log.Debug("dns shutdown", "addr", l.Addr(), "err", serr)
		}
	}
	l.udp.Close()
	l.tcp.Close()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("dns serve %s: %w", l.Addr(), err)
	}
	return nil
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
