package netplane_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// dhcpClient runs busybox udhcpc with mac in a fresh namespace cabled to
// bridge br in ns and returns "ip mask router" from the lease it got.
func dhcpClient(t *testing.T, ns, br string, mac net.HardwareAddr) string {
	t.Helper()
	return dhcpLease(t, ns, br, mac, "$ip $subnet $router")
}

// dhcpLease is dhcpClient returning fields (udhcpc's hook variables, e.g.
// "$domain $dns") expanded from the lease.
func dhcpLease(t *testing.T, ns, br string, mac net.HardwareAddr, fields string) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/busybox"); err != nil {
		nptest.Unavailable(t, "busybox (udhcpc) not installed: %v", err)
	}
	client := nptest.NetNS(t)
	port := "ec2dh" + strconv.Itoa(os.Getpid()%10000)
	nptest.Veth(t, ns, port, "", client, "eth0", "")
	nptest.In(t, ns, "ip", "link", "set", port, "master", br)
	nptest.In(t, client, "ip", "link", "set", "eth0", "address", mac.String())
	dir := t.TempDir()
	out := filepath.Join(dir, "lease")
	script := filepath.Join(dir, "hook.sh")
	hook := "#!/bin/sh\n[ \"$1\" = bound ] && echo \"" + fields + "\" > " + out + "\nexit 0\n"
	if err := os.WriteFile(script, []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	nptest.In(t, client, "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "1", "-O", "wins", "-s", script)
	b, _ := os.ReadFile(out)
	nptest.Run(t, "ip", "netns", "del", client)
	return strings.TrimSpace(string(b))
}

func itoa(i int) string { return strconv.Itoa(i) }

// ping sends one ICMP echo from namespace ns with busybox.
func ping(ns, addr string) (string, error) {
	out, err := exec.Command("ip", "netns", "exec", ns, "busybox", "ping", "-c", "1", "-W", "2", addr).CombinedOutput()
	return string(out), err
}
