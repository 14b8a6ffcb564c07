package hypervisor

import (
	"context"
	"errors"
	"sync"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// ErrEventsEnded is returned once an event stream has ended (libvirtd went
// away, or the hypervisor was closed).
var ErrEventsEnded = errors.New("lifecycle event stream ended")

// errEventsEnded is the libvirt driver's name for it.
var errEventsEnded = ErrEventsEnded

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
	fan     *Fanout
	startFn func() (<-chan golibvirt.DomainEventLifecycleMsg, error)
}

func newEventHub(start func() (<-chan golibvirt.DomainEventLifecycleMsg, error)) *eventHub {
	return &eventHub{fan: NewFanout(), startFn: start}
}

// subscribe returns a channel of every lifecycle event from now until ctx
// ends or the connection's stream ends; the channel is closed then.
func (hub *eventHub) subscribe(ctx context.Context) (<-chan Event, error) {
	if err := hub.start(ctx); err != nil {
		return nil, err
	}
	return hub.fan.Subscribe(ctx)
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

// dispatch hands each libvirt event to every subscriber and ends them all
// when the stream ends.
func (hub *eventHub) dispatch(in <-chan golibvirt.DomainEventLifecycleMsg) {
	for msg := range in {
		if ev, ok := mapEvent(msg); ok {
			hub.fan.Publish(ev)
		}
	}
	hub.fan.End()
}
