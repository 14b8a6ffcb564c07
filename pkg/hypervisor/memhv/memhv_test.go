package memhv_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvsuite"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/memhv"
)

// harness is a fresh memhv for one subtest of the suite. Disk files are
// names under a directory that need not exist.
func harness(t *testing.T) *hvsuite.Harness {
	hv := memhv.New()
	t.Cleanup(func() { hv.Close() })
	dir := "/memhv/" + strings.ReplaceAll(t.Name(), "/", "-")
	spec := func(name string, g memhv.Guest) hypervisor.DomainSpec {
		hv.SetGuest(name, g)
		return hypervisor.DomainSpec{
			Name: name, DomainType: "qemu", VCPUs: 1, MemoryMiB: 128,
			BootMode: hypervisor.BootBIOS,
			Disks:    []hypervisor.Disk{{Path: filepath.Join(dir, name+"-root.qcow2"), Target: "vda", Serial: "vol-root"}},
		}
	}
	return &hvsuite.Harness{
		HV: hv,
		Inert: func(t *testing.T, name string) hypervisor.DomainSpec {
			return spec(name, memhv.Guest{IgnoreACPI: true, HoldDisks: true, SilentConsole: true})
		},
		Booting: func(t *testing.T, name string) hypervisor.DomainSpec {
			return spec(name, memhv.Guest{})
		},
		WaitBoot: func(t *testing.T, name string, n int) {
			if got := hv.Boots(name); got < n {
				t.Fatalf("%s booted %d times, want %d", name, got, n)
			}
		},
		NewDisk: func(t *testing.T, name string, size uint64, _ []byte) string {
			path := filepath.Join(dir, name)
			hv.SetSize(path, size)
			return path
		},
		Overlay: func(t *testing.T, backing, name string) string {
			path := filepath.Join(filepath.Dir(backing), name)
			hv.SetBacking(path, backing)
			return path
		},
		VirtualSize: func(t *testing.T, path string) uint64 {
			n, ok := hv.Size(path)
			if !ok {
				t.Fatalf("memhv knows no size of %s", path)
			}
			return n
		},
		HasSecret: func(t *testing.T, uuid string) bool {
			_, ok := hv.Secret(uuid)
			return ok
		},
		IgnoredWait: 50 * time.Millisecond,
	}
}

// TestSuite runs the behavioural suite of hypervisor.Hypervisor against
// memhv (the libvirt driver runs it in pkg/hypervisor).
func TestSuite(t *testing.T) {
	hvsuite.Run(t, harness)
}

// TestGuestKnobs covers what only memhv has: a guest told to obey the
// power button later, releasing held disks, powering off by itself, and
// console output and input.
func TestGuestKnobs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hv := memhv.New()
	defer hv.Close()
	dir := t.TempDir()
	log := filepath.Join(dir, "console.log")
	spec := hypervisor.DomainSpec{
		Name: "d", DomainType: "qemu", VCPUs: 1, MemoryMiB: 128, ConsoleLog: log,
		Disks: []hypervisor.Disk{{Path: "/p/root", Target: "vda"}, {Path: "/p/data", Target: "vdb"}},
	}
	hv.SetGuest("d", memhv.Guest{IgnoreACPI: true, HoldDisks: true})
	if err := hv.Define(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := hv.Start(ctx, "d"); err != nil {
		t.Fatal(err)
	}

	// A Shutdown and a DetachDisk wait for the guest; a cooperative guest
	// ends both.
	shutdown := make(chan error, 1)
	detach := make(chan error, 1)
	go func() { detach <- hv.DetachDisk(ctx, "d", "vdb") }()
	time.Sleep(20 * time.Millisecond)
	go func() { shutdown <- hv.Shutdown(ctx, "d") }()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned while the guest ignores ACPI: %v", err)
	case err := <-detach:
		t.Fatalf("DetachDisk returned while the guest holds the disk: %v", err)
	default:
	}
	hv.SetGuest("d", memhv.Guest{})
	for _, ch := range []chan error{detach, shutdown} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := hv.Get(ctx, "d"); d.State != hypervisor.StateStopped {
		t.Fatalf("state %s after the guest obeyed", d.State)
	}

	// Console: input is recorded and echoed, guest output reaches the
	// session and the log; PowerOff ends the session.
	if err := hv.Start(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	var buf strings.Builder
	ended := make(chan error, 1)
	go func() {
		ended <- hv.OpenConsole(ctx, "d", pr, writerFunc(func(p []byte) (int, error) { return buf.Write(p) }))
	}()
	if _, err := pw.Write([]byte("ls\n")); err != nil {
		t.Fatal(err)
	}
	for string(hv.ConsoleInput("d")) != "ls\n" && ctx.Err() == nil {
		time.Sleep(time.Millisecond) // typed in by OpenConsole's goroutine
	}
	if got := string(hv.ConsoleInput("d")); got != "ls\n" {
		t.Fatalf("console input %q", got)
	}
	if err := hv.WriteConsole("d", []byte("hello\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := hv.PowerOff("d"); err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != nil {
		t.Errorf("OpenConsole when the guest powered off: %v", err)
	}
	const want = "ls\r\nhello\r\n"
	if got := buf.String(); got != want {
		t.Errorf("console session got %q, want %q", got, want)
	}
	if got := string(hv.ConsoleOutput("d")); got != want {
		t.Errorf("console output %q, want %q", got, want)
	}
	if b, err := os.ReadFile(log); err != nil || string(b) != want {
		t.Errorf("console log %q, %v; want %q", b, err, want)
	}
	if d, _ := hv.Get(ctx, "d"); d.State != hypervisor.StateStopped {
		t.Errorf("state %s after PowerOff", d.State)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
