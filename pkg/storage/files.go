package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Files lists the pool's *.qcow2 and *.raw files, sorted, temp files excluded.
func (p *Pool) Files(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(p.Dir)
	if err != nil {
		return nil, fmt.Errorf("list pool %s: %w", p.Dir, err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(n, tempPrefix) {
			continue
		}
		if ext := filepath.Ext(n); ext == ".qcow2" || ext == ".raw" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// CleanTemp removes temp files left by interrupted operations (".tmp-*"),
// except those of operations still running in this process, and returns
// the names removed.
func (p *Pool) CleanTemp(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(p.Dir)
	if err != nil {
		return nil, fmt.Errorf("clean pool %s: %w", p.Dir, err)
	}
	var removed []string
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, tempPrefix) {
			continue
		}
		path := p.Path(n)
		if _, busy := inflight.Load(path); busy {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			return removed, fmt.Errorf("clean pool %s: %w", p.Dir, err)
		}
		removed = append(removed, n)
	}
	return removed, nil
}

// Usage reports free (available to unprivileged users) and total bytes of
// the filesystem holding the pool.
func (p *Pool) Usage() (free, total int64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(p.Dir, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", p.Dir, err)
	}
	return int64(st.Bavail) * st.Bsize, int64(st.Blocks) * st.Bsize, nil
}

// StoredBytes is the disk space allocated by this one layer, for reporting
// how much an incremental snapshot costs.
func (p *Pool) StoredBytes(ctx context.Context, name string) (int64, error) {
	path, err := p.existing(name)
	if err != nil {
		return 0, fmt.Errorf("stored bytes: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("stored bytes %s: %w", name, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fi.Size(), nil
	}
	return st.Blocks * 512, nil
}
