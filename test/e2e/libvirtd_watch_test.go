package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// watchLibvirtd fails t when the libvirtd serving it dies during the test,
// with the kernel's and libvirtd's last words, and starts a new one so that
// the tests after it measure their own code rather than this crash.
func watchLibvirtd(t *testing.T) {
	t.Helper()
	pid := libvirtdPID()
	if pid == 0 {
		return // under systemd socket activation it may come and go
	}
	t.Cleanup(func() {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			return
		}
		t.Errorf("libvirtd (pid %d) died during this test\nkernel: %s\nlibvirtd.log: %s",
			pid, tailMatching("dmesg", "libvirtd", 3), tailFile("/var/log/libvirt/libvirtd.log", 8))
		cmd := exec.Command("bash", filepath.Join(repoRoot(), "scripts/install-host-deps.sh"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("restarting libvirtd: %v\n%s", err, out)
		}
	})
}

func libvirtdPID() int {
	out, err := exec.Command("pgrep", "-xo", "libvirtd").Output()
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return pid
}

func tailMatching(cmd, substr string, n int) string {
	out, err := exec.Command(cmd).Output()
	if err != nil {
		return err.Error()
	}
	var hits []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, substr) {
			hits = append(hits, l)
		}
	}
	return strings.Join(hits[max(0, len(hits)-n):], "\n")
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return string(bytes.Join(lines[max(0, len(lines)-n):], []byte("\n")))
}
