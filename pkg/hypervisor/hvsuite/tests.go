package hvsuite

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// suite is every subtest, in the order they run.
var suite = []subtest{
	{"DefineThenGet", testDefineThenGet},
	{"DefineRefusesInvalidSpecs", testDefineRefusesInvalid},
	{"RedefineKeepsTheUUID", testRedefine},
	{"UnknownDomain", testUnknownDomain},
	{"UndefineStopped", testUndefineStopped},
	{"ListByPrefix", testListByPrefix},
	{"StartDestroyAndEvents", testStartDestroy},
	{"ShutdownIgnoredByGuest", testShutdownIgnored},
	{"UndefineRunning", testUndefineRunning},
	{"RedefineRunning", testRedefineRunning},
	{"DisksOfStoppedDomain", testDisksStopped},
	{"DisksOfRunningDomain", testDisksRunning},
	{"CPUQuota", testCPUQuota},
	{"DetachHeldByGuest", testDetachHeld},
	{"SnapshotAndStream", testSnapshotStream},
	{"Secrets", testSecrets},
	{"ConsoleSessions", testConsoleSessions},
	{"BootedGuest", testBootedGuest},
}

const (
	mib      = 1 << 20
	dataSize = 64 * mib
)

// testDefineThenGet: a defined domain is shut off, with its metadata, in
// Get, XML and List.
func testDefineThenGet(e *env) {
	name, spec := e.inert("i-define", false)
	d := e.get(name)
	if d.Name != name || d.State != hypervisor.StateStopped || d.Metadata != spec.Metadata {
		e.t.Errorf("Get = %+v, want %s stopped with %+v", d, name, spec.Metadata)
	}
	x, err := e.HV.XML(e.ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	if md, err := hypervisor.ParseMetadata(x); err != nil || md != spec.Metadata {
		e.t.Errorf("metadata in XML = %+v, %v; want %+v", md, err, spec.Metadata)
	}
	dom := e.xml(name)
	if dom.Name != name || dom.UUID == "" {
		e.t.Errorf("XML names %q uuid %q", dom.Name, dom.UUID)
	}
	if src := source(e.disk(name, "vda")); src != spec.Disks[0].Path {
		e.t.Errorf("vda in XML = %q, want %s", src, spec.Disks[0].Path)
	}
	list, err := e.HV.List(e.ctx, e.prefix)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(list) != 1 || list[0] != d {
		e.t.Errorf("List = %+v, want [%+v]", list, d)
	}
}

// testDefineRefusesInvalid: an invalid spec defines nothing.
func testDefineRefusesInvalid(e *env) {
	name := e.domain("i-invalid")
	spec := e.Inert(e.t, name)
	noCPU := spec
	noCPU.VCPUs = 0
	e.wantError("Define without vCPUs", e.HV.Define(e.ctx, noCPU))
	twice := spec
	twice.Disks = append(slices.Clone(spec.Disks), hypervisor.Disk{Path: spec.Disks[0].Path, Target: spec.Disks[0].Target})
	e.wantError("Define with two disks on "+spec.Disks[0].Target, e.HV.Define(e.ctx, twice))
	_, err := e.HV.Get(e.ctx, name)
	e.wantNotFound("Get after refused definitions", err)
}

// testRedefine: Define replaces the definition of a domain with the same
// UUID; a definition with another UUID, or none (libvirt draws a fresh one),
// is refused, and so is another name with a UUID in use.
func testRedefine(e *env) {
	uuid := newUUID(e.t)
	name, spec := e.inert("i-redefine", false, func(s *hypervisor.DomainSpec) { s.UUID = uuid })
	if got := e.xml(name).UUID; got != uuid {
		e.t.Errorf("UUID in XML = %s, want %s", got, uuid)
	}
	spec.Metadata = metadata("redefined")
	if err := e.HV.Define(e.ctx, spec); err != nil {
		e.t.Fatalf("Define again with the same UUID: %v", err)
	}
	if d := e.get(name); d.Metadata != spec.Metadata || d.State != hypervisor.StateStopped {
		e.t.Errorf("after redefinition Get = %+v, want stopped with %+v", d, spec.Metadata)
	}

	other := spec
	other.UUID, other.Metadata = newUUID(e.t), metadata("other-uuid")
	e.wantError("Define with another UUID", e.HV.Define(e.ctx, other))
	none := spec
	none.UUID, none.Metadata = "", metadata("no-uuid")
	e.wantError("Define of an existing domain without a UUID", e.HV.Define(e.ctx, none))
	if d := e.get(name); d.Metadata != spec.Metadata {
		e.t.Errorf("a refused definition changed the domain: %+v", d.Metadata)
	}

	name2 := e.domain("i-redefine2")
	taken := e.Inert(e.t, name2)
	taken.UUID = uuid
	e.wantError("Define of another name with a UUID in use", e.HV.Define(e.ctx, taken))
	_, err := e.HV.Get(e.ctx, name2)
	e.wantNotFound("Get of the refused name", err)
}

// testUnknownDomain: every call on a domain that does not exist fails
// with ErrNotFound, except Destroy and Undefine, which succeed.
func testUnknownDomain(e *env) {
	name := e.prefix + "i-unknown"
	ctx, hv := e.ctx, e.HV
	_, err := hv.Get(ctx, name)
	e.wantNotFound("Get", err)
	_, err = hv.XML(ctx, name)
	e.wantNotFound("XML", err)
	e.wantNotFound("Start", hv.Start(ctx, name))
	e.wantNotFound("Shutdown", hv.Shutdown(ctx, name))
	e.wantNotFound("Reboot", hv.Reboot(ctx, name))
	disk := hypervisor.Disk{Path: "/nonexistent/data.qcow2", Target: "vdb"}
	e.wantNotFound("AttachDisk", hv.AttachDisk(ctx, name, disk))
	e.wantNotFound("DetachDisk", hv.DetachDisk(ctx, name, "vdb"))
	e.wantNotFound("SnapshotDisk", hv.SnapshotDisk(ctx, name, "vda", "/nonexistent/head.qcow2"))
	e.wantNotFound("StreamDisk", hv.StreamDisk(ctx, name, "vda", ""))
	e.wantNotFound("ResizeDisk", hv.ResizeDisk(ctx, name, "vda", dataSize))
	e.wantNotFound("SetIOTune", hv.SetIOTune(ctx, name, "vda", hypervisor.IOTune{TotalIOPSSec: 100}))
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	e.wantNotFound("OpenConsole", hv.OpenConsole(cctx, name, nil, io.Discard))
	if err := hv.Destroy(ctx, name); err != nil {
		e.t.Errorf("Destroy: %v, want none", err)
	}
	if err := hv.Undefine(ctx, name); err != nil {
		e.t.Errorf("Undefine: %v, want none", err)
	}
	list, err := hv.List(ctx, name)
	if err != nil || len(list) != 0 {
		e.t.Errorf("List(%s) = %+v, %v; want nothing", name, list, err)
	}
}

// testUndefineStopped: Undefine removes a shut-off domain (an "undefined"
// event); a second Undefine is no error.
func testUndefineStopped(e *env) {
	w := e.watch()
	name, _ := e.inert("i-undefine", false)
	if err := e.HV.Undefine(e.ctx, name); err != nil {
		e.t.Fatal(err)
	}
	_, err := e.HV.Get(e.ctx, name)
	e.wantNotFound("Get after Undefine", err)
	_, err = e.HV.XML(e.ctx, name)
	e.wantNotFound("XML after Undefine", err)
	if list, err := e.HV.List(e.ctx, e.prefix); err != nil || len(list) != 0 {
		e.t.Errorf("List after Undefine = %+v, %v", list, err)
	}
	if err := e.HV.Undefine(e.ctx, name); err != nil {
		e.t.Errorf("second Undefine: %v", err)
	}
	w.want(name, hypervisor.StateMissing, "undefined")
}

// testListByPrefix: List returns exactly the domains with the prefix.
func testListByPrefix(e *env) {
	a1, _ := e.inert("a-1", false)
	a2, _ := e.inert("a-2", false)
	b1, _ := e.inert("b-1", false)
	for prefix, want := range map[string][]string{
		e.prefix + "a-":    {a1, a2},
		e.prefix:           {a1, a2, b1},
		e.prefix + "b-1":   {b1},
		e.prefix + "none-": nil,
	} {
		list, err := e.HV.List(e.ctx, prefix)
		if err != nil {
			e.t.Fatal(err)
		}
		if got := names(list); !slices.Equal(got, want) {
			e.t.Errorf("List(%s) = %v, want %v", prefix, got, want)
		}
		for _, d := range list {
			if d.State != hypervisor.StateStopped || d.Metadata.InstanceID != "i-"+strings.TrimPrefix(d.Name, e.prefix) {
				e.t.Errorf("List(%s) has %+v", prefix, d)
			}
		}
	}
	all, err := e.HV.List(e.ctx, "")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, n := range []string{a1, a2, b1} {
		if !slices.Contains(names(all), n) {
			e.t.Errorf("List(\"\") lacks %s", n)
		}
	}
}

// testStartDestroy: Start runs a domain (a "booted" event to every
// subscriber), Destroy shuts it off (a "destroyed" event); neither repeats
// silently except Destroy; a cancelled subscription is closed; what needs a
// running domain fails on a shut-off one.
func testStartDestroy(e *env) {
	first := e.watch()
	goneCtx, gone := context.WithCancel(e.ctx)
	goneCh, err := e.HV.Events(goneCtx)
	if err != nil {
		e.t.Fatal(err)
	}
	gone()
	late := e.watch()
	name, _ := e.inert("i-start", false)
	e.start(name)
	e.wantState(name, hypervisor.StateRunning)
	for _, w := range []*watcher{first, late} {
		w.want(name, hypervisor.StateRunning, "booted")
	}
	closed := time.After(10 * time.Second)
drain:
	for {
		select {
		case _, ok := <-goneCh:
			if !ok {
				break drain
			}
		case <-closed:
			e.t.Error("a cancelled subscription's channel stays open")
			break drain
		}
	}
	e.wantError("Start of a running domain", e.HV.Start(e.ctx, name))
	e.wantState(name, hypervisor.StateRunning)

	e.destroy(name)
	e.wantState(name, hypervisor.StateStopped)
	for _, w := range []*watcher{first, late} {
		w.want(name, hypervisor.StateStopped, "destroyed")
	}
	if err := e.HV.Destroy(e.ctx, name); err != nil {
		e.t.Errorf("Destroy of a shut-off domain: %v", err)
	}
	sctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	if err := e.HV.Shutdown(sctx, name); err != nil {
		e.t.Errorf("Shutdown of a shut-off domain: %v", err)
	}
	e.wantError("Reboot of a shut-off domain", e.HV.Reboot(e.ctx, name))
	e.wantError("ResizeDisk of a shut-off domain", e.HV.ResizeDisk(e.ctx, name, "vda", dataSize))
	e.wantError("StreamDisk of a shut-off domain", e.HV.StreamDisk(e.ctx, name, "vda", ""))
	e.wantError("OpenConsole of a shut-off domain", e.HV.OpenConsole(sctx, name, nil, io.Discard))
	e.wantState(name, hypervisor.StateStopped)
	e.t.Logf("events of %s: %+v", name, first.seen)
}

// testShutdownIgnored: Shutdown of a guest that ignores the power button
// gives up when its context ends and leaves the domain running; Reboot of
// it succeeds and changes nothing.
func testShutdownIgnored(e *env) {
	name, _ := e.inert("i-noacpi", true)
	sctx, cancel := context.WithTimeout(e.ctx, e.IgnoredWait)
	defer cancel()
	err := e.HV.Shutdown(sctx, name)
	if !errors.Is(err, context.DeadlineExceeded) {
		e.t.Errorf("Shutdown of a guest ignoring ACPI: %v, want the context's deadline", err)
	}
	e.wantState(name, hypervisor.StateRunning)
	if err := e.HV.Reboot(e.ctx, name); err != nil {
		e.t.Errorf("Reboot of a guest ignoring ACPI: %v", err)
	}
	e.wantState(name, hypervisor.StateRunning)
}

// testUndefineRunning: an undefined running domain goes on (transient)
// until it stops, then it is gone.
func testUndefineRunning(e *env) {
	w := e.watch()
	name, spec := e.inert("i-transient", true)
	if err := e.HV.Undefine(e.ctx, name); err != nil {
		e.t.Fatal(err)
	}
	w.want(name, hypervisor.StateMissing, "undefined")
	if d := e.get(name); d.State != hypervisor.StateRunning || d.Metadata != spec.Metadata {
		e.t.Errorf("after Undefine of a running domain Get = %+v", d)
	}
	if list, err := e.HV.List(e.ctx, e.prefix); err != nil || len(list) != 1 {
		e.t.Errorf("List = %+v, %v; want the transient domain", list, err)
	}
	e.wantError("Undefine of a transient domain", e.HV.Undefine(e.ctx, name))
	e.destroy(name)
	w.want(name, hypervisor.StateStopped, "destroyed")
	_, err := e.HV.Get(e.ctx, name)
	e.wantNotFound("Get after the transient domain stopped", err)
	if list, err := e.HV.List(e.ctx, e.prefix); err != nil || len(list) != 0 {
		e.t.Errorf("List = %+v, %v; want nothing", list, err)
	}
}

// testRedefineRunning: redefining a running domain changes its definition,
// not the live domain: Get shows the new metadata once it stopped.
func testRedefineRunning(e *env) {
	uuid := newUUID(e.t)
	name, spec := e.inert("i-redefine-live", true, func(s *hypervisor.DomainSpec) { s.UUID = uuid })
	old := spec.Metadata
	spec.Metadata = metadata("redefined-live")
	if err := e.HV.Define(e.ctx, spec); err != nil {
		e.t.Fatal(err)
	}
	if d := e.get(name); d.State != hypervisor.StateRunning || d.Metadata != old {
		e.t.Errorf("running domain after redefinition: %+v, want running with %+v", d, old)
	}
	e.destroy(name)
	if d := e.get(name); d.State != hypervisor.StateStopped || d.Metadata != spec.Metadata {
		e.t.Errorf("after it stopped: %+v, want stopped with %+v", d, spec.Metadata)
	}
}

// testDisksStopped: disk changes of a shut-off domain go to its definition.
func testDisksStopped(e *env) {
	name, _ := e.inert("i-disks-off", false)
	data := e.NewDisk(e.t, "data.qcow2", dataSize, nil)
	disk := hypervisor.Disk{Path: data, Target: "vdb", Serial: "vol-data"}
	if err := e.HV.AttachDisk(e.ctx, name, disk); err != nil {
		e.t.Fatal(err)
	}
	if d := e.disk(name, "vdb"); source(d) != data || d.Serial != "vol-data" {
		e.t.Fatalf("vdb after AttachDisk: %+v", d)
	}
	e.wantError("AttachDisk on a target in use", e.HV.AttachDisk(e.ctx, name, disk))
	e.wantError("AttachDisk on a non-virtio target", e.HV.AttachDisk(e.ctx, name, hypervisor.Disk{Path: data, Target: "sdb"}))

	tune := hypervisor.IOTune{TotalIOPSSec: 500, TotalBytesSec: 10 * mib}
	if err := e.HV.SetIOTune(e.ctx, name, "vdb", tune); err != nil {
		e.t.Fatal(err)
	}
	if d := e.disk(name, "vdb"); d.IOTune == nil || d.IOTune.TotalIopsSec != 500 || d.IOTune.TotalBytesSec != 10*mib {
		e.t.Errorf("vdb iotune = %+v", d.IOTune)
	}
	e.wantError("SetIOTune of a missing disk", e.HV.SetIOTune(e.ctx, name, "vdz", tune))

	e.wantError("DetachDisk of a missing disk", e.HV.DetachDisk(e.ctx, name, "vdz"))
	if err := e.HV.DetachDisk(e.ctx, name, "vdb"); err != nil {
		e.t.Fatal(err)
	}
	if d := e.disk(name, "vdb"); d != nil {
		e.t.Errorf("vdb still there after DetachDisk: %+v", d)
	}
	e.wantError("second DetachDisk", e.HV.DetachDisk(e.ctx, name, "vdb"))
	if d := e.disk(name, "vda"); d == nil {
		e.t.Error("vda went away")
	}
}

// testDisksRunning: disk changes of a running domain go live and to the
// definition; ResizeDisk grows the active file.
func testDisksRunning(e *env) {
	name, _ := e.inert("i-disks-on", true)
	data := e.NewDisk(e.t, "data.qcow2", dataSize, nil)
	disk := hypervisor.Disk{Path: data, Target: "vdb", Serial: "vol-data"}
	if err := e.HV.AttachDisk(e.ctx, name, disk); err != nil {
		e.t.Fatal(err)
	}
	if d := e.disk(name, "vdb"); source(d) != data || d.Serial != "vol-data" {
		e.t.Fatalf("live vdb after AttachDisk: %+v", d)
	}
	e.wantError("AttachDisk on a target in use", e.HV.AttachDisk(e.ctx, name, disk))

	tune := hypervisor.IOTune{TotalIOPSSec: 500, TotalBytesSec: 10 * mib}
	if err := e.HV.SetIOTune(e.ctx, name, "vdb", tune); err != nil {
		e.t.Fatal(err)
	}
	if d := e.disk(name, "vdb"); d.IOTune == nil || d.IOTune.TotalIopsSec != 500 || d.IOTune.TotalBytesSec != 10*mib {
		e.t.Errorf("live vdb iotune = %+v", d.IOTune)
	}
	e.wantError("SetIOTune of a missing disk", e.HV.SetIOTune(e.ctx, name, "vdz", tune))

	if err := e.HV.ResizeDisk(e.ctx, name, "vdb", 2*dataSize); err != nil {
		e.t.Fatal(err)
	}
	if got := e.VirtualSize(e.t, data); got != 2*dataSize {
		e.t.Errorf("size after ResizeDisk = %d, want %d", got, 2*dataSize)
	}
	e.wantError("ResizeDisk of a missing disk", e.HV.ResizeDisk(e.ctx, name, "vdz", 2*dataSize))

	e.destroy(name)
	d := e.disk(name, "vdb")
	if source(d) != data || d.IOTune == nil || d.IOTune.TotalIopsSec != 500 {
		e.t.Errorf("definition after the domain stopped: vdb %+v", d)
	}

	e.start(name)
	if err := e.HV.SetIOTune(e.ctx, name, "vdb", hypervisor.IOTune{}); err != nil {
		e.t.Fatal(err)
	}
	if d := e.disk(name, "vdb"); d.IOTune != nil && (d.IOTune.TotalIopsSec != 0 || d.IOTune.TotalBytesSec != 0) {
		e.t.Errorf("vdb iotune after a zero IOTune = %+v, want no limits", d.IOTune)
	}
}

// testDetachHeld: DetachDisk of a running domain whose guest keeps the
// disk gives up when its context ends: the disk stays in the live domain
// but has left the definition.
func testDetachHeld(e *env) {
	data := e.NewDisk(e.t, "data.qcow2", dataSize, nil)
	name, _ := e.inert("i-held", true, func(s *hypervisor.DomainSpec) {
		s.Disks = append(s.Disks, hypervisor.Disk{Path: data, Target: "vdb", Serial: "vol-held"})
	})
	dctx, cancel := context.WithTimeout(e.ctx, e.HeldDetachWait)
	defer cancel()
	err := e.HV.DetachDisk(dctx, name, "vdb")
	if !errors.Is(err, context.DeadlineExceeded) {
		e.t.Errorf("DetachDisk of a disk the guest holds: %v, want the context's deadline", err)
	}
	if d := e.disk(name, "vdb"); source(d) != data {
		e.t.Errorf("live vdb after a held DetachDisk: %+v, want it still there", d)
	}
	e.destroy(name)
	if d := e.disk(name, "vdb"); d != nil {
		e.t.Errorf("definition still has vdb after DetachDisk: %+v", d)
	}
}

// testSnapshotStream: SnapshotDisk makes the new head the active file over
// the old one, live and in the definition; StreamDisk cuts the chain at
// base (at nothing for "").
func testSnapshotStream(e *env) {
	base := e.NewDisk(e.t, "base.qcow2", dataSize, nil)
	name, spec := e.inert("i-snap", true, func(s *hypervisor.DomainSpec) {
		s.Disks = append(s.Disks, hypervisor.Disk{Path: base, Target: "vdb", Serial: "vol-snap"})
	})
	wantChain := func(step, head string, below ...string) {
		e.t.Helper()
		d := e.disk(name, "vdb")
		if d == nil {
			e.t.Fatalf("%s: no vdb", step)
		}
		if got := chain(d); source(d) != head || !slices.Equal(got, below) {
			e.t.Fatalf("%s: vdb is %s over %v, want %s over %v", step, source(d), got, head, below)
		}
	}
	wantChain("before any snapshot", base)

	mid := e.Overlay(e.t, base, "mid.qcow2")
	if err := e.HV.SnapshotDisk(e.ctx, name, "vdb", mid); err != nil {
		e.t.Fatal(err)
	}
	wantChain("after the first snapshot", mid, base)
	if got := source(e.disk(name, "vda")); got != spec.Disks[0].Path {
		e.t.Errorf("vda was snapshotted too: %s", got)
	}
	top := e.Overlay(e.t, mid, "top.qcow2")
	if err := e.HV.SnapshotDisk(e.ctx, name, "vdb", top); err != nil {
		e.t.Fatal(err)
	}
	wantChain("after the second snapshot", top, mid, base)
	e.wantError("SnapshotDisk of a missing disk", e.HV.SnapshotDisk(e.ctx, name, "vdz", e.Overlay(e.t, base, "other.qcow2")))
	if got := e.VirtualSize(e.t, top); got != dataSize {
		e.t.Errorf("size of the head = %d, want %d", got, dataSize)
	}

	e.wantError("StreamDisk onto a file outside the chain", e.HV.StreamDisk(e.ctx, name, "vdb", base+".absent"))
	wantChain("after a refused stream", top, mid, base)
	if err := e.HV.StreamDisk(e.ctx, name, "vdb", base); err != nil {
		e.t.Fatal(err)
	}
	wantChain("after streaming mid", top, base)
	if err := e.HV.StreamDisk(e.ctx, name, "vdb", ""); err != nil {
		e.t.Fatal(err)
	}
	wantChain("after flattening", top)

	e.destroy(name)
	if got := source(e.disk(name, "vdb")); got != top {
		e.t.Errorf("definition after the domain stopped: vdb is %s, want %s", got, top)
	}
}

// testSecrets: DefineSecret stores (and replaces) a LUKS passphrase a disk
// names; a domain with that disk starts only while it is defined;
// UndefineSecret of an absent secret is no error.
func testSecrets(e *env) {
	uuid := newUUID(e.t)
	e.t.Cleanup(func() { _ = e.HV.UndefineSecret(context.Background(), uuid) })
	pass := []byte("hvsuite-" + randHex(e.t, 8))
	if err := e.HV.UndefineSecret(e.ctx, uuid); err != nil {
		e.t.Errorf("UndefineSecret of an absent secret: %v", err)
	}
	e.wantError("DefineSecret of a malformed UUID", e.HV.DefineSecret(e.ctx, "not-a-uuid", pass))
	e.wantError("UndefineSecret of a malformed UUID", e.HV.UndefineSecret(e.ctx, "not-a-uuid"))
	if err := e.HV.DefineSecret(e.ctx, uuid, []byte("wrong")); err != nil {
		e.t.Fatal(err)
	}
	if err := e.HV.DefineSecret(e.ctx, uuid, pass); err != nil {
		e.t.Fatalf("DefineSecret replacing a secret: %v", err)
	}
	if e.HasSecret != nil && !e.HasSecret(e.t, uuid) {
		e.t.Error("secret not defined after DefineSecret")
	}

	enc := e.NewDisk(e.t, "enc.qcow2", 16*mib, pass)
	name, _ := e.inert("i-luks", false, func(s *hypervisor.DomainSpec) {
		s.Disks = append(s.Disks, hypervisor.Disk{Path: enc, Target: "vdb", Serial: "vol-luks", SecretUUID: uuid})
	})
	e.start(name) // the replaced passphrase opens the disk
	e.destroy(name)

	if err := e.HV.UndefineSecret(e.ctx, uuid); err != nil {
		e.t.Fatal(err)
	}
	if e.HasSecret != nil && e.HasSecret(e.t, uuid) {
		e.t.Error("secret still defined after UndefineSecret")
	}
	if err := e.HV.UndefineSecret(e.ctx, uuid); err != nil {
		e.t.Errorf("second UndefineSecret: %v", err)
	}
	e.wantError("Start with the disk's secret undefined", e.HV.Start(e.ctx, name))
	e.wantState(name, hypervisor.StateStopped)
}

// console is one OpenConsole running in the background.
type console struct {
	in     *io.PipeWriter
	out    *syncBuffer
	done   chan error
	cancel context.CancelFunc
}

func (e *env) openConsole(name string, in io.Reader) *console {
	ctx, cancel := context.WithCancel(e.ctx)
	c := &console{out: &syncBuffer{}, done: make(chan error, 1), cancel: cancel}
	if in == nil {
		var pr *io.PipeReader
		pr, c.in = io.Pipe()
		in = pr
	}
	go func() { c.done <- e.HV.OpenConsole(ctx, name, in, c.out) }()
	e.t.Cleanup(func() {
		cancel()
		if c.in != nil {
			c.in.Close()
		}
	})
	return c
}

// returned waits for OpenConsole to return.
func (c *console) returned(e *env, what string, timeout time.Duration) (error, bool) {
	e.t.Helper()
	select {
	case err := <-c.done:
		return err, true
	case <-time.After(timeout):
		e.t.Errorf("OpenConsole did not return within %v after %s", timeout, what)
		return nil, false
	}
}

// running reports whether OpenConsole is still attached (true after wait).
func (c *console) running(wait time.Duration) bool {
	select {
	case <-c.done:
		return false
	case <-time.After(wait):
		return true
	}
}

// waitOutput waits for want in the session's output.
func (c *console) waitOutput(e *env, want string, timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(c.out.String(), want) {
		if time.Now().After(deadline) {
			e.t.Fatalf("console: no %q within %v; output:\n%s", want, timeout, c.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testConsoleSessions: OpenConsole needs a running domain; a session ends
// when its context ends, when its input ends, when another session takes
// the console over and when the domain stops.
func testConsoleSessions(e *env) {
	name, _ := e.inert("i-console", false)
	cctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	e.wantError("OpenConsole of a shut-off domain", e.HV.OpenConsole(cctx, name, nil, io.Discard))
	e.start(name)

	c := e.openConsole(name, nil)
	if !c.running(e.attachWait()) {
		e.t.Fatalf("OpenConsole returned at once: %v", <-c.done)
	}
	c.cancel()
	if err, ok := c.returned(e, "its context ended", 10*time.Second); ok && err != nil {
		e.t.Errorf("OpenConsole after its context ended: %v, want nil", err)
	}

	eof := e.openConsole(name, strings.NewReader(""))
	if err, ok := eof.returned(e, "its input ended", 10*time.Second); ok && err != nil {
		e.t.Errorf("OpenConsole at the end of its input: %v, want nil", err)
	}

	first := e.openConsole(name, nil)
	if !first.running(e.attachWait()) {
		e.t.Fatalf("OpenConsole returned at once: %v", <-first.done)
	}
	second := e.openConsole(name, nil)
	first.returned(e, "another session took the console over", 10*time.Second)
	if !second.running(e.attachWait()) {
		e.t.Fatalf("the session that took the console over returned: %v", <-second.done)
	}
	e.destroy(name)
	second.returned(e, "the domain stopped", 10*time.Second)
}

// testBootedGuest drives one guest that boots: its console echoes, it
// releases a hot-unplugged disk, it reboots on Reboot (no lifecycle event)
// and powers off on Shutdown (a "shutdown by guest" event).
func testBootedGuest(e *env) {
	if e.Booting == nil {
		e.t.Skip("the harness has no booting guest")
	}
	w := e.watch()
	name := e.domain("i-booted")
	spec := e.Booting(e.t, name)
	spec.Metadata = metadata("booted")
	if err := e.HV.Define(e.ctx, spec); err != nil {
		e.t.Fatal(err)
	}
	start := time.Now()
	e.start(name)
	w.want(name, hypervisor.StateRunning, "booted")
	e.WaitBoot(e.t, name, 1)
	e.t.Logf("booted in %v", time.Since(start).Round(time.Millisecond))
	defer func() { e.t.Logf("events of %s: %+v", name, w.seen) }()

	if !e.t.Run("console echoes", func(t *testing.T) {
		e := e.sub(t)
		c := e.openConsole(name, nil)
		token := "hvsuite-" + randHex(t, 4)
		if _, err := c.in.Write([]byte("echo " + token + "\n")); err != nil {
			t.Fatal(err)
		}
		c.waitOutput(e, token, 30*time.Second)
		c.cancel()
		c.returned(e, "its context ended", 10*time.Second)
	}) {
		return
	}
	if !e.t.Run("live detach", func(t *testing.T) {
		e := e.sub(t)
		data := e.NewDisk(t, "hot.qcow2", 16*mib, nil)
		if err := e.HV.AttachDisk(e.ctx, name, hypervisor.Disk{Path: data, Target: "vdb", Serial: "vol-hot"}); err != nil {
			t.Fatal(err)
		}
		if d := e.disk(name, "vdb"); source(d) != data {
			t.Fatalf("live vdb after AttachDisk: %+v", d)
		}
		dctx, cancel := context.WithTimeout(e.ctx, time.Minute)
		defer cancel()
		if err := e.HV.DetachDisk(dctx, name, "vdb"); err != nil {
			t.Fatal(err)
		}
		if d := e.disk(name, "vdb"); d != nil {
			t.Errorf("live vdb after DetachDisk: %+v", d)
		}
	}) {
		return
	}
	if !e.t.Run("reboot", func(t *testing.T) {
		e := e.sub(t)
		start := time.Now()
		if err := e.HV.Reboot(e.ctx, name); err != nil {
			t.Fatal(err)
		}
		e.WaitBoot(t, name, 2)
		t.Logf("rebooted in %v", time.Since(start).Round(time.Millisecond))
		e.wantState(name, hypervisor.StateRunning)
	}) {
		return
	}
	e.t.Run("shutdown", func(t *testing.T) {
		e := e.sub(t)
		sctx, cancel := context.WithTimeout(e.ctx, 2*time.Minute)
		defer cancel()
		start := time.Now()
		if err := e.HV.Shutdown(sctx, name); err != nil {
			t.Fatal(err)
		}
		t.Logf("shut down in %v", time.Since(start).Round(time.Millisecond))
		e.wantState(name, hypervisor.StateStopped)
		w.e = e
		// Nothing but the shutdown itself since the boot: a reboot
		// reports no lifecycle event.
		for _, ev := range w.want(name, hypervisor.StateStopped, "shutdown by guest") {
			if ev.State != hypervisor.StateShutdown {
				t.Errorf("event %+v between the boot and the shutdown", ev)
			}
		}
		if err := e.HV.Shutdown(sctx, name); err != nil {
			t.Errorf("second Shutdown: %v", err)
		}
	})
}

// attachWait is how long a console session is given to attach before the
// suite counts on it: IgnoredWait, at most half a second.
func (e *env) attachWait() time.Duration { return min(e.IgnoredWait, 500*time.Millisecond) }

// sub is e for a nested subtest t (same harness, context and prefix).
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}
