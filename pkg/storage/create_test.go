package storage

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCreateSparse100GiB(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	const size = 100 << 30
	mustCreate(t, p, "big.qcow2", size, CreateOptions{})
	info, err := p.Info(ctx, "big.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if info.VirtualSize != size || info.Format != "qcow2" || info.Backing != "" {
		t.Fatalf("info = %+v, want 100 GiB qcow2 without backing", info)
	}
	stored, err := p.StoredBytes(ctx, "big.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if stored > 2<<20 {
		t.Fatalf("100 GiB volume allocates %d bytes, want < 2 MiB", stored)
	}
	if err := p.Create(ctx, "big.qcow2", size, CreateOptions{}); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: err = %v, want ErrExists", err)
	}
}

func TestCreateRejects(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
	tests := []struct {
		name string
		vol  string
		size int64
		opt  CreateOptions
		want error
	}{
		{"parent dir", "../x.qcow2", 1 << 20, CreateOptions{}, ErrInvalidName},
		{"slash", "a/b.qcow2", 1 << 20, CreateOptions{}, ErrInvalidName},
		{"empty", "", 1 << 20, CreateOptions{}, ErrInvalidName},
		{"temp name", ".tmp-x.qcow2", 1 << 20, CreateOptions{}, ErrInvalidName},
		{"backing escapes pool", "o.qcow2", 0, CreateOptions{Backing: "../base.qcow2"}, ErrInvalidName},
		{"missing backing", "o.qcow2", 0, CreateOptions{Backing: "nope.qcow2"}, ErrNotFound},
		{"zero size", "z.qcow2", 0, CreateOptions{}, nil},
		{"smaller than backing", "s.qcow2", 1 << 20, CreateOptions{Backing: "base.qcow2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Create(ctx, tt.vol, tt.size, tt.opt)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	files, _ := p.Files(ctx)
	if !slices.Equal(files, []string{"base.qcow2"}) {
		t.Fatalf("files after failed creates = %v", files)
	}
}

func TestChainOfThreeIsRelativeAndMovable(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 1M", "-f", "qcow2", p.Path("base.qcow2"))
	mustCreate(t, p, "mid.qcow2", 0, CreateOptions{Backing: "base.qcow2"})
	mustCreate(t, p, "top.qcow2", 0, CreateOptions{Backing: "mid.qcow2"})

	info, err := p.Info(ctx, "top.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"top.qcow2", "mid.qcow2", "base.qcow2"}; !slices.Equal(info.Chain, want) {
		t.Fatalf("chain = %v, want %v", info.Chain, want)
	}
	if info.Backing != "mid.qcow2" || info.VirtualSize != 64<<20 {
		t.Fatalf("info = %+v", info)
	}
	out, err := exec.Command("qemu-img", "info", "-U", p.Path("top.qcow2")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "backing file: mid.qcow2 (actual path") {
		t.Fatalf("qemu-img info does not show a relative backing: %v\n%s", err, out)
	}

	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(p.Dir, moved); err != nil {
		t.Fatal(err)
	}
	p2, err := New(moved)
	if err != nil {
		t.Fatal(err)
	}
	qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", p2.Path("top.qcow2"))
	if info, err := p2.Info(ctx, "top.qcow2"); err != nil || len(info.Chain) != 3 {
		t.Fatalf("chain after move: %+v, %v", info, err)
	}
}

func TestResizeGrowsOnly(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "v.qcow2", 64<<20, CreateOptions{})
	if err := p.Resize(ctx, "v.qcow2", 128<<20, nil); err != nil {
		t.Fatal(err)
	}
	if info, _ := p.Info(ctx, "v.qcow2"); info.VirtualSize != 128<<20 {
		t.Fatalf("size after grow = %d", info.VirtualSize)
	}
	if err := p.Resize(ctx, "v.qcow2", 32<<20, nil); err == nil {
		t.Fatal("shrink accepted")
	}
	if info, _ := p.Info(ctx, "v.qcow2"); info.VirtualSize != 128<<20 {
		t.Fatalf("size after refused shrink = %d", info.VirtualSize)
	}
}

func TestDeleteIsIdempotent(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "v.qcow2", 1<<20, CreateOptions{})
	for i := 0; i < 2; i++ {
		if err := p.Delete(ctx, "v.qcow2"); err != nil {
			t.Fatalf("delete #%d: %v", i+1, err)
		}
	}
	if _, err := os.Stat(p.Path("v.qcow2")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file still there: %v", err)
	}
	if err := p.Delete(ctx, "../etc"); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("delete ../etc: %v", err)
	}
}
