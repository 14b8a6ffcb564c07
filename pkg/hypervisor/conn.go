package hypervisor

import (
	"context"
	"log/slog"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// Redial backoff after libvirtd went away.
const (
	redialFirst = 200 * time.Millisecond
	redialMax   = 5 * time.Second
)

// conn is the current go-libvirt client. After libvirtd went away it is the
// dead one until keepConnected has dialled again; calls on it fail.
func (h *Libvirt) conn() *golibvirt.Libvirt {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.l
}

// hub is the current connection's event subscription.
func (h *Libvirt) hub() *eventHub {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.events
}

// use makes l the current connection, with a fresh (lazy) event
// subscription; false when Close came first.
func (h *Libvirt) use(l *golibvirt.Libvirt) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.l = l
	h.events = newEventHub(func() (<-chan golibvirt.DomainEventLifecycleMsg, error) {
		// Background: the subscription lives as long as the connection.
		return l.LifecycleEvents(context.Background())
	})
	return true
}

// keepConnected redials libvirtd whenever the connection drops (libvirtd
// restarted or crashed; its guests keep running). Subscribers of the old
// connection's events see their channels closed and subscribe again.
func (h *Libvirt) keepConnected() {
	for {
		select {
		case <-h.conn().Disconnected():
		case <-h.done:
			return
		}
		if h.isClosed() {
			return
		}
		slog.Warn("libvirtd connection lost; redialling", "uri", h.uri)
		if !h.redial() {
			return
		}
	}
}

// redial dials until it succeeds (true) or Close is called (false).
func (h *Libvirt) redial() bool {
	delay := redialFirst
	for attempt := 1; ; attempt++ {
		select {
		case <-h.done:
			return false
		case <-time.After(delay):
		}
		l, err := h.dial()
		if err != nil {
			slog.Debug("redial libvirtd", "uri", h.uri, "attempt", attempt, "err", err)
			delay = min(2*delay, redialMax)
			continue
		}
		if !h.use(l) {
			_ = l.Disconnect()
			return false
		}
		slog.Info("libvirtd connection restored", "uri", h.uri, "attempts", attempt)
		return true
	}
}

func (h *Libvirt) isClosed() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.closed
}

// Close disconnects from libvirtd and stops redialling.
func (h *Libvirt) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.done)
	l := h.l
	h.mu.Unlock()
	select {
	case <-l.Disconnected():
		return nil // libvirtd went away first: nothing left to close
	default:
	}
	return l.Disconnect()
}
