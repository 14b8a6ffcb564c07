package memhv

import (
	"context"
	"log/slog"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// subscriberBuffer is how many events one slow subscriber may fall behind
// before it starts losing them (as with the libvirt driver).
const subscriberBuffer = 256

// hub hands every lifecycle event to every subscriber.
type hub struct {
	mu    sync.Mutex
	subs  map[*subscriber]struct{}
	ended bool
}

type subscriber struct {
	in chan hypervisor.Event
}

// Events streams lifecycle events of every domain until ctx ends or the
// hypervisor is closed; the channel is closed then. Every subscriber sees
// every event from its subscription on.
func (h *HV) Events(ctx context.Context) (<-chan hypervisor.Event, error) {
	if err := h.begin(ctx); err != nil {
		return nil, err
	}
	sub := &subscriber{in: make(chan hypervisor.Event, subscriberBuffer)}
	h.events.mu.Lock()
	if h.events.ended {
		h.events.mu.Unlock()
		return nil, ErrClosed
	}
	h.events.subs[sub] = struct{}{}
	h.events.mu.Unlock()
	out := make(chan hypervisor.Event)
	go h.events.forward(ctx, sub, out)
	return out, nil
}

// emitLocked queues ev for every subscriber (h.mu held: events leave in
// the order of the changes).
func (h *HV) emitLocked(ev hypervisor.Event) {
	h.events.mu.Lock()
	defer h.events.mu.Unlock()
	for sub := range h.events.subs {
		select {
		case sub.in <- ev:
		default:
			slog.Warn("memhv: lifecycle event dropped: subscriber too far behind", "domain", ev.Name, "state", ev.State)
		}
	}
}

// end closes every subscription.
func (hb *hub) end() {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	hb.ended = true
	for sub := range hb.subs {
		close(sub.in)
		delete(hb.subs, sub)
	}
}

func (hb *hub) forward(ctx context.Context, sub *subscriber, out chan<- hypervisor.Event) {
	defer close(out)
	for {
		select {
		case ev, ok := <-sub.in:
			if !ok {
				return
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				hb.unsubscribe(sub)
				return
			}
		case <-ctx.Done():
			hb.unsubscribe(sub)
			return
		}
	}
}

func (hb *hub) unsubscribe(sub *subscriber) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	delete(hb.subs, sub)
}
