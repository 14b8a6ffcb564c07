package hypervisor

import (
	"context"
	"fmt"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// pollInterval is how often Shutdown and DetachDisk look at the domain.
const pollInterval = 200 * time.Millisecond

// powerButtonRepeat is how often Shutdown presses the power button again: a
// guest still booting may miss the first press.
const powerButtonRepeat = 5 * time.Second

func (h *Libvirt) state(ctx context.Context, d golibvirt.Domain) (State, error) {
	st, err := call(ctx, func() (int32, error) {
		s, _, err := h.conn().DomainGetState(d, 0)
		return s, err
	})
	if golibvirt.IsNotFound(err) {
		return StateMissing, fmt.Errorf("domain %s: %w", d.Name, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("state of %s: %w", d.Name, err)
	}
	return mapState(golibvirt.DomainState(st)), nil
}

func mapState(s golibvirt.DomainState) State {
	switch s {
	case golibvirt.DomainRunning, golibvirt.DomainBlocked:
		return StateRunning
	case golibvirt.DomainPaused, golibvirt.DomainPmsuspended:
		return StatePaused
	case golibvirt.DomainShutdown:
		return StateShutdown
	case golibvirt.DomainCrashed:
		return StateCrashed
	}
	return StateStopped
}

// Shutdown presses the ACPI power button and waits, until ctx's deadline,
// for the guest to power off.
func (h *Libvirt) Shutdown(ctx context.Context, name string) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	var pressed time.Time
	for {
		st, err := h.state(ctx, d)
		if err != nil {
			return err
		}
		if st == StateStopped {
			return nil
		}
		if time.Since(pressed) >= powerButtonRepeat {
			err := do(ctx, func() error { return h.conn().DomainShutdownFlags(d, golibvirt.DomainShutdownAcpiPowerBtn) })
			if err != nil && !isCode(err, golibvirt.ErrOperationInvalid) {
				return fmt.Errorf("shutdown %s: %w", name, err)
			}
			pressed = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("shutdown %s: guest still running: %w", name, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// Events streams lifecycle events of every domain until ctx ends. All
// callers share the connection's one libvirt subscription (see eventHub).
func (h *Libvirt) Events(ctx context.Context) (<-chan Event, error) {
	ch, err := h.hub().subscribe(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscribe to lifecycle events: %w", err)
	}
	return ch, nil
}

// mapEvent turns a libvirt lifecycle event into an Event; definition
// changes and other non-state events are dropped.
func mapEvent(m golibvirt.DomainEventLifecycleMsg) (Event, bool) {
	ev := Event{Name: m.Dom.Name}
	switch golibvirt.DomainEventType(m.Event) {
	case golibvirt.DomainEventStarted:
		ev.State, ev.Reason = StateRunning, startedReason(m.Detail)
	case golibvirt.DomainEventStopped:
		ev.State, ev.Reason = StateStopped, stoppedReason(m.Detail)
	case golibvirt.DomainEventShutdown:
		ev.State, ev.Reason = StateShutdown, "shutting down"
	case golibvirt.DomainEventSuspended:
		ev.State, ev.Reason = StatePaused, "paused"
	case golibvirt.DomainEventResumed:
		ev.State, ev.Reason = StateRunning, "resumed"
	case golibvirt.DomainEventCrashed:
		ev.State, ev.Reason = StateCrashed, "crashed"
	case golibvirt.DomainEventUndefined:
		ev.State, ev.Reason = StateMissing, "undefined"
	default:
		return Event{}, false
	}
	return ev, true
}

func startedReason(detail int32) string {
	switch golibvirt.DomainEventStartedDetailType(detail) {
	case golibvirt.DomainEventStartedMigrated:
		return "migrated"
	case golibvirt.DomainEventStartedRestored:
		return "restored"
	}
	return "booted"
}

func stoppedReason(detail int32) string {
	switch golibvirt.DomainEventStoppedDetailType(detail) {
	case golibvirt.DomainEventStoppedShutdown:
		return "shutdown by guest"
	case golibvirt.DomainEventStoppedDestroyed:
		return "destroyed"
	case golibvirt.DomainEventStoppedCrashed:
		return "crashed"
	case golibvirt.DomainEventStoppedMigrated:
		return "migrated"
	case golibvirt.DomainEventStoppedFailed:
		return "failed"
	}
	return "stopped"
}
