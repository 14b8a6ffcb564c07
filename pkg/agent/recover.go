package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Recover rebuilds the agent's view after a (re)start: the instances are
// the libvirt domains with this agent's prefix; temp files in both pools and
// the seeds, console logs, specs and instance-store disks of instances no
// domain owns are leftovers of an interrupted operation and are removed.
func (a *Agent) Recover(ctx context.Context) error {
	live, err := a.liveInstances(ctx)
	if err != nil {
		return err
	}
	if wait := a.freshCreateWait(live); wait > 0 {
		// A define the previous process sent just before it died may still
		// be landing in libvirtd: look again before taking its files for
		// leftovers.
		a.log.Info("recover: waiting for a create interrupted moments ago", "wait", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if live, err = a.liveInstances(ctx); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		name string
		pool interface {
			CleanTemp(context.Context) ([]string, error)
		}
	}{{"shared", a.cfg.SharedPool}, {"local", a.cfg.LocalPool}} {
		removed, err := p.pool.CleanTemp(ctx)
		if err != nil {
			return fmt.Errorf("recover: %w", err)
		}
		for _, f := range removed {
			a.log.Info("recover: removed temp file", "pool", p.name, "file", f)
		}
	}
	stateFiles := map[string]string{"seeds": ".iso", "console": ".log", "specs": ".json"}
	for dir, ext := range stateFiles {
		if err := a.removeOrphans(filepath.Join(a.cfg.StateDir, dir), ext, live); err != nil {
			return err
		}
	}
	if err := a.removeOrphans(a.cfg.LocalPool.Dir, "-ephemeral", live); err != nil {
		return err
	}
	if err := a.recoverMetadata(live); err != nil {
		return err
	}
	if err := a.recoverNetwork(ctx); err != nil {
		a.log.Warn("recover: network", "err", err) // the controller's next sync retries
	}
	if err := a.recoverTaps(ctx); err != nil {
		a.log.Warn("recover: taps", "err", err)
	}
	if err := a.recoverFirewall(ctx); err != nil {
		a.log.Warn("recover: firewall", "err", err)
	}
	a.log.Info("recovered", "instances", len(live))
	return nil
}

// interruptedCreateGrace is how long after writing a spec an interrupted
// create's define may still land in libvirtd.
const interruptedCreateGrace = 2 * time.Second

func (a *Agent) liveInstances(ctx context.Context) (map[string]bool, error) {
	doms, err := a.hv.List(ctx, a.cfg.DomainPrefix)
	if err != nil {
		return nil, fmt.Errorf("recover: %w", err)
	}
	live := map[string]bool{}
	for _, d := range doms {
		live[a.instanceID(d.Name)] = true
	}
	return live, nil
}

// freshCreateWait is how long Recover should wait for the define of a
// spec written less than interruptedCreateGrace ago without a domain yet.
func (a *Agent) freshCreateWait(live map[string]bool) time.Duration {
	entries, _ := os.ReadDir(filepath.Join(a.cfg.StateDir, "specs"))
	var wait time.Duration
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || live[id] {
			continue
		}
		if fi, err := e.Info(); err == nil {
			wait = max(wait, interruptedCreateGrace-time.Since(fi.ModTime()))
		}
	}
	return wait
}

// removeOrphans deletes files in dir named <id><marker>… whose id owns no
// domain; in the state dirs any other file (a half-written temp) goes too.
// Files of live instances stay, whatever their suffix (virtlogd rotations).
func (a *Agent) removeOrphans(dir, marker string, live map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	inPool := dir == a.cfg.LocalPool.Dir
	for _, e := range entries {
		n := e.Name()
		i := strings.Index(n, marker)
		if inPool && (i <= 0 || !strings.HasPrefix(n, "i-")) {
			continue // not an instance-store disk
		}
		if i > 0 && live[n[:i]] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("recover: %w", err)
		}
		a.log.Info("recover: removed leftover", "file", filepath.Join(dir, n))
	}
	return nil
}
