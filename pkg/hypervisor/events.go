package hypervisor

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// subscriberBuffer is how many events one slow subscriber may fall behind
// before it starts losing them.
const subscriberBuffer = 256

// errEventsEnded is returned once the connection's event stream has ended
// (libvirtd went away).
var errEventsEnded = errors.New("libvirt event stream ended")

// eventHub shares one libvirt lifecycle subscription among every Events
// caller of a connection.
//
// libvirtd tracks one lifecycle callback per client connection: a second
// registration fails with "event callback already tracked", and libvirt 9.0
// can corrupt its callback list on that failure or when a deregistration
// races the connection's close (libvirtd segfaulted in
// remoteClientFreePrivateCallbacks in CI). So the hub registers once, never
// deregisters, and lets Disconnect end the subscription.
type eventHub struct {
	mu      sync.Mutex
	ready   chan struct{} // closed when the registration attempt finished
	err     error         // the attempt's error; a failed attempt is retried
	ended   bool
	subs    map[*subscriber]struct{}
	startFn func() (<-chan golibvirt.DomainEventLifecycleMsg, error)
}

type subscriber struct {
	in chan Event
}

func newEventHub(start func() (<-chan golibvirt.DomainEventLifecycleMsg, error)) *eventHub {
	return &eventHub{subs: map[*subscriber]struct{}{}, startFn: start}
}

// subscribe returns a channel of every lifecycle event from now until ctx
// ends or the connection's stream ends; the channel is closed then.
func (hub *eventHub) subscribe(ctx context.Context) (<-chan Event, error) {
	if err := hub.start(ctx); err != nil {
		return nil, err
	}
	sub := &subscriber{in: make(chan Event, subscriberBuffer)}
	hub.mu.Lock()
	if hub.ended {
		hub.mu.Unlock()
		return nil, errEventsEnded
	}
	hub.subs[sub] = struct{}{}
	hub.mu.Unlock()

	out := make(chan Event)
	go hub.forward(ctx, sub, out)
	return out, nil
}

// start registers the connection's lifecycle callback once; concurrent
// callers wait for the same attempt, and a failed attempt is retried by the
// next caller.
func (hub *eventHub) start(ctx context.Context) error {
	hub.mu.Lock()
	if hub.ready == nil {
		ready := make(chan struct{})
		hub.ready = ready
		go hub.register(ready)
	}
	ready := hub.ready
	hub.mu.Unlock()
	select {
	case <-ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	return hub.err
}

func (hub *eventHub) register(ready chan struct{}) {
	in, err := hub.startFn()
	hub.mu.Lock()
	hub.err = err
	if err != nil {
		hub.ready = nil // let the next subscriber try again
	}
	hub.mu.Unlock()
	close(ready)
	if err == nil {
		hub.dispatch(in)
	}
}

// dispatch hands each libvirt event to every subscriber and closes them all
// when the stream ends.
func (hub *eventHub) dispatch(in <-chan golibvirt.DomainEventLifecycleMsg) {
	for msg := range in {
		ev, ok := mapEvent(msg)
		if !ok {
			continue
		}
		hub.mu.Lock()
		for sub := range hub.subs {
			select {
			case sub.in <- ev:
			default:
				slog.Warn("lifecycle event dropped: subscriber too far behind", "domain", ev.Name, "state", ev.State)
			}
		}
		hub.mu.Unlock()
	}
	hub.mu.Lock()
	hub.ended = true
	for sub := range hub.subs {
		close(sub.in)
		delete(hub.subs, sub)
	}
	hub.mu.Unlock()
}

// forward copies a subscriber's events to out until ctx ends or the stream
// ends, then closes out.
func (hub *eventHub) forward(ctx context.Context, sub *subscriber, out chan<- Event) {
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
				hub.unsubscribe(sub)
				return
			}
		case <-ctx.Done():
			hub.unsubscribe(sub)
			return
		}
	}
}

func (hub *eventHub) unsubscribe(sub *subscriber) {
	hub.mu.Lock()
	delete(hub.subs, sub)
	hub.mu.Unlock()
}
