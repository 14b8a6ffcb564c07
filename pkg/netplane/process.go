package netplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a running dnsmasq this Plane owns.
type process struct {
	pid  int
	args []string // without argv[0]
}

// runningDnsmasq finds the dnsmasq processes whose --pid-file lies in this
// Plane's StateDir and names an owned bridge, keyed by bridge name. It
// scans /proc rather than trusting pid files, so a process whose file was
// lost is still found (and removed when not wanted).
func (p *Plane) runningDnsmasq() (map[string]process, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("scan processes: %w", err)
	}
	flag := "--pid-file=" + p.cfg.StateDir + "/"
	found := map[string]process{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		argv := cmdline(pid)
		if len(argv) == 0 || filepath.Base(argv[0]) != "dnsmasq" {
			continue
		}
		for _, a := range argv[1:] {
			br, ok := strings.CutPrefix(a, flag)
			if !ok {
				continue
			}
			if br, ok = strings.CutSuffix(br, ".pid"); ok && p.owned(br) == kindBridge {
				found[br] = process{pid: pid, args: argv[1:]}
			}
		}
	}
	return found, nil
}

func cmdline(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
}

// stopProcess sends SIGTERM, waits for the process to go (up to 5 s, or
// the context), then kills it.
func stopProcess(ctx context.Context, pid int) error {
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return fmt.Errorf("stop %d: %w", pid, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			syscall.Kill(pid, syscall.SIGKILL)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// alive reports whether pid exists and is not a zombie (a daemon reparented
// to an init that does not reap shows as Z).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}
