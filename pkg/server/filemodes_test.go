package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// runUntilReady starts ec2d (no embedded agent: no libvirt needed) on
// dataDir with cfg and stops it once it serves; it returns Run's error.
func runUntilReady(t *testing.T, dataDir string, cfg Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Run(ctx, Options{Config: cfg, DataDir: dataDir, GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: func(string, string) { cancel() }})
}

// TestStartTightensFileModes: files and directories an older ec2lab left
// readable by every user (0644 heads and seeds, 0444 layers, 0755 dirs), in
// the data dir and in a zone pool outside it, are private once ec2d has
// started; a file of the operator's at the top of the data dir is left
// alone.
func TestStartTightensFileModes(t *testing.T) {
	base := t.TempDir()
	dataDir, outside := filepath.Join(base, "data"), filepath.Join(base, "srv", "lab-1a")
	cfg := AllInOne(dataDir)
	cfg.EmbeddedAgents = nil
	cfg.AvailabilityZones[0].Pool = outside
	files := map[string]os.FileMode{ // path → mode it must have after start
		filepath.Join(dataDir, "agent", "seeds", "i-1.iso"): 0o600,
		filepath.Join(dataDir, "local", "i-1-eph0.qcow2"):   0o600,
		filepath.Join(outside, "vol-1.qcow2"):               0o600,
		filepath.Join(outside, "snap-1.qcow2"):              0o400,
		filepath.Join(dataDir, "images", "b", "disk.qcow2"): 0o600,
		// not ec2lab's: an operator's file next to the data dir's own
		filepath.Join(dataDir, "notes.txt"): 0o644,
	}
	for f := range files {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.Contains(f, "snap-") {
			mode = 0o444
		}
		if err := os.WriteFile(f, []byte("tenant data"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(f, mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := runUntilReady(t, dataDir, cfg); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dataDir, filepath.Join(dataDir, "agent", "seeds"), outside} {
		files[d] = 0o711
	}
	for p, want := range files {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %#o after start, want %#o", p, got, want)
		}
	}
	for _, f := range []string{StatePath(dataDir), filepath.Join(dataDir, "master.key"), filepath.Join(dataDir, "credentials")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v (err %v), want 0600", f, fi.Mode(), err)
		}
	}
}

// TestStartRefusesAForeignPool: a pool directory owned by another
// non-root user (who could open it again at will) stops ec2d from
// starting, naming the directory.
func TestStartRefusesAForeignPool(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	base := t.TempDir()
	dataDir, pool := filepath.Join(base, "data"), filepath.Join(base, "pool")
	if err := os.Mkdir(pool, 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(pool, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	cfg := AllInOne(dataDir)
	cfg.EmbeddedAgents = nil
	cfg.AvailabilityZones[0].Pool = pool
	err := runUntilReady(t, dataDir, cfg)
	if !errors.Is(err, fsmode.ErrRefused) || !strings.Contains(err.Error(), pool) {
		t.Fatalf("Run: %v, want a refusal naming %s", err, pool)
	}
}
