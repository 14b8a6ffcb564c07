package storage

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// qemuImg is the binary this package drives; tests may point it elsewhere.
var qemuImg = "qemu-img"

// luksCPUFlake is printed by qemu-img when its PBKDF benchmark sees no CPU
// time pass (coarse thread accounting on some virtual CPUs); a retry helps.
const luksCPUFlake = "Unable to get accurate CPU usage"

// run executes qemu-img with args in dir and returns stdout. Arguments never
// carry key material (keys travel in 0600 files), so they are safe to log.
func run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	var out []byte
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		out, err = runOnce(ctx, dir, args...)
		if err == nil || !strings.Contains(err.Error(), luksCPUFlake) {
			return out, err
		}
	}
	return out, err
}

func runOnce(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, qemuImg, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// Dies with its caller: a crashed agent or ec2d must not leave a
	// qemu-img writing files after the restart has cleaned up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	slog.Debug("qemu-img", "args", args, "took", time.Since(start), "err", err)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		return stdout.Bytes(), fmt.Errorf("qemu-img %s: %w: %s", args[0], err, clip(msg, 1024))
	}
	return stdout.Bytes(), nil
}

// secret is a passphrase written to a private 0600 file for qemu's
// --object secret,file=…; Close removes it.
type secret struct{ path string }

func newSecret(key []byte) (*secret, error) {
	f, err := os.CreateTemp("", "ec2lab-key-*")
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	s := &secret{path: f.Name()}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		s.Close()
		return nil, fmt.Errorf("key file: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		s.Close()
		return nil, fmt.Errorf("key file: %w", err)
	}
	if err := f.Close(); err != nil {
		s.Close()
		return nil, fmt.Errorf("key file: %w", err)
	}
	return s, nil
}

// objectArgs is the --object option defining secret id sec0.
func (s *secret) objectArgs() []string {
	return []string{"--object", "secret,id=sec0,format=raw,file=" + optEscape(s.path)}
}

// Close removes the key file; safe on nil.
func (s *secret) Close() {
	if s != nil {
		_ = os.Remove(s.path)
	}
}

// optEscape escapes a value for qemu's comma-separated option syntax.
func optEscape(v string) string { return strings.ReplaceAll(v, ",", ",,") }

// clip shortens a long tool message (qemu-img check can print one line per
// cluster) so errors stay readable.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + " …"
}
