package hypervisor_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvsuite"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/virttype"
)

// TestLibvirtSuite runs the behavioural suite of hypervisor.Hypervisor
// (pkg/hypervisor/hvsuite, which memhv passes too) against the libvirt
// driver on the test libvirtd. Inert guests are firmware-only domains
// with a blank disk (they start in about a second and never boot); the
// booting guest is the tiny image, booted once and rebooted once.
func TestLibvirtSuite(t *testing.T) {
	hvtest.RequireLibvirt(t)
	hvtest.RequireTool(t, "qemu-img")
	img := hvtest.TinyImage(t)
	dt, err := virttype.Detect("")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("domain type %s", dt)
	start := time.Now()
	t.Cleanup(func() { t.Logf("suite took %v", time.Since(start).Round(time.Millisecond)) })
	hvsuite.Run(t, func(t *testing.T) *hvsuite.Harness {
		return libvirtHarness(t, img, dt.Type)
	})
}

// libvirtHarness is a fresh libvirtd connection and scratch directory.
func libvirtHarness(t *testing.T, img hvtest.Image, domainType string) *hvsuite.Harness {
	hv := hvtest.RequireLibvirt(t)
	var (
		once     sync.Once
		dir      string
		mu       sync.Mutex
		consoles = map[string]string{} // booting domain → console log
	)
	scratch := func(t *testing.T) string {
		once.Do(func() { dir = hvtest.ScratchDir(t) })
		return dir
	}
	return &hvsuite.Harness{
		HV:     hv,
		Prefix: func(t *testing.T) string { return hvtest.Prefix(t) },
		Inert: func(t *testing.T, name string) hypervisor.DomainSpec {
			root := filepath.Join(scratch(t), name+"-blank.qcow2")
			if _, err := os.Stat(root); err != nil {
				hvtest.Run(t, "qemu-img", "create", "-q", "-f", "qcow2", root, "1M")
			}
			return hypervisor.DomainSpec{
				Name: name, DomainType: domainType, VCPUs: 1, MemoryMiB: 128,
				BootMode:   hypervisor.BootBIOS,
				Disks:      []hypervisor.Disk{{Path: root, Target: "vda", Serial: "vol-blank"}},
				ConsoleLog: filepath.Join(scratch(t), name+"-console.log"),
			}
		},
		Booting: func(t *testing.T, name string) hypervisor.DomainSpec {
			d := scratch(t)
			hvtest.CopyRoot(t, img, d, name+"-base.qcow2")
			root := hvtest.Overlay(t, d, name+"-root.qcow2", name+"-base.qcow2")
			console := filepath.Join(d, name+"-console.log")
			mu.Lock()
			consoles[name] = console
			mu.Unlock()
			return hypervisor.DomainSpec{
				Name: name, DomainType: domainType, VCPUs: 1, MemoryMiB: 256,
				BootMode: hypervisor.BootDirectKernel, Kernel: img.Kernel, Initrd: img.Initrd,
				Cmdline:    img.Cmdline + " ec2lab.instance_id=" + bootID(name),
				Disks:      []hypervisor.Disk{{Path: root, Target: "vda", Serial: "vol-root"}},
				ConsoleLog: console,
			}
		},
		WaitBoot: func(t *testing.T, name string, n int) {
			mu.Lock()
			console := consoles[name]
			mu.Unlock()
			marker := fmt.Sprintf("%s instance-id=%s boot=%d", hvtest.BootMarker, bootID(name), n)
			from := waitFileOffset(t, console, 0, marker, 3*time.Minute)
			waitFileOffset(t, console, from, "ec2lab: ready", time.Minute)
		},
		NewDisk: func(t *testing.T, name string, size uint64, passphrase []byte) string {
			path := filepath.Join(scratch(t), name)
			args := []string{"create", "-q", "-f", "qcow2"}
			if passphrase != nil {
				args = append(args, "--object", "secret,id=sec0,data="+string(passphrase),
					"-o", "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=100")
			}
			args = append(args, path, fmt.Sprint(size))
			// qemu-img's PBKDF benchmark fails now and then on coarse
			// thread CPU accounting; pkg/storage retries it too.
			for attempt := 1; ; attempt++ {
				out, err := exec.Command("qemu-img", args...).CombinedOutput()
				if err == nil {
					return path
				}
				if attempt == 5 || !strings.Contains(string(out), "Unable to get accurate CPU usage") {
					t.Fatalf("qemu-img %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
		},
		Overlay: func(t *testing.T, backing, name string) string {
			return hvtest.Overlay(t, filepath.Dir(backing), name, filepath.Base(backing))
		},
		VirtualSize: func(t *testing.T, path string) uint64 {
			out, err := exec.Command("qemu-img", "info", "-U", "--output=json", path).Output()
			if err != nil {
				t.Fatalf("qemu-img info %s: %v", path, err)
			}
			var info struct {
				VirtualSize uint64 `json:"virtual-size"`
			}
			if err := json.Unmarshal(out, &info); err != nil {
				t.Fatal(err)
			}
			return info.VirtualSize
		},
		HasSecret: func(t *testing.T, uuid string) bool {
			u, err := hypervisor.ParseUUID(uuid)
			if err != nil {
				t.Fatal(err)
			}
			_, err = hv.Raw().SecretLookupByUUID(u)
			return err == nil
		},
		IgnoredWait: time.Second,
		// libvirtd waits 5 s for the guest to release a disk before the
		// driver starts polling, and commits the definition after it.
		HeldDetachWait: 7 * time.Second,
	}
}

// bootID is the instance ID the booting guest prints in its boot marker.
func bootID(name string) string { return name }

// waitFileOffset waits until path holds want after byte offset from and
// returns the offset just past it.
func waitFileOffset(t *testing.T, path string, from int, want string, timeout time.Duration) int {
	t.Helper()
	b := hvtest.WaitFile(t, path, from, want, timeout)
	return from + strings.Index(b[from:], want) + len(want)
}
