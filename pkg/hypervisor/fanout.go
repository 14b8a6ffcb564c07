package hypervisor

import (
	"context"
	"log/slog"
	"sync"
)

// subscriberBuffer is how many events one slow subscriber may fall behind
// before it starts losing them.
const subscriberBuffer = 256

// Fanout hands every published lifecycle event to every subscriber, each
// through its own buffer (a subscriber too far behind loses events, with a
// log line, rather than stalling the others), until End. Hypervisor
// implementations share it: the libvirt driver over its one libvirt
// subscription, the in-memory one over its own changes.
type Fanout struct {
	mu    sync.Mutex
	subs  map[*subscriber]struct{}
	ended bool
}

type subscriber struct {
	in chan Event
}

// NewFanout returns a Fanout with no subscribers.
func NewFanout() *Fanout { return &Fanout{subs: map[*subscriber]struct{}{}} }

// Subscribe returns a channel of every event published from now until ctx
// ends or End; the channel is closed then. After End it fails with
// ErrEventsEnded.
func (f *Fanout) Subscribe(ctx context.Context) (<-chan Event, error) {
	sub := &subscriber{in: make(chan Event, subscriberBuffer)}
	f.mu.Lock()
	if f.ended {
		f.mu.Unlock()
		return nil, ErrEventsEnded
	}
	f.subs[sub] = struct{}{}
	f.mu.Unlock()
	out := make(chan Event)
	go f.forward(ctx, sub, out)
	return out, nil
}

// Publish queues ev for every subscriber.
func (f *Fanout) Publish(ev Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		select {
		case sub.in <- ev:
		default:
			slog.Warn("lifecycle event dropped: subscriber too far behind", "domain", ev.Name, "state", ev.State)
		}
	}
}

// End closes every subscription; later Subscribes fail.
func (f *Fanout) End() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended = true
	for sub := range f.subs {
		close(sub.in)
		delete(f.subs, sub)
	}
}

// forward copies a subscriber's events to out until ctx ends or the
// fan-out ends, then closes out.
func (f *Fanout) forward(ctx context.Context, sub *subscriber, out chan<- Event) {
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
				f.unsubscribe(sub)
				return
			}
		case <-ctx.Done():
			f.unsubscribe(sub)
			return
		}
	}
}

func (f *Fanout) unsubscribe(sub *subscriber) {
	f.mu.Lock()
	delete(f.subs, sub)
	f.mu.Unlock()
}
