package storage

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFilesArePrivate: every file the pool makes holds tenant data and is
// readable by its owner only (heads 0600, frozen layers 0400), even under
// umask 0, and the pool directory is traversable but not listable.
func TestFilesArePrivate(t *testing.T) {
	requireQemuImg(t)
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	ctx := context.Background()
	base := t.TempDir()
	p, err := New(filepath.Join(base, "pools", "a"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(filepath.Join(base, "pools", "b"))
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, p, "vol.qcow2", 64<<20, CreateOptions{})
	if err := p.Freeze(ctx, "vol.qcow2", "vol-1.qcow2", nil); err != nil {
		t.Fatal(err)
	}
	if err := p.EncryptCopy(ctx, "vol.qcow2", "enc.qcow2", []byte("k")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Import(ctx, p.Path("vol.qcow2"), "imported.qcow2", ImportLimits{}); err != nil {
		t.Fatal(err)
	}
	if err := other.CopyFrom(ctx, p, "vol.qcow2"); err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(base, "export.qcow2")
	if err := p.Export(ctx, "vol-1.qcow2", export, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{
		{filepath.Join(base, "pools"), 0o711},
		{p.Dir, 0o711},
		{p.Path("vol.qcow2"), 0o400},
		{p.Path("vol-1.qcow2"), 0o600},
		{p.Path("enc.qcow2"), 0o400},
		{p.Path("imported.qcow2"), 0o600},
		{other.Path("vol.qcow2"), 0o400},
		{export, 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tc.want {
			t.Errorf("%s: mode %#o, want %#o", tc.path, got, tc.want)
		}
	}
}
