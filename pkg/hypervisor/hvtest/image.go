package hvtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Image is the tiny test guest bundle (images/tiny).
type Image struct {
	Dir     string
	Root    string // root.qcow2: ext4 on the whole disk, /dev/vda in the guest
	Kernel  string
	Initrd  string
	Cmdline string // from manifest.json
}

// BootMarker is what the tiny guest prints once booted (followed by
// " instance-id=<id> boot=<n>"); RootOK is printed once /dev/vda is writable.
const (
	BootMarker = "EC2LAB-BOOT-OK"
	RootOK     = "ec2lab: root /dev/vda rw ok"
)

var buildOnce sync.Mutex

// TinyImage returns the tiny image bundle, building it with
// scripts/build-test-image.sh when it is missing.
func TinyImage(t testing.TB) Image {
	t.Helper()
	SkipIfShort(t, "the tiny test image")
	root := repoRoot(t)
	dir := filepath.Join(root, "images", "tiny")
	manifest := filepath.Join(dir, "manifest.json")
	buildOnce.Lock()
	defer buildOnce.Unlock()
	if _, err := os.Stat(manifest); err != nil {
		RequireTool(t, "qemu-img")
		cmd := exec.Command("bash", filepath.Join(root, "scripts", "build-test-image.sh"))
		if out, err := cmd.CombinedOutput(); err != nil {
			Unavailable(t, "build tiny image: %v\n%s", err, out)
		}
	}
	var m struct {
		Kernel  struct{ File string } `json:"kernel"`
		Initrd  struct{ File string } `json:"initrd"`
		Cmdline string                `json:"kernel_cmdline"`
	}
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("parse %s: %v", manifest, err)
	}
	return Image{
		Dir: dir, Root: filepath.Join(dir, "root.qcow2"),
		Kernel: filepath.Join(dir, m.Kernel.File), Initrd: filepath.Join(dir, m.Initrd.File), Cmdline: m.Cmdline,
	}
}

func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	t.Fatalf("no go.mod above %s", dir)
	return ""
}

// CopyRoot copies the image's root.qcow2 into dir as name (it is small),
// so tests never share (and relabel) the bundle's file.
func CopyRoot(t testing.TB, img Image, dir, name string) string {
	t.Helper()
	dst := filepath.Join(dir, name)
	Run(t, "cp", "--reflink=auto", img.Root, dst)
	return dst
}

// WaitFile waits until the file contains want after byte offset from, and
// returns the file's content. It fails t on timeout.
func WaitFile(t testing.TB, path string, from int, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(path)
		if len(b) > from && strings.Contains(string(b[from:]), want) {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %q after %v; it has:\n%s", path, want, timeout, tail(b, 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
