// Package hvsuite owns the behavioural test suite of hypervisor.Hypervisor:
// what the agent relies on from any implementation (lifecycle and its
// errors, metadata, listing, lifecycle events, disks, I/O limits, secrets,
// the console), as a table of named subtests, each given a fresh Harness
// and its own domain names. pkg/hypervisor runs it against the libvirt
// driver on a real libvirtd, pkg/hypervisor/memhv against the in-memory
// hypervisor, so that the fake cannot drift from the real thing.
//
// The suite needs two kinds of guests. An inert guest runs but never boots
// an OS (libvirt: firmware with no bootable disk): it ignores the ACPI
// power button, never releases a hot-unplugged disk and says nothing on
// its console, which makes the waiting paths testable in a second and
// costs almost nothing to start. A booting guest (optional) boots, obeys
// the power button, releases unplugged disks and serves a shell on its
// console; one such guest is booted, and rebooted once, for the subtests
// that need a guest to act.
package hvsuite

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// Harness is one fresh implementation under test and what the suite needs
// of its host. Every func field takes the running (sub)test.
type Harness struct {
	HV hypervisor.Hypervisor

	// Prefix returns a domain name prefix unique to t; nil: a random
	// "hvsuite-<hex>-".
	Prefix func(t *testing.T) string
	// Inert returns a definable spec named name whose guest runs but never
	// boots an OS (see the package comment); its only disk is the root
	// disk vda. The suite sets Metadata and UUID itself.
	Inert func(t *testing.T, name string) hypervisor.DomainSpec
	// Booting returns a spec named name whose guest boots, powers off on
	// the ACPI power button, releases hot-unplugged disks and serves a
	// shell that echoes what is typed on its serial console. nil skips the
	// subtests that need one.
	Booting func(t *testing.T, name string) hypervisor.DomainSpec
	// WaitBoot waits until the guest of the Booting domain name has booted
	// n times (counting from 1) and its console shell is up.
	WaitBoot func(t *testing.T, name string, n int)
	// NewDisk creates a qcow2 data disk file name of size bytes,
	// LUKS-encrypted with passphrase when it is not nil, and returns its
	// absolute path.
	NewDisk func(t *testing.T, name string, size uint64, passphrase []byte) string
	// Overlay creates the qcow2 file name next to the file backing, as an
	// overlay of it (what SnapshotDisk takes as newHead), and returns its
	// absolute path.
	Overlay func(t *testing.T, backing, name string) string
	// VirtualSize is the virtual size of the disk file at path.
	VirtualSize func(t *testing.T, path string) uint64
	// HasSecret reports whether the secret uuid is defined; nil leaves that
	// check out.
	HasSecret func(t *testing.T, uuid string) bool
	// IgnoredWait is how long the suite lets Shutdown wait for an inert
	// guest before it expects it to give up, and gives a console session to
	// attach (at most half a second of it); 0: 200ms.
	IgnoredWait time.Duration
	// HeldDetachWait is IgnoredWait for DetachDisk; 0: IgnoredWait. (A
	// live detach from libvirt takes libvirtd's own 5 s wait for the guest
	// before the driver starts polling, and the definition loses the disk
	// only after it.)
	HeldDetachWait time.Duration
}

// subtest is one named behaviour.
type subtest struct {
	name string
	run  func(e *env)
}

// Run runs every subtest of the suite against a fresh harness from
// newHarness (called inside the subtest, so it may skip or fail it).
// Subtests run one after the other.
func Run(t *testing.T, newHarness func(t *testing.T) *Harness) {
	for _, st := range suite {
		t.Run(st.name, func(t *testing.T) {
			h := newHarness(t)
			st.run(newEnv(t, h))
		})
	}
}

// subtestTimeout bounds each subtest's calls.
const subtestTimeout = 4 * time.Minute

// eventTimeout is how long the suite waits for one lifecycle event.
const eventTimeout = 30 * time.Second

// env is one subtest's harness, context and names.
type env struct {
	*Harness
	t      *testing.T
	ctx    context.Context
	prefix string
}

func newEnv(t *testing.T, h *Harness) *env {
	if h.HV == nil || h.Inert == nil || h.NewDisk == nil || h.Overlay == nil || h.VirtualSize == nil ||
		(h.Booting != nil && h.WaitBoot == nil) {
		t.Fatal("hvsuite: the harness lacks HV, Inert, NewDisk, Overlay, VirtualSize or (with Booting) WaitBoot")
	}
	ctx, cancel := context.WithTimeout(context.Background(), subtestTimeout)
	t.Cleanup(cancel)
	e := &env{Harness: h, t: t, ctx: ctx}
	if h.Prefix != nil {
		e.prefix = h.Prefix(t)
	} else {
		e.prefix = "hvsuite-" + randHex(t, 4) + "-"
	}
	if e.IgnoredWait == 0 {
		e.IgnoredWait = 200 * time.Millisecond
	}
	if e.HeldDetachWait == 0 {
		e.HeldDetachWait = e.IgnoredWait
	}
	return e
}

func randHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// newUUID is a random (v4) UUID as libvirt prints it.
func newUUID(t *testing.T) string {
	h := randHex(t, 16)
	h = h[:12] + "4" + h[13:16] + "8" + h[17:]
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// domain returns the name of a domain of this subtest (prefix + label)
// and removes the domain when the subtest ends, whatever happened.
func (e *env) domain(label string) string {
	name := e.prefix + label
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := e.HV.Destroy(ctx, name); err != nil {
			e.t.Errorf("cleanup: destroy %s: %v", name, err)
		}
		if err := e.HV.Undefine(ctx, name); err != nil {
			e.t.Errorf("cleanup: undefine %s: %v", name, err)
		}
	})
	return name
}

// metadata is distinct metadata for label.
func metadata(label string) hypervisor.Metadata {
	return hypervisor.Metadata{InstanceID: "i-" + label, OwnerID: "123456789012", InstanceType: "t3.micro", ImageID: "ami-" + label}
}

// inert defines (and with start, starts) an inert domain labelled label.
func (e *env) inert(label string, start bool, edit ...func(*hypervisor.DomainSpec)) (string, hypervisor.DomainSpec) {
	e.t.Helper()
	name := e.domain(label)
	spec := e.Inert(e.t, name)
	spec.Metadata = metadata(label)
	for _, f := range edit {
		f(&spec)
	}
	if err := e.HV.Define(e.ctx, spec); err != nil {
		e.t.Fatalf("Define %s: %v", name, err)
	}
	if start {
		e.start(name)
	}
	return name, spec
}

func (e *env) start(name string) {
	e.t.Helper()
	if err := e.HV.Start(e.ctx, name); err != nil {
		e.t.Fatalf("Start %s: %v", name, err)
	}
}

func (e *env) destroy(name string) {
	e.t.Helper()
	if err := e.HV.Destroy(e.ctx, name); err != nil {
		e.t.Fatalf("Destroy %s: %v", name, err)
	}
}

// get returns Get of name, failing the test on an error.
func (e *env) get(name string) hypervisor.Domain {
	e.t.Helper()
	d, err := e.HV.Get(e.ctx, name)
	if err != nil {
		e.t.Fatalf("Get %s: %v", name, err)
	}
	return d
}

// wantState fails unless name is in state st.
func (e *env) wantState(name string, st hypervisor.State) {
	e.t.Helper()
	if d := e.get(name); d.State != st {
		e.t.Fatalf("%s is %s, want %s", name, d.State, st)
	}
}

// wantNotFound fails unless err wraps hypervisor.ErrNotFound.
func (e *env) wantNotFound(op string, err error) {
	e.t.Helper()
	if !errors.Is(err, hypervisor.ErrNotFound) {
		e.t.Errorf("%s: %v, want ErrNotFound", op, err)
	}
}

// wantError fails when err is nil.
func (e *env) wantError(op string, err error) {
	e.t.Helper()
	if err == nil {
		e.t.Errorf("%s: no error", op)
	}
}

// xml returns name's XML (live while running), parsed.
func (e *env) xml(name string) *libvirtxml.Domain {
	e.t.Helper()
	x, err := e.HV.XML(e.ctx, name)
	if err != nil {
		e.t.Fatalf("XML %s: %v", name, err)
	}
	var d libvirtxml.Domain
	if err := d.Unmarshal(x); err != nil {
		e.t.Fatalf("parse XML of %s: %v", name, err)
	}
	return &d
}

// disk returns the disk at target in name's XML, nil when there is none.
func (e *env) disk(name, target string) *libvirtxml.DomainDisk {
	e.t.Helper()
	d := e.xml(name)
	if d.Devices == nil {
		return nil
	}
	for i := range d.Devices.Disks {
		if t := d.Devices.Disks[i].Target; t != nil && t.Dev == target {
			return &d.Devices.Disks[i]
		}
	}
	return nil
}

// source is a disk's active file.
func source(d *libvirtxml.DomainDisk) string {
	if d == nil || d.Source == nil || d.Source.File == nil {
		return ""
	}
	return d.Source.File.File
}

// chain is the backing chain below a disk's active file, nearest first.
func chain(d *libvirtxml.DomainDisk) []string {
	var out []string
	for b := d.BackingStore; b != nil && b.Source != nil && b.Source.File != nil; b = b.BackingStore {
		out = append(out, b.Source.File.File)
	}
	return out
}

// names are the names of doms.
func names(doms []hypervisor.Domain) []string {
	var out []string
	for _, d := range doms {
		out = append(out, d.Name)
	}
	slices.Sort(out)
	return out
}

// watcher is one Events subscription of a subtest.
type watcher struct {
	e    *env
	ch   <-chan hypervisor.Event
	seen []hypervisor.Event // of this subtest's domains
}

// watch subscribes until the subtest ends.
func (e *env) watch() *watcher {
	e.t.Helper()
	ch, err := e.HV.Events(e.ctx)
	if err != nil {
		e.t.Fatalf("Events: %v", err)
	}
	return &watcher{e: e, ch: ch}
}

// want waits for an event of domain name in state st with reason,
// skipping others, and returns the events of name it skipped.
func (w *watcher) want(name string, st hypervisor.State, reason string) []hypervisor.Event {
	w.e.t.Helper()
	var skipped []hypervisor.Event
	timeout := time.After(eventTimeout)
	for {
		select {
		case ev, ok := <-w.ch:
			if !ok {
				w.e.t.Fatalf("event stream closed before %s %s (%s); saw %+v", name, st, reason, skipped)
			}
			if ev.Name != name {
				continue
			}
			w.seen = append(w.seen, ev)
			if ev.State == st && ev.Reason == reason {
				return skipped
			}
			skipped = append(skipped, ev)
		case <-timeout:
			w.e.t.Fatalf("no event %s %s (%s) within %v; saw %+v", name, st, reason, eventTimeout, skipped)
		}
	}
}

// syncBuffer is a console's output, written by OpenConsole's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
