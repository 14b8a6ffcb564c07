package memhv

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// The lifecycle events memhv emits, as the libvirt driver maps libvirt's:
// QEMU resumes the vCPUs before libvirt reports the start, and a stopping
// QEMU reports its shutdown before libvirt reports it stopped.
var (
	evResumed  = hypervisor.Event{State: hypervisor.StateRunning, Reason: "resumed"}
	evBooted   = hypervisor.Event{State: hypervisor.StateRunning, Reason: "booted"}
	evShutdown = hypervisor.Event{State: hypervisor.StateShutdown, Reason: "shutting down"}
)

func event(name string, ev hypervisor.Event) hypervisor.Event {
	ev.Name = name
	return ev
}

// Start boots a defined domain: its definition becomes its live
// configuration. Every secret its disks name must be defined.
func (h *HV) Start(ctx context.Context, name string) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if d.running() {
		return fmt.Errorf("start %s: domain is already running", name)
	}
	for _, disk := range d.def.Devices.Disks {
		if err := h.checkSecretLocked(disk); err != nil {
			return fmt.Errorf("start %s: %w", name, err)
		}
	}
	d.live = clone(d.def)
	for i := range d.live.Devices.Disks {
		h.probeLocked(&d.live.Devices.Disks[i])
	}
	d.boots++
	h.emitLocked(event(name, evResumed))
	h.emitLocked(event(name, evBooted))
	h.notifyLocked()
	return nil
}

// stopLocked shuts a running domain off: its live configuration and
// console session end, a transient domain disappears.
func (h *HV) stopLocked(d *domain, reason string) {
	d.live, d.held = nil, nil
	if d.console != nil {
		d.console.end(nil)
		d.console = nil
	}
	if d.def == nil {
		delete(h.doms, d.name)
	}
	h.emitLocked(event(d.name, evShutdown))
	h.emitLocked(hypervisor.Event{Name: d.name, State: hypervisor.StateStopped, Reason: reason})
	h.notifyLocked()
}

// Shutdown presses the ACPI power button and waits, until ctx ends, for the
// guest to power off; a guest that ignores the button (Guest.IgnoreACPI)
// keeps it waiting, and obeys when SetGuest lets it (libvirt's driver
// presses the button again every few seconds).
func (h *HV) Shutdown(ctx context.Context, name string) error {
	if err := h.begin(ctx); err != nil {
		return err
	}
	for {
		h.mu.Lock()
		d, err := h.lookupLocked(name)
		if err != nil {
			h.mu.Unlock()
			return err
		}
		if !d.running() {
			h.mu.Unlock()
			return nil
		}
		if !h.guests[name].IgnoreACPI {
			h.stopLocked(d, "shutdown by guest")
			h.mu.Unlock()
			return nil
		}
		changed := h.changed
		h.mu.Unlock()
		if !h.wait(ctx, changed) {
			return fmt.Errorf("shutdown %s: guest still running: %w", name, ctx.Err())
		}
	}
}

// Destroy forces the domain off; a domain already off or gone is no error.
func (h *HV) Destroy(ctx context.Context, name string) error {
	d, err := h.lockDomain(ctx, name)
	if errors.Is(err, hypervisor.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if d.running() {
		h.stopLocked(d, "destroyed")
	}
	return nil
}

// Reboot asks the guest to reboot through ACPI: a cooperative guest boots
// again at once, one that ignores the button goes on as it was. Neither
// emits a lifecycle event: libvirt reports none for its "fake reboot" (the
// guest powers off, QEMU resets and resumes it).
func (h *HV) Reboot(ctx context.Context, name string) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if !d.running() {
		return fmt.Errorf("reboot %s: domain is not running", name)
	}
	if !h.guests[name].IgnoreACPI {
		d.boots++
		h.notifyLocked()
	}
	return nil
}

// PowerOff powers the guest of a running domain off from inside (as
// `poweroff` in the guest does): the domain stops with reason "shutdown by
// guest".
func (h *HV) PowerOff(name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.lookupLocked(name)
	if err != nil {
		return err
	}
	if !d.running() {
		return fmt.Errorf("power off %s: domain is not running", name)
	}
	h.stopLocked(d, "shutdown by guest")
	return nil
}
