package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// libvirtdPIDNow is the libvirtd the tests expect: restartLibvirtd changes it.
var libvirtdPIDNow atomic.Int64

// watchLibvirtd fails t when the libvirtd serving it dies during the test,
// with the kernel's and libvirtd's last words, and starts a new one so that
// the tests after it measure their own code rather than this crash.
func watchLibvirtd(t *testing.T) {
	t.Helper()
	libvirtdPIDNow.Store(int64(libvirtdPID()))
	t.Cleanup(func() {
		pid := int(libvirtdPIDNow.Load())
		if pid == 0 {
			return // under systemd socket activation it may come and go
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
			return
		}
		t.Errorf("libvirtd (pid %d) died during this test\nkernel: %s\nlibvirtd.log: %s",
			pid, tailMatching("dmesg", "libvirtd", 3), tailFile("/var/log/libvirt/libvirtd.log", 8))
		if err := startLibvirtd(); err != nil {
			t.Log(err)
		}
	})
}

// restartLibvirtd stops libvirtd as an operator's restart does (SIGTERM;
// guests keep running) and starts a new one.
func restartLibvirtd(t *testing.T) {
	t.Helper()
	old := libvirtdPID()
	if old == 0 {
		// modular daemons (virtqemud) or socket activation: not this test's host
		t.Skip("no monolithic libvirtd to restart")
	}
	if exec.Command("systemctl", "is-active", "--quiet", "libvirtd").Run() == nil {
		if out, err := exec.Command("systemctl", "restart", "libvirtd").CombinedOutput(); err != nil {
			t.Fatalf("systemctl restart libvirtd: %v %s", err, out)
		}
		libvirtdPIDNow.Store(int64(libvirtdPID()))
		return
	}
	if err := exec.Command("kill", "-TERM", strconv.Itoa(old)).Run(); err != nil {
		t.Fatalf("stop libvirtd: %v", err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(old)); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("libvirtd %d still running 30s after SIGTERM", old)
		}
	}
	// The starter holds an open file its child inherits (as a CI wrapper's
	// lock is inherited): the daemon must not keep it.
	held, err := os.CreateTemp(t.TempDir(), "held-by-starter")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := startLibvirtd(held); err != nil {
		t.Fatal(err)
	}
	pid := libvirtdPID()
	libvirtdPIDNow.Store(int64(pid))
	if fd, ok := holds(pid, held.Name()); ok {
		t.Errorf("the new libvirtd %d holds its starter's open file %s as fd %s", pid, held.Name(), fd)
	}
}

// holds reports whether process pid has path open, and as which fd.
func holds(pid int, path string) (string, bool) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, _ := os.ReadDir(dir)
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && target == path {
			return fd.Name(), true
		}
	}
	return "", false
}

// startLibvirtd starts libvirtd (and what it needs) the way CI does; the
// script inherits inherited (as fd 3 on).
func startLibvirtd(inherited ...*os.File) error {
	cmd := exec.Command("bash", filepath.Join(repoRoot(), "scripts/install-host-deps.sh"))
	cmd.ExtraFiles = inherited
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("start libvirtd: %v\n%s", err, out)
	}
	return nil
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
