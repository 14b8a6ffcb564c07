package e2e

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// TestReadmeTour is what a new user does: a fresh clone of this checkout,
// the README's `make up` exactly as written (relative ./var, default ports,
// default domain prefix), then the README's tour block, unedited, in a
// shell in the same directory.
func TestReadmeTour(t *testing.T) {
	requireHost(t)
	clone := freshClone(t)
	up := makeUp(t, clone, readmeMakeUp(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", readmeTour(t))
	cmd.Dir = clone
	cmd.Env = newUserEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README tour failed: %v\n%s\nmake up output tail:\n%s", err, out, tail(up.String(), 4000))
	}
	for _, want := range []string{"hello from user-data", "DescribeInstances", `"Reservations"`, `"Account": "`, ":user/AKIA"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tour output lacks %q:\n%s", want, out)
		}
	}
	// The banner's export line works from any directory: absolute paths.
	want := "export AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(clone, "var", "credentials") + " "
	if !strings.Contains(up.String(), want) {
		t.Errorf("ec2d's banner lacks %q:\n%s", want, tail(up.String(), 3000))
	}
}

// freshClone clones this checkout (with its uncommitted changes to tracked
// files) into a directory QEMU can traverse, with the test image's package
// cache, so `make image` builds for real without downloading.
func freshClone(t *testing.T) string {
	t.Helper()
	root := repoRoot()
	rev := strings.TrimSpace(hvtest.Run(t, "git", "-C", root, "stash", "create"))
	if rev == "" {
		rev = "HEAD"
	}
	rev = strings.TrimSpace(hvtest.Run(t, "git", "-C", root, "rev-parse", rev))
	clone := filepath.Join(hvtest.ScratchDir(t), "ec2lab")
	hvtest.Run(t, "git", "clone", "--quiet", "--no-checkout", root, clone)
	hvtest.Run(t, "git", "-C", clone, "fetch", "--quiet", root, rev)
	hvtest.Run(t, "git", "-C", clone, "checkout", "--quiet", rev)
	if err := os.MkdirAll(filepath.Join(clone, "images"), 0o755); err != nil {
		t.Fatal(err)
	}
	hvtest.Run(t, "cp", "-r", filepath.Join(root, "images", ".cache"), filepath.Join(clone, "images", ".cache"))
	return clone
}

// readmeMakeUp returns the `make up` line of the README's "Two commands".
func readmeMakeUp(t *testing.T) string {
	t.Helper()
	sec := readmeSection(t, "## Two commands")
	m := regexp.MustCompile(`(?m)^    (make up[^#\n]*?)\s*(#.*)?$`).FindStringSubmatch(sec)
	if m == nil {
		t.Fatalf("README's Two commands section has no `make up` line:\n%s", sec)
	}
	return m[1]
}

// makeUp runs command (the README's make up) in dir until the test ends and
// waits for ec2d's HTTP endpoint on its default port.
func makeUp(t *testing.T, dir, command string) *lockedBuffer {
	t.Helper()
	out := &lockedBuffer{}
	cmd := exec.Command("bash", "-c", command)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, newUserEnv(), out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Errorf("%s did not stop within 30 s of SIGINT", command)
		}
	})
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		if resp, err := http.Get("http://127.0.0.1:7780/healthz"); err == nil {
			resp.Body.Close()
			if strings.Contains(out.String(), "ec2d is serving") {
				return out
			}
		}
		select {
		case <-exited:
			t.Fatalf("%s exited:\n%s", command, tail(out.String(), 4000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: ec2d did not come up on 127.0.0.1:7780:\n%s", command, tail(out.String(), 4000))
		}
	}
}

// newUserEnv is this process's environment without anything ec2lab or the
// AWS tools read, as in a new user's fresh shell.
func newUserEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "EC2LAB_") || (strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "AWS_CA_BUNDLE=")) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// readmeTour returns the shell block of the README's "## Tour" section.
func readmeTour(t *testing.T) string {
	t.Helper()
	s := readmeSection(t, "## Tour")
	start := strings.Index(s, "```sh\n")
	if start < 0 {
		t.Fatal("README tour has no ```sh block")
	}
	end := strings.Index(s[start+6:], "```")
	if end < 0 {
		t.Fatal("README tour's ```sh block is not closed")
	}
	return s[start+6 : start+6+end]
}

// readmeSection returns the README from heading to the next "## ".
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, heading+"\n")
	if i < 0 {
		t.Fatalf("README has no %s section", heading)
	}
	s = s[i+len(heading):]
	if j := strings.Index(s, "\n## "); j >= 0 {
		s = s[:j]
	}
	return s
}
