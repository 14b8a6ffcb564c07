package storage

import (
	"context"
	"errors"
	"os"
	"testing"
)

// TestDuplicate: the copy has the source's bytes and mode under its own
// name, an existing name is never overwritten, and bad names are refused.
func TestDuplicate(t *testing.T) {
	p, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := os.WriteFile(p.Path("ami-1.vmlinuz"), []byte("kernel bytes"), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := p.Duplicate(ctx, "ami-1.vmlinuz", "ami-2.vmlinuz"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p.Path("ami-2.vmlinuz"))
	fi, _ := os.Stat(p.Path("ami-2.vmlinuz"))
	if err != nil || string(got) != "kernel bytes" || fi.Mode().Perm() != 0o400 {
		t.Fatalf("copy: %q %v mode %v", got, err, fi.Mode())
	}
	if err := p.Duplicate(ctx, "ami-1.vmlinuz", "ami-2.vmlinuz"); !errors.Is(err, ErrExists) {
		t.Fatalf("onto an existing file: %v", err)
	}
	if err := p.Duplicate(ctx, "missing", "ami-3.vmlinuz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing source: %v", err)
	}
	if err := p.Duplicate(ctx, "ami-1.vmlinuz", "../escape"); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("name with a slash: %v", err)
	}
}
