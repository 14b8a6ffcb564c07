package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFilesAndCleanTemp(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "b.qcow2", 1<<20, CreateOptions{})
	for _, n := range []string{"a.raw", "notes.txt", ".tmp-c.qcow2-0a1b2c", ".tmp-d.raw-ffff"} {
		if err := os.WriteFile(p.Path(n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(p.Path("dir.qcow2"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := p.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.raw", "b.qcow2"}; !slices.Equal(files, want) {
		t.Fatalf("Files = %v, want %v", files, want)
	}

	// A temp file of an operation still running in this process survives.
	busy, release := tempFile(p.Dir, p.Path("e.qcow2"))
	defer release()
	if err := os.WriteFile(busy, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	removed, err := p.CleanTemp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{".tmp-c.qcow2-0a1b2c", ".tmp-d.raw-ffff"}; !slices.Equal(removed, want) {
		t.Fatalf("CleanTemp removed %v, want %v", removed, want)
	}
	if _, err := os.Stat(busy); err != nil {
		t.Fatalf("in-flight temp file removed: %v", err)
	}
	if _, err := os.Stat(p.Path("b.qcow2")); err != nil {
		t.Fatalf("volume removed: %v", err)
	}
}

func TestUsage(t *testing.T) {
	p := newTestPool(t)
	free, total, err := p.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if free <= 0 || total < free {
		t.Fatalf("free=%d total=%d", free, total)
	}
}

func TestStoredBytesIsIncremental(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 8M", "-f", "qcow2", p.Path("base.qcow2"))
	if err := p.Freeze(ctx, "base.qcow2", "top.qcow2", nil); err != nil {
		t.Fatal(err)
	}
	qemuIO(t, "write -P 0xcd 0 1M", "-f", "qcow2", p.Path("top.qcow2"))
	base, _ := p.StoredBytes(ctx, "base.qcow2")
	top, err := p.StoredBytes(ctx, "top.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if base < 8<<20 || top < 1<<20 || top > 2<<20 {
		t.Fatalf("stored base=%d top=%d, want base>=8MiB and 1MiB<=top<=2MiB", base, top)
	}
}

func TestCopyFromKeepsChain(t *testing.T) {
	src := newTestPool(t)
	dst := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, src, "base.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 1M", "-f", "qcow2", src.Path("base.qcow2"))
	if err := src.Freeze(ctx, "base.qcow2", "top.qcow2", nil); err != nil {
		t.Fatal(err)
	}
	qemuIO(t, "write -P 0xcd 1M 1M", "-f", "qcow2", src.Path("top.qcow2"))

	for _, n := range []string{"base.qcow2", "top.qcow2"} {
		if err := dst.CopyFrom(ctx, src, n); err != nil {
			t.Fatal(err)
		}
		a, _ := FileSHA256(src.Path(n))
		b, _ := FileSHA256(dst.Path(n))
		if a != b {
			t.Fatalf("%s: sha256 %s != %s", n, a, b)
		}
	}
	if st, _ := os.Stat(dst.Path("base.qcow2")); st.Mode().Perm() != 0o400 {
		t.Fatalf("copied frozen layer mode = %v, want 0400", st.Mode().Perm())
	}
	info, err := dst.Info(ctx, "top.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Chain, []string{"top.qcow2", "base.qcow2"}) {
		t.Fatalf("chain in destination = %v", info.Chain)
	}
	qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", dst.Path("top.qcow2"))
	qemuIO(t, "read -P 0xcd 1M 1M", "-f", "qcow2", dst.Path("top.qcow2"))
	if err := dst.CopyFrom(ctx, src, "top.qcow2"); !errors.Is(err, ErrExists) {
		t.Fatalf("copy over existing: %v", err)
	}
}

func TestExportFlattens(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 1M", "-f", "qcow2", p.Path("base.qcow2"))
	mustCreate(t, p, "top.qcow2", 0, CreateOptions{Backing: "base.qcow2"})
	qemuIO(t, "write -P 0xcd 1M 1M", "-f", "qcow2", p.Path("top.qcow2"))

	out, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(out.Dir, "image.qcow2")
	if err := p.Export(ctx, "top.qcow2", dst, nil); err != nil {
		t.Fatal(err)
	}
	info, err := out.Info(ctx, "image.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if info.Backing != "" || len(info.Chain) != 1 || info.VirtualSize != 64<<20 {
		t.Fatalf("exported = %+v, want standalone", info)
	}
	qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", dst)
	qemuIO(t, "read -P 0xcd 1M 1M", "-f", "qcow2", dst)
}
