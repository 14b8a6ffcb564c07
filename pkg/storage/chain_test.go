package storage

import (
	"context"
	"os"
	"testing"
)

func TestFreezeMakesHeadImmutableOverlay(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "vol.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 1M", "-f", "qcow2", p.Path("vol.qcow2"))

	if err := p.Freeze(ctx, "vol.qcow2", "vol-1.qcow2", nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p.Path("vol.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o400 {
		t.Fatalf("frozen head mode = %v, want 0400", st.Mode().Perm())
	}
	info, err := p.Info(ctx, "vol-1.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if info.Backing != "vol.qcow2" || info.VirtualSize != 64<<20 {
		t.Fatalf("new head = %+v, want overlay on vol.qcow2", info)
	}
	qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", p.Path("vol-1.qcow2"))
	qemuIO(t, "write -P 0xcd 0 1M", "-f", "qcow2", p.Path("vol-1.qcow2"))
	qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", p.Path("vol.qcow2"))

	if err := p.Freeze(ctx, "vol-1.qcow2", "vol.qcow2", nil); err == nil {
		t.Fatal("freeze onto an existing name succeeded")
	}
	if st, _ := os.Stat(p.Path("vol-1.qcow2")); st.Mode().Perm()&0o200 == 0 {
		t.Fatal("failed freeze left the head read-only")
	}
}

func TestRebase(t *testing.T) {
	tests := []struct {
		name       string
		newBacking string
	}{
		{"flatten", ""},
		{"onto other base", "other.qcow2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPool(t)
			ctx := context.Background()
			mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
			qemuIO(t, "write -P 0xab 0 1M", "-f", "qcow2", p.Path("base.qcow2"))
			mustCreate(t, p, "other.qcow2", 64<<20, CreateOptions{})
			qemuIO(t, "write -P 0x11 0 2M", "-f", "qcow2", p.Path("other.qcow2"))
			mustCreate(t, p, "top.qcow2", 0, CreateOptions{Backing: "base.qcow2"})
			qemuIO(t, "write -P 0xcd 1M 1M", "-f", "qcow2", p.Path("top.qcow2"))

			if err := p.Rebase(ctx, "top.qcow2", tt.newBacking, nil); err != nil {
				t.Fatal(err)
			}
			info, err := p.Info(ctx, "top.qcow2")
			if err != nil {
				t.Fatal(err)
			}
			if info.Backing != tt.newBacking {
				t.Fatalf("backing = %q, want %q", info.Backing, tt.newBacking)
			}
			qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", p.Path("top.qcow2"))
			qemuIO(t, "read -P 0xcd 1M 1M", "-f", "qcow2", p.Path("top.qcow2"))
			qemuIO(t, "read -P 0 2M 1M", "-f", "qcow2", p.Path("top.qcow2"))
		})
	}
}

func TestRebaseRefusesLoop(t *testing.T) {
	p := newTestPool(t)
	mustCreate(t, p, "a.qcow2", 1<<20, CreateOptions{})
	mustCreate(t, p, "b.qcow2", 0, CreateOptions{Backing: "a.qcow2"})
	if err := p.Rebase(context.Background(), "a.qcow2", "b.qcow2", nil); err == nil {
		t.Fatal("rebase into a loop succeeded")
	}
}

func TestCommitMergesIntoFrozenBacking(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 2M", "-f", "qcow2", p.Path("base.qcow2"))
	if err := p.Freeze(ctx, "base.qcow2", "top.qcow2", nil); err != nil {
		t.Fatal(err)
	}
	qemuIO(t, "write -P 0xcd 1M 1M", "-f", "qcow2", p.Path("top.qcow2"))

	if err := p.Commit(ctx, "top.qcow2", nil); err != nil {
		t.Fatal(err)
	}
	qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", p.Path("base.qcow2"))
	qemuIO(t, "read -P 0xcd 1M 1M", "-f", "qcow2", p.Path("base.qcow2"))
	if st, _ := os.Stat(p.Path("base.qcow2")); st.Mode().Perm() != 0o400 {
		t.Fatalf("backing mode after commit = %v, want 0400 kept", st.Mode().Perm())
	}
	if err := p.Commit(ctx, "base.qcow2", nil); err == nil {
		t.Fatal("commit of a file without backing succeeded")
	}
}

func TestCheck(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	mustCreate(t, p, "ok.qcow2", 64<<20, CreateOptions{})
	mustCreate(t, p, "cut.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 4M", "-f", "qcow2", p.Path("cut.qcow2"))
	if err := os.Truncate(p.Path("cut.qcow2"), 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := p.Check(ctx, "ok.qcow2", nil); err != nil {
		t.Fatalf("healthy volume: %v", err)
	}
	err := p.Check(ctx, "cut.qcow2", nil)
	if err == nil {
		t.Fatal("truncated volume passed check")
	}
	t.Logf("truncated volume: %v", err)
}
