package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cleanup terminates what is still launched, destroys the baseline
// domains, stops ec2d, destroys any domain left under either prefix,
// stops a dnsmasq our ec2d left behind, removes the baseline's bridge and
// the temporary directory. It runs on a fresh context: the
// benchmark's may already be cancelled by a signal.
func (e *env) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if ids := e.launched(); len(ids) > 0 && e.client != nil {
		slog.Info("cleanup: terminating instances", "ids", ids)
		if err := e.terminate(ctx, ids); err != nil {
			slog.Warn("cleanup: terminate", "err", err)
		}
	}
	e.mu.Lock()
	doms := slices.Sorted(func(yield func(string) bool) {
		for d := range e.domains {
			if !yield(d) {
				return
			}
		}
	})
	e.mu.Unlock()
	for _, d := range doms {
		e.destroyDomain(ctx, d)
	}
	if e.conn != nil {
		e.conn.Close()
	}
	e.stopEC2d()
	for _, d := range leftovers(ctx, e.prefix, e.basePrefix) {
		slog.Warn("cleanup: destroying leftover domain", "domain", d)
		_ = exec.CommandContext(ctx, "virsh", "-c", libvirtURI, "destroy", d).Run()
		_ = exec.CommandContext(ctx, "virsh", "-c", libvirtURI, "undefine", d).Run()
	}
	e.stopStrayDnsmasq(ctx)
	if e.bridge != "" {
		if out, err := exec.CommandContext(ctx, "ip", "link", "del", e.bridge).CombinedOutput(); err != nil {
			slog.Warn("cleanup: remove bridge", "bridge", e.bridge, "err", err, "out", string(out))
		}
	}
	if e.tmp != "" {
		if err := os.RemoveAll(e.tmp); err != nil {
			slog.Warn("cleanup: remove temp dir", "dir", e.tmp, "err", err)
		}
	}
}

// stopEC2d interrupts ec2d and kills it if it has not exited in 30 s.
func (e *env) stopEC2d() {
	if e.ec2d == nil || e.ec2d.Process == nil {
		return
	}
	_ = e.ec2d.Process.Signal(syscall.SIGINT)
	select {
	case <-e.ec2dDone:
	case <-time.After(30 * time.Second):
		slog.Warn("cleanup: ec2d did not stop, killing it")
		_ = e.ec2d.Process.Kill()
		<-e.ec2dDone
	}
}

// leftovers lists libvirt domains whose names start with one of prefixes.
func leftovers(ctx context.Context, prefixes ...string) []string {
	out, err := exec.CommandContext(ctx, "virsh", "-c", libvirtURI, "list", "--all", "--name").Output()
	if err != nil {
		slog.Warn("cleanup: virsh list", "err", err)
		return nil
	}
	var doms []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		for _, p := range prefixes {
			if l != "" && strings.HasPrefix(l, p) {
				doms = append(doms, l)
				break
			}
		}
	}
	return doms
}

// destroyDomain destroys a transient baseline domain (gone afterwards) and
// forgets it.
func (e *env) destroyDomain(ctx context.Context, name string) {
	out, err := exec.CommandContext(ctx, "virsh", "-c", libvirtURI, "destroy", name).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "ailed to get domain") {
		slog.Warn("virsh destroy", "domain", name, "err", err, "out", strings.TrimSpace(string(out)))
	}
	e.mu.Lock()
	delete(e.domains, name)
	e.mu.Unlock()
}

// stopStrayDnsmasq stops the dnsmasq processes whose files live in our temp
// dir and removes the bridge each served: ec2d tears its network down
// after the last instance terminates, which a stop right after terminate
// (an interrupted run) can cut short.
func (e *env) stopStrayDnsmasq(ctx context.Context) {
	if e.tmp == "" {
		return
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if filepath.Base(args[0]) != "dnsmasq" || !strings.Contains(string(b), e.tmp+"/") {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if err != nil {
			continue
		}
		slog.Warn("cleanup: stopping dnsmasq left by ec2d", "pid", pid)
		_ = syscall.Kill(pid, syscall.SIGTERM)
		for _, a := range args {
			if br, ok := strings.CutPrefix(a, "--interface="); ok {
				_ = exec.CommandContext(ctx, "ip", "link", "del", br).Run()
			}
		}
	}
}
