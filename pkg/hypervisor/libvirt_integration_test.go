package hypervisor_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/virttype"
)

// guest is one booted tiny guest shared by the subtests.
type guest struct {
	hv      *hypervisor.Libvirt
	name    string
	dir     string
	console string
	events  <-chan hypervisor.Event
	// late subscribes after an earlier subscriber went away, as a
	// controller that reconnects does; it must see events too.
	late <-chan hypervisor.Event
}

// TestLibvirtGuestLifecycle boots one tiny guest through go-libvirt and
// drives every Hypervisor operation against it, in order.
func TestLibvirtGuestLifecycle(t *testing.T) {
	hv := hvtest.RequireLibvirt(t)
	hvtest.RequireTool(t, "qemu-img")
	img := hvtest.TinyImage(t)
	dt, err := virttype.Detect("")
	if err != nil {
		t.Fatal(err)
	}
	slog.Info("domain type", "type", dt.Type, "reason", dt.Reason)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g := &guest{hv: hv, dir: hvtest.ScratchDir(t), name: hvtest.Prefix(t) + "i-0a1b2c3d4e5f60718"}
	g.console = filepath.Join(g.dir, "console.log")
	hvtest.CopyRoot(t, img, g.dir, "base.qcow2")
	root := hvtest.Overlay(t, g.dir, "root.qcow2", "base.qcow2")
	spec := hypervisor.DomainSpec{
		Name: g.name, DomainType: dt.Type, VCPUs: 1, MemoryMiB: 256,
		BootMode: hypervisor.BootDirectKernel, Kernel: img.Kernel, Initrd: img.Initrd,
		Cmdline:    img.Cmdline + " ec2lab.instance_id=i-0a1b2c3d4e5f60718",
		Disks:      []hypervisor.Disk{{Path: root, Target: "vda", Serial: "vol-root"}},
		ConsoleLog: g.console,
		Metadata:   hypervisor.Metadata{InstanceID: "i-0a1b2c3d4e5f60718", OwnerID: "123456789012", InstanceType: "t3.micro", ImageID: "ami-0tiny"},
	}
	t.Cleanup(func() { cleanup(t, hv, g.name) })
	evCtx, evCancel := context.WithCancel(ctx)
	defer evCancel()
	if g.events, err = hv.Events(evCtx); err != nil {
		t.Fatal(err)
	}
	gone, goneCancel := context.WithCancel(ctx)
	if _, err := hv.Events(gone); err != nil {
		t.Fatal(err)
	}
	goneCancel()
	if g.late, err = hv.Events(evCtx); err != nil {
		t.Fatalf("a second subscription on one connection: %v", err)
	}

	t.Run("define and boot", func(t *testing.T) { g.boot(ctx, t, spec) })
	t.Run("get and list", func(t *testing.T) { g.getList(ctx, t, spec.Metadata) })
	t.Run("console", func(t *testing.T) { g.interactive(t) })
	t.Run("attach disk", func(t *testing.T) { g.attach(ctx, t) })
	t.Run("iotune", func(t *testing.T) { g.ioTune(ctx, t) })
	t.Run("resize", func(t *testing.T) { g.resize(ctx, t) })
	t.Run("live snapshot", func(t *testing.T) { g.snapshot(ctx, t) })
	t.Run("detach disk", func(t *testing.T) { g.detach(ctx, t) })
	t.Run("graceful shutdown and event", func(t *testing.T) { g.shutdown(ctx, t) })
	t.Run("destroy and undefine leave nothing", func(t *testing.T) { g.remove(ctx, t) })
}

func (g *guest) boot(ctx context.Context, t *testing.T, spec hypervisor.DomainSpec) {
	if err := g.hv.Define(ctx, spec); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := g.hv.Start(ctx, g.name); err != nil {
		t.Fatal(err)
	}
	hvtest.WaitFile(t, g.console, 0, hvtest.BootMarker+" instance-id=i-0a1b2c3d4e5f60718 boot=1", 90*time.Second)
	t.Logf("boot marker after %v", time.Since(start).Round(time.Millisecond))
	hvtest.WaitFile(t, g.console, 0, hvtest.RootOK, time.Second)
	hvtest.WaitFile(t, g.console, 0, "ec2lab: ready", 30*time.Second)
}

func (g *guest) getList(ctx context.Context, t *testing.T, md hypervisor.Metadata) {
	d, err := g.hv.Get(ctx, g.name)
	if err != nil || d.State != hypervisor.StateRunning || d.Metadata != md {
		t.Fatalf("Get = %+v, %v; want running with %+v", d, err, md)
	}
	prefix := g.name[:strings.Index(g.name, "i-")]
	list, err := g.hv.List(ctx, prefix)
	if err != nil || len(list) != 1 || list[0].Metadata.InstanceID != md.InstanceID {
		t.Fatalf("List(%s) = %+v, %v", prefix, list, err)
	}
	if _, err := g.hv.Get(ctx, prefix+"i-missing"); !errors.Is(err, hypervisor.ErrNotFound) {
		t.Errorf("Get of a missing domain: %v, want ErrNotFound", err)
	}
}

func (g *guest) interactive(t *testing.T) {
	c := hvtest.OpenConsole(t, g.hv, g.name)
	out := c.Run("echo hi-$((6*7))", 20*time.Second)
	if !strings.Contains(out, "hi-42") {
		t.Errorf("console output %q, want hi-42", out)
	}
}

func (g *guest) domain(ctx context.Context, t *testing.T) *libvirtxml.Domain {
	t.Helper()
	x, err := g.hv.XML(ctx, g.name)
	if err != nil {
		t.Fatal(err)
	}
	var d libvirtxml.Domain
	if err := d.Unmarshal(x); err != nil {
		t.Fatal(err)
	}
	return &d
}

func (g *guest) disk(ctx context.Context, t *testing.T, target string) *libvirtxml.DomainDisk {
	t.Helper()
	for _, d := range g.domain(ctx, t).Devices.Disks {
		if d.Target.Dev == target {
			return &d
		}
	}
	return nil
}

// guestRun runs cmd in the guest over the console.
func (g *guest) guestRun(t *testing.T, cmd string) string {
	t.Helper()
	c := hvtest.OpenConsole(t, g.hv, g.name)
	defer c.Close()
	return strings.TrimSpace(c.Run(cmd, 30*time.Second))
}

func (g *guest) attach(ctx context.Context, t *testing.T) {
	hvtest.Run(t, "qemu-img", "create", "-q", "-f", "qcow2", filepath.Join(g.dir, "data.qcow2"), "64M")
	disk := hypervisor.Disk{Path: filepath.Join(g.dir, "data.qcow2"), Target: "vdb", Serial: "vol-data"}
	if err := g.hv.AttachDisk(ctx, g.name, disk); err != nil {
		t.Fatal(err)
	}
	if d := g.disk(ctx, t, "vdb"); d == nil || d.Serial != "vol-data" {
		t.Fatalf("vdb after attach: %+v", d)
	}
	var out string
	for i := 0; i < 50 && out != "vol-data"; i++ {
		out = g.guestRun(t, "cat /sys/block/vdb/serial 2>/dev/null")
		time.Sleep(200 * time.Millisecond)
	}
	if out != "vol-data" {
		t.Errorf("guest /sys/block/vdb/serial = %q, want vol-data", out)
	}
}

func (g *guest) ioTune(ctx context.Context, t *testing.T) {
	tune := hypervisor.IOTune{TotalIOPSSec: 500, TotalBytesSec: 10 << 20}
	if err := g.hv.SetIOTune(ctx, g.name, "vdb", tune); err != nil {
		t.Fatal(err)
	}
	d := g.disk(ctx, t, "vdb")
	if d == nil || d.IOTune == nil || d.IOTune.TotalIopsSec != 500 || d.IOTune.TotalBytesSec != 10<<20 {
		t.Fatalf("vdb iotune = %+v", d)
	}
}

func (g *guest) resize(ctx context.Context, t *testing.T) {
	if err := g.hv.ResizeDisk(ctx, g.name, "vdb", 128<<20); err != nil {
		t.Fatal(err)
	}
	var out string
	for i := 0; i < 25 && out != "262144"; i++ {
		out = g.guestRun(t, "cat /sys/block/vdb/size")
		time.Sleep(200 * time.Millisecond)
	}
	if out != "262144" {
		t.Errorf("guest vdb size = %q sectors, want 262144 (128 MiB)", out)
	}
}

func (g *guest) snapshot(ctx context.Context, t *testing.T) {
	head := hvtest.Overlay(t, g.dir, "data-snap1.qcow2", "data.qcow2")
	start := time.Now()
	if err := g.hv.SnapshotDisk(ctx, g.name, "vdb", head); err != nil {
		t.Fatal(err)
	}
	t.Logf("live snapshot took %v", time.Since(start).Round(time.Millisecond))
	if d := g.disk(ctx, t, "vdb"); d == nil || d.Source.File.File != head {
		t.Fatalf("vdb source after snapshot = %+v, want %s", d.Source.File, head)
	}
	if d := g.disk(ctx, t, "vda"); d.Source.File.File != filepath.Join(g.dir, "root.qcow2") {
		t.Errorf("vda was snapshotted too: %s", d.Source.File.File)
	}
	out, err := exec.Command("qemu-img", "info", "-U", "--output=json", head).Output()
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Backing string `json:"backing-filename"`
	}
	if err := json.Unmarshal(out, &info); err != nil || info.Backing != "data.qcow2" {
		t.Errorf("new head backing file = %q (%v), want relative data.qcow2", info.Backing, err)
	}
	if w := g.guestRun(t, "echo written > /dev/vdb && echo ok"); w != "ok" {
		t.Errorf("write to vdb after snapshot: %q", w)
	}
}

func (g *guest) detach(ctx context.Context, t *testing.T) {
	dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := g.hv.DetachDisk(dctx, g.name, "vdb"); err != nil {
		t.Fatal(err)
	}
	if d := g.disk(ctx, t, "vdb"); d != nil {
		t.Fatalf("vdb still in XML after detach")
	}
	if out := g.guestRun(t, "ls /sys/block"); strings.Contains(out, "vdb") {
		t.Errorf("guest still has vdb: %q", out)
	}
}

func (g *guest) shutdown(ctx context.Context, t *testing.T) {
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	if err := g.hv.Shutdown(sctx, g.name); err != nil {
		t.Fatal(err)
	}
	t.Logf("graceful shutdown took %v", time.Since(start).Round(time.Millisecond))
	if d, err := g.hv.Get(ctx, g.name); err != nil || d.State != hypervisor.StateStopped {
		t.Fatalf("after Shutdown: %+v, %v", d, err)
	}
	hvtest.WaitFile(t, g.console, 0, "ec2lab: power button", time.Second)
	for sub, events := range map[string]<-chan hypervisor.Event{"first": g.events, "late": g.late} {
		ev := waitStopped(t, events, g.name)
		if ev.Reason != "shutdown by guest" {
			t.Errorf("%s subscriber: stop event reason %q, want shutdown by guest", sub, ev.Reason)
		}
	}
}

// waitStopped returns the stopped event of domain name from events.
func waitStopped(t *testing.T, events <-chan hypervisor.Event, name string) hypervisor.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("event stream closed before the stopped event")
			}
			if ev.Name == name && ev.State == hypervisor.StateStopped {
				return ev
			}
		case <-timeout:
			t.Fatal("no stopped event for the domain")
		}
	}
}

func (g *guest) remove(ctx context.Context, t *testing.T) {
	if err := g.hv.Destroy(ctx, g.name); err != nil {
		t.Fatalf("Destroy of a stopped domain: %v", err)
	}
	if err := g.hv.Undefine(ctx, g.name); err != nil {
		t.Fatal(err)
	}
	if err := g.hv.Undefine(ctx, g.name); err != nil {
		t.Errorf("second Undefine: %v", err)
	}
	if _, err := g.hv.Get(ctx, g.name); !errors.Is(err, hypervisor.ErrNotFound) {
		t.Errorf("Get after undefine: %v", err)
	}
	for _, f := range []string{"/etc/libvirt/qemu/" + g.name + ".xml", "/run/libvirt/qemu/" + g.name + ".pid", "/run/libvirt/qemu/" + g.name + ".xml"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s left behind", f)
		}
	}
	for _, f := range []string{"root.qcow2", "data.qcow2", "data-snap1.qcow2"} {
		if err := os.Remove(filepath.Join(g.dir, f)); err != nil {
			t.Errorf("remove %s: %v", f, err)
		}
	}
}

// cleanup removes the domain whatever happened to the test.
func cleanup(t *testing.T, hv hypervisor.Hypervisor, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hv.Destroy(ctx, name); err != nil {
		t.Errorf("cleanup destroy: %v", err)
	}
	if err := hv.Undefine(ctx, name); err != nil {
		t.Errorf("cleanup undefine: %v", err)
	}
}
