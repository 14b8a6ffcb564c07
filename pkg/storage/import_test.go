package storage

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// qemuImgT runs qemu-img for test fixtures.
func qemuImgT(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("qemu-img", args...).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img %v: %v\n%s", args, err, out)
	}
}

func TestImportRejects(t *testing.T) {
	p := newTestPool(t)
	src := t.TempDir()
	path := func(n string) string { return filepath.Join(src, n) }

	qemuImgT(t, "create", "-q", "-f", "qcow2", "-u", "-b", "/etc/passwd", "-F", "raw", path("root.qcow2"), "64M")
	qemuImgT(t, "create", "-q", "-f", "qcow2", path("cut.qcow2"), "64M")
	qemuIO(t, "write -P 0xab 0 4M", "-f", "qcow2", path("cut.qcow2"))
	if err := os.Truncate(path("cut.qcow2"), 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("header.qcow2"), []byte("QFI\xfb\x00\x00\x00\x03"), 0o644); err != nil {
		t.Fatal(err)
	}
	qemuImgT(t, "create", "-q", "-f", "qcow2", path("big.qcow2"), "2G")
	qemuImgT(t, "create", "-q", "-f", "vmdk", path("disk.vmdk"), "64M")
	qemuImgT(t, "create", "-q", "-f", "qcow2", path("good.qcow2"), "64M")
	if err := os.WriteFile(path("notes.txt"), []byte("not a disk, yet qemu-img calls it raw\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, file string
		lim        ImportLimits
		want       string
	}{
		{"backing to /etc/passwd", "root.qcow2", ImportLimits{}, "image root.qcow2: backing file /etc/passwd not allowed"},
		{"truncated qcow2", "cut.qcow2", ImportLimits{}, "corrupt"},
		{"header only", "header.qcow2", ImportLimits{}, "not a readable disk image"},
		{"too big", "big.qcow2", ImportLimits{MaxVirtualSize: 1 << 30}, "exceeds the limit"},
		{"sha mismatch", "good.qcow2", ImportLimits{SHA256: strings.Repeat("0", 64)}, "sha256 mismatch"},
		{"vmdk", "disk.vmdk", ImportLimits{}, `format "vmdk" not allowed`},
		{"missing", "nope.qcow2", ImportLimits{}, "no such file"},
		{"qcow2 named raw", "good.qcow2", ImportLimits{Format: "raw"}, "the file is qcow2, not raw as named"},
		{"text named qcow2", "notes.txt", ImportLimits{Format: "qcow2"}, "the file is raw, not qcow2 as named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Import(context.Background(), path(tt.file), "vol.qcow2", tt.lim)
			if err == nil || !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrRejected containing %q", err, tt.want)
			}
			if _, err := os.Stat(p.Path("vol.qcow2")); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("rejected import left a volume behind")
			}
		})
	}
	if left, _ := os.ReadDir(p.Dir); len(left) != 0 {
		t.Fatalf("pool not empty after rejected imports: %v", left)
	}
}

func TestImportAccepts(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	src := t.TempDir()
	// A raw disk disguised by a .qcow2 extension, and a qcow2 named .raw:
	// the format comes from the content.
	raw := filepath.Join(src, "disk.qcow2")
	qemuImgT(t, "create", "-q", "-f", "raw", raw, "8M")
	qemuIO(t, "write -P 0xab 0 1M", "-f", "raw", raw)
	q := filepath.Join(src, "disk.raw")
	qemuImgT(t, "create", "-q", "-f", "qcow2", q, "8M")
	qemuIO(t, "write -P 0xcd 0 1M", "-f", "qcow2", q)
	sum, err := FileSHA256(raw)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, src, vol, pattern string
		lim                     ImportLimits
	}{
		{"raw with sha", raw, "a.qcow2", "0xab", ImportLimits{MaxVirtualSize: 8 << 20, SHA256: strings.ToUpper(sum)}},
		{"qcow2", q, "b.qcow2", "0xcd", ImportLimits{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := p.Import(ctx, tt.src, tt.vol, tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != "qcow2" || info.Backing != "" || info.VirtualSize != 8<<20 {
				t.Fatalf("imported = %+v, want standalone 8 MiB qcow2", info)
			}
			qemuIO(t, "read -P "+tt.pattern+" 0 1M", "-f", "qcow2", p.Path(tt.vol))
		})
	}
	if _, err := p.Import(ctx, raw, "a.qcow2", ImportLimits{}); !errors.Is(err, ErrExists) {
		t.Fatalf("import over an existing volume: %v", err)
	}
}
