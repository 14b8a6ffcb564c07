// Package hvtest owns the test helpers for code that needs a real libvirtd
// and the tiny test guest: the -short rule (SkipIfShort), connecting (fail
// under CI, skip elsewhere),
// locating or building images/tiny, scratch directories QEMU can read,
// qcow2 overlays and waiting for console output.
package hvtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// URI is the libvirtd the tests use: $EC2LAB_TEST_LIBVIRT_URI or qemu:///system.
func URI() string {
	if u := os.Getenv("EC2LAB_TEST_LIBVIRT_URI"); u != "" {
		return u
	}
	return hypervisor.DefaultURI
}

// SkipIfShort skips t under `go test -short` (make unit-test): t needs what
// (libvirtd, QEMU or qemu-img, root network namespaces, nft, dnsmasq,
// genisoimage, hugetlbfs, the tiny image, a booted guest), which unit tests
// never do. It is the one place of that rule: every Require* helper of
// hvtest, nptest and the packages' own require* helpers call it first, so
// without -short (make test) they run, and fail under CI=true when what they
// need is missing.
func SkipIfShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: needs %s", what)
	}
}

// Unavailable fails the test under CI (CI=true) and skips it elsewhere.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// RequireLibvirt connects to the test libvirtd, closing it when t ends.
func RequireLibvirt(t testing.TB) *hypervisor.Libvirt {
	t.Helper()
	SkipIfShort(t, "libvirtd")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hv, err := hypervisor.Connect(ctx, URI())
	if err != nil {
		Unavailable(t, "libvirtd unreachable at %s: %v", URI(), err)
	}
	t.Cleanup(func() { hv.Close() })
	return hv
}

// RequireTool fails or skips when a command-line tool is missing.
func RequireTool(t testing.TB, name string) {
	t.Helper()
	SkipIfShort(t, name)
	if _, err := exec.LookPath(name); err != nil {
		Unavailable(t, "%s not installed: %v", name, err)
	}
}

// Prefix is a domain name prefix unique to this test run ("ec2test-<rand>-").
func Prefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	prefix := "ec2test-" + hex.EncodeToString(b) + "-"
	t.Cleanup(func() { removeQEMULogs(prefix) })
	return prefix
}

// removeQEMULogs deletes libvirt's own per-domain QEMU logs of the test's
// domains (local libvirtd only; Undefine leaves them).
func removeQEMULogs(prefix string) {
	if URI() != hypervisor.DefaultURI {
		return
	}
	logs, _ := filepath.Glob(filepath.Join("/var/log/libvirt/qemu", prefix+"*.log"))
	for _, l := range logs {
		os.Remove(l)
	}
}

// ScratchDir is a temporary directory QEMU (running as libvirt-qemu) can
// traverse; it is removed when t ends.
func ScratchDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/" && strings.HasPrefix(d, os.TempDir()); d = parent(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func parent(p string) string {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// Run runs a command and fails t with its output on error.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Overlay creates dir/name as a qcow2 overlay of backing, recorded exactly
// as given (a relative name stays relative: it resolves against dir).
func Overlay(t testing.TB, dir, name, backing string) string {
	t.Helper()
	path := dir + "/" + name
	cmd := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-b", backing, "-F", "qcow2", name)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create %s over %s: %v\n%s", name, backing, err, out)
	}
	return path
}
