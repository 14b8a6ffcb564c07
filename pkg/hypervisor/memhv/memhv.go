// Package memhv owns an in-memory hypervisor.Hypervisor, for tests of the
// code above pkg/hypervisor that need no libvirtd: it keeps the domains
// (each definition as the domain XML the libvirt driver would send, with
// its ec2lab metadata; the live configuration while running; the disks'
// active files, backing chains and I/O limits), the libvirt secrets, a
// lifecycle event stream and each domain's serial console, all in memory.
//
// It behaves as the libvirt driver does for everything the interface
// documents, errors included (hvsuite runs the same behavioural suite
// against both), and its XML follows libvirt's where ec2lab reads it. Where
// libvirt reads disk files (to probe a backing chain, for a size) memhv
// knows what it was told: SetBacking and SnapshotDisk record which file an
// overlay sits on, SetSize and ResizeDisk record sizes; a file memhv never
// heard of has no backing file. memhv never touches disk files (only the
// console log, see WriteConsole).
//
// Where a real guest acts by itself, Guest says how it behaves. The zero
// Guest is a cooperative, fully booted guest: it powers off at once on the
// ACPI power button (Shutdown), reboots at once on Reboot, releases a
// hot-unplugged disk at once (DetachDisk) and echoes what is typed on its
// console, as a shell on a tty does. SetGuest makes a guest ignore the
// power button, hold unplugged disks or keep its console silent; PowerOff
// and WriteConsole act for the guest.
package memhv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// ErrClosed is returned by every call after Close.
var ErrClosed = errors.New("memhv: hypervisor closed")

// Guest is how the guest of a domain behaves where a real guest acts by
// itself; the zero Guest cooperates at once.
type Guest struct {
	// IgnoreACPI makes the guest ignore the ACPI power button, as a guest
	// still in its firmware or without acpid does: Shutdown waits until its
	// context ends (or the guest powers off otherwise), Reboot does nothing.
	IgnoreACPI bool
	// HoldDisks makes the guest never release a hot-unplugged disk, as a
	// guest without an OS: DetachDisk of a running domain removes the disk
	// from the definition at once but waits, until its context ends, for
	// the live domain to lose it. Setting it back to false releases them.
	HoldDisks bool
	// SilentConsole makes the console record what is typed without echoing
	// it (only WriteConsole then produces output).
	SilentConsole bool
}

// HV is an in-memory hypervisor.Hypervisor; the zero value is not usable,
// New makes one.
type HV struct {
	mu      sync.Mutex
	doms    map[string]*domain
	secrets map[string][]byte
	guests  map[string]Guest
	sizes   map[string]uint64
	backing map[string]string // disk file → the file its header names below it
	changed chan struct{}     // closed and replaced on every state change
	closed  bool

	events *hypervisor.Fanout
}

var _ hypervisor.Hypervisor = (*HV)(nil)

// domain is one domain: running while live is set.
type domain struct {
	name string
	def  *libvirtxml.Domain // persistent definition; nil once undefined while running
	live *libvirtxml.Domain // running configuration; nil while shut off
	// held are targets detached while running whose guest has not released
	// them yet (Guest.HoldDisks): gone from def, still in live.
	held    map[string]bool
	boots   int
	console *session
	input   bytes.Buffer // everything typed on the console
	output  bytes.Buffer // everything the guest wrote to it
	nvram   []byte       // the UEFI variable store (SetNVRAM)
}

// New returns an empty hypervisor.
func New() *HV {
	return &HV{
		doms:    map[string]*domain{},
		secrets: map[string][]byte{},
		guests:  map[string]Guest{},
		sizes:   map[string]uint64{},
		backing: map[string]string{},
		changed: make(chan struct{}),
		events:  hypervisor.NewFanout(),
	}
}

// begin is the check every call starts with: the context may already be
// done (the libvirt driver then returns its error before calling libvirt),
// and the hypervisor may be closed.
func (h *HV) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	return nil
}

// lockDomain checks ctx, locks h and returns the domain name (or a wrapped
// ErrNotFound), the way every call on one domain begins. On an error h is
// unlocked; otherwise the caller unlocks.
func (h *HV) lockDomain(ctx context.Context, name string) (*domain, error) {
	if err := h.begin(ctx); err != nil {
		return nil, err
	}
	h.mu.Lock()
	d, err := h.lookupLocked(name)
	if err != nil {
		h.mu.Unlock()
		return nil, err
	}
	return d, nil
}

// lookupLocked returns the domain name or a wrapped ErrNotFound.
func (h *HV) lookupLocked(name string) (*domain, error) {
	if h.closed {
		return nil, ErrClosed
	}
	d, ok := h.doms[name]
	if !ok {
		return nil, fmt.Errorf("domain %s: %w", name, hypervisor.ErrNotFound)
	}
	return d, nil
}

// notifyLocked wakes every call waiting for a change (Shutdown, DetachDisk).
func (h *HV) notifyLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// wait returns when something changed (true) or ctx ended (false).
func (h *HV) wait(ctx context.Context, changed <-chan struct{}) bool {
	select {
	case <-changed:
		return true
	case <-ctx.Done():
		return false
	}
}

func (d *domain) running() bool { return d.live != nil }

// current is the configuration XML and Get show: the live one while
// running, the definition otherwise.
func (d *domain) current() *libvirtxml.Domain {
	if d.live != nil {
		return d.live
	}
	return d.def
}

// configs are the configurations a device change affects: live and
// definition while running (libvirt's AFFECT_LIVE|AFFECT_CONFIG), the
// definition alone while shut off.
func (d *domain) configs() []*libvirtxml.Domain {
	if d.live == nil {
		return []*libvirtxml.Domain{d.def}
	}
	if d.def == nil {
		return []*libvirtxml.Domain{d.live}
	}
	return []*libvirtxml.Domain{d.live, d.def}
}

func (d *domain) state() hypervisor.State {
	if d.live != nil {
		return hypervisor.StateRunning
	}
	return hypervisor.StateStopped
}

func (d *domain) uuid() string { return d.current().UUID }

// Define creates the persistent definition of spec.Name, or replaces it
// when the domain exists with the same UUID (a running domain keeps its
// live configuration until it stops). Like libvirt, a spec without a UUID
// gets a fresh one, so it cannot replace an existing domain; a name or UUID
// taken by another domain is refused.
func (h *HV) Define(ctx context.Context, spec hypervisor.DomainSpec) error {
	if err := h.begin(ctx); err != nil {
		return err
	}
	x, err := hypervisor.BuildDomainXML(spec)
	if err != nil {
		return err
	}
	dom, err := parseDomain(x)
	if err != nil {
		return fmt.Errorf("define %s: %w", spec.Name, err)
	}
	if err := checkDisks(dom); err != nil {
		return fmt.Errorf("define %s: %w", spec.Name, err)
	}
	if dom.UUID == "" {
		dom.UUID = newUUID()
	} else if dom.UUID, err = canonicalUUID(dom.UUID); err != nil {
		return fmt.Errorf("define %s: %w", spec.Name, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	for _, other := range h.doms {
		if other.name != spec.Name && other.uuid() == dom.UUID {
			return fmt.Errorf("define %s: domain '%s' is already defined with uuid %s", spec.Name, other.name, dom.UUID)
		}
	}
	if d, ok := h.doms[spec.Name]; ok {
		if d.uuid() != dom.UUID {
			return fmt.Errorf("define %s: domain '%s' already exists with uuid %s", spec.Name, spec.Name, d.uuid())
		}
		d.def = dom
		h.notifyLocked()
		return nil
	}
	h.doms[spec.Name] = &domain{name: spec.Name, def: dom}
	h.notifyLocked()
	return nil
}

// checkDisks refuses two disks on one target, as libvirt's validation does.
func checkDisks(dom *libvirtxml.Domain) error {
	seen := map[string]bool{}
	for _, disk := range dom.Devices.Disks {
		if disk.Target == nil {
			continue
		}
		if seen[disk.Target.Dev] {
			return fmt.Errorf("target '%s' duplicated for disk sources", disk.Target.Dev)
		}
		seen[disk.Target.Dev] = true
	}
	return nil
}

// Undefine removes the definition; an absent domain is no error. A running
// domain goes on, transient, until it stops; undefining a transient domain
// fails, as with libvirt.
func (h *HV) Undefine(ctx context.Context, name string) error {
	d, err := h.lockDomain(ctx, name)
	if errors.Is(err, hypervisor.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if d.def == nil {
		return fmt.Errorf("undefine %s: cannot undefine transient domain", name)
	}
	d.def = nil
	if !d.running() {
		delete(h.doms, name)
	}
	h.emitLocked(hypervisor.Event{Name: name, State: hypervisor.StateMissing, Reason: "undefined"})
	h.notifyLocked()
	return nil
}

// Get returns a domain's state and the metadata of its current
// configuration (the live one while running).
func (h *HV) Get(ctx context.Context, name string) (hypervisor.Domain, error) {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return hypervisor.Domain{}, err
	}
	defer h.mu.Unlock()
	return d.describe()
}

func (d *domain) describe() (hypervisor.Domain, error) {
	x, err := d.current().Marshal()
	if err != nil {
		return hypervisor.Domain{}, fmt.Errorf("marshal domain %s: %w", d.name, err)
	}
	md, err := hypervisor.ParseMetadata(x)
	if err != nil {
		return hypervisor.Domain{}, fmt.Errorf("domain %s: %w", d.name, err)
	}
	return hypervisor.Domain{Name: d.name, State: d.state(), Metadata: md}, nil
}

// List returns the domains whose names start with prefix, by name.
func (h *HV) List(ctx context.Context, prefix string) ([]hypervisor.Domain, error) {
	if err := h.begin(ctx); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hypervisor.Domain
	for _, name := range slices.Sorted(maps.Keys(h.doms)) {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		dom, err := h.doms[name].describe()
		if err != nil {
			return nil, err
		}
		out = append(out, dom)
	}
	return out, nil
}

// XML returns the live XML (the definition when the domain is off).
func (h *HV) XML(ctx context.Context, name string) (string, error) {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return "", err
	}
	defer h.mu.Unlock()
	x, err := d.current().Marshal()
	if err != nil {
		return "", fmt.Errorf("XML of %s: %w", name, err)
	}
	return x, nil
}

// Close ends every event stream and console session; every later call
// returns ErrClosed.
func (h *HV) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	for _, d := range h.doms {
		if d.console != nil {
			d.console.end(ErrClosed)
			d.console = nil
		}
	}
	h.notifyLocked()
	h.mu.Unlock()
	h.events.End()
	return nil
}

// SetGuest sets how the guest of domain name behaves (whether or not the
// domain is defined yet; it outlives Undefine).
func (h *HV) SetGuest(name string, g Guest) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.guests[name] = g
	if d, ok := h.doms[name]; ok && !g.HoldDisks && d.running() {
		for target := range d.held {
			removeDisk(d.live, target)
		}
		d.held = nil
	}
	h.notifyLocked()
}

// Boots is how many times the guest of name has booted: each Start and
// each Reboot it obeyed (0 for an unknown domain).
func (h *HV) Boots(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d, ok := h.doms[name]; ok {
		return d.boots
	}
	return 0
}

// Size is the virtual size memhv knows of the disk file at path (set by
// SetSize or ResizeDisk; an overlay, see SetBacking, starts with the size
// of the file below it).
func (h *HV) Size(path string) (uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, ok := h.sizes[path]
	return n, ok
}

// SetSize records the virtual size of the disk file at path, as creating
// the file would.
func (h *HV) SetSize(path string, size uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sizes[path] = size
}

// SetBacking records that the disk file at path is a qcow2 overlay of the
// file backing (absolute), as its header would say: a domain started or a
// disk attached live with path sees the chain below it, as libvirt probes
// it. An overlay whose size memhv does not know has its backing's.
func (h *HV) SetBacking(path, backing string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.setBackingLocked(path, backing)
}

func (h *HV) setBackingLocked(path, backing string) {
	h.backing[path] = backing
	if n, ok := h.sizes[backing]; ok {
		if _, known := h.sizes[path]; !known {
			h.sizes[path] = n
		}
	}
}

// Secret returns the passphrase stored as secret uuid.
func (h *HV) Secret(uuid string) ([]byte, bool) {
	u, err := canonicalUUID(uuid)
	if err != nil {
		return nil, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.secrets[u]
	return bytes.Clone(p), ok
}

func parseDomain(x string) (*libvirtxml.Domain, error) {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(x); err != nil {
		return nil, fmt.Errorf("parse domain XML: %w", err)
	}
	if dom.Devices == nil {
		dom.Devices = &libvirtxml.DomainDeviceList{}
	}
	return &dom, nil
}

// clone deep-copies a configuration through its XML.
func clone(dom *libvirtxml.Domain) *libvirtxml.Domain {
	x, err := dom.Marshal()
	if err != nil {
		panic(fmt.Sprintf("memhv: marshal domain %s: %v", dom.Name, err))
	}
	c, err := parseDomain(x)
	if err != nil {
		panic(fmt.Sprintf("memhv: %v", err))
	}
	return c
}

func newUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// canonicalUUID is s (16 hex bytes, dashes anywhere) as libvirt prints it.
func canonicalUUID(s string) (string, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		return "", fmt.Errorf("UUID %q: not 16 hex bytes", s)
	}
	return formatUUID(b), nil
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
