package memhv

import (
	"context"
	"errors"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// Events streams lifecycle events of every domain until ctx ends or the
// hypervisor is closed; the channel is closed then. Every subscriber sees
// every event from its subscription on (hypervisor.Fanout, as the libvirt
// driver).
func (h *HV) Events(ctx context.Context) (<-chan hypervisor.Event, error) {
	if err := h.begin(ctx); err != nil {
		return nil, err
	}
	ch, err := h.events.Subscribe(ctx)
	if errors.Is(err, hypervisor.ErrEventsEnded) {
		return nil, ErrClosed
	}
	return ch, err
}

// emitLocked queues ev for every subscriber (h.mu held: events leave in
// the order of the changes).
func (h *HV) emitLocked(ev hypervisor.Event) { h.events.Publish(ev) }
