// Package crashpoint lets crash-recovery tests kill a process at a named
// step, the way a power cut or `kill -9` would: when the environment
// variable EC2LAB_CRASHPOINT names a point that the code reaches, the
// process sends itself SIGKILL there (no deferred cleanup runs, no buffers
// are flushed). Unset, a point costs one string comparison.
package crashpoint

import (
	"log/slog"
	"os"
	"strings"
	"syscall"
)

// Env is the variable naming the points to crash at (comma-separated).
const Env = "EC2LAB_CRASHPOINT"

var armed = parse(os.Getenv(Env))

func parse(v string) map[string]bool {
	if v == "" {
		return nil
	}
	m := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			m[p] = true
		}
	}
	return m
}

// Hit kills the process with SIGKILL when point name is armed.
func Hit(name string) {
	if !armed[name] {
		return
	}
	slog.Error("crashpoint reached: killing the process", "point", name)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is not delivered synchronously everywhere
}
