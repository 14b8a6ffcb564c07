// Package nptest owns the test helpers for code that needs a real host data
// plane: root and the tools (fail under CI=true, skip elsewhere), private
// network namespaces posing as hosts or guests, veth links between them and
// Plane prefixes unique to a test.
package nptest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// Unavailable fails the test under CI (CI=true) and skips it elsewhere.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// RequireNetAdmin checks for root, ip, dnsmasq and working network
// namespaces (skipped under -short: hvtest.SkipIfShort).
func RequireNetAdmin(t testing.TB) {
	t.Helper()
	hvtest.SkipIfShort(t, "root network namespaces")
	if os.Geteuid() != 0 {
		Unavailable(t, "netplane tests need root (euid %d)", os.Geteuid())
	}
	for _, tool := range []string{"ip", "bridge", "dnsmasq"} {
		if _, err := exec.LookPath(tool); err != nil {
			Unavailable(t, "%s not installed: %v", tool, err)
		}
	}
	name := "ec2probe-" + randHex(t, 3)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		Unavailable(t, "network namespaces unavailable: %v: %s", err, out)
	}
	exec.Command("ip", "netns", "del", name).Run()
}

// Prefix is a Plane prefix unique to this test ("t" + 4 hex digits).
func Prefix(t testing.TB) string {
	t.Helper()
	return "t" + randHex(t, 2)
}

// NetNS creates a named network namespace with lo up, deleted when t ends.
func NetNS(t testing.TB) string {
	t.Helper()
	name := "ec2t-" + randHex(t, 4)
	Run(t, "ip", "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	In(t, name, "ip", "link", "set", "lo", "up")
	return name
}

// Veth joins namespaces a and b ("" = this one) with a veth pair named
// ifA/ifB, created directly in their namespaces (so names may repeat
// across namespaces), both up, with the given addresses (CIDR, "" = none).
func Veth(t testing.TB, a, ifA, addrA, b, ifB, addrB string) {
	t.Helper()
	args := []string{"link", "add", ifA}
	if a != "" {
		args = append(args, "netns", a)
	}
	args = append(args, "type", "veth", "peer", "name", ifB)
	if b != "" {
		args = append(args, "netns", b)
	}
	Run(t, "ip", args...)
	t.Cleanup(func() { // deleting either end removes both; namespaces may be gone already
		exec.Command("ip", "-n", orSelf(a), "link", "del", ifA).Run()
	})
	for _, end := range []struct{ ns, dev, addr string }{{a, ifA, addrA}, {b, ifB, addrB}} {
		if end.addr != "" {
			In(t, end.ns, "ip", "addr", "add", end.addr, "dev", end.dev)
		}
		In(t, end.ns, "ip", "link", "set", end.dev, "up")
	}
}

func orSelf(ns string) string {
	if ns == "" {
		return "/proc/self/ns/net"
	}
	return ns
}

// In runs a command inside namespace ns ("" = this one).
func In(t testing.TB, ns string, name string, args ...string) string {
	t.Helper()
	if ns == "" {
		return Run(t, name, args...)
	}
	return Run(t, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
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

func randHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// FakeUplink adds a stand-in uplink named name inside namespace ns (never
// ""): a dummy link, or, where the kernel has no dummy driver, a veth pair
// with both ends in ns. Nothing sent through it leaves the namespace.
func FakeUplink(t testing.TB, ns, name string) {
	t.Helper()
	if ns == "" {
		t.Fatal("FakeUplink: want a private namespace")
	}
	if exec.Command("ip", "-n", ns, "link", "add", name, "type", "dummy").Run() == nil {
		In(t, ns, "ip", "link", "set", name, "up")
		return
	}
	Veth(t, ns, name, "", ns, name+"p", "")
}
