package storage

import (
	"context"
	"os"
	"slices"
	"testing"
)

func TestReparent(t *testing.T) {
	tests := []struct {
		name       string
		newBacking string
		wantChain  []string
		wantErr    bool
	}{
		{"merge the middle layer", "base.qcow2", []string{"top.qcow2", "base.qcow2"}, false},
		{"flatten", "", []string{"top.qcow2"}, false},
		{"not below", "other.qcow2", nil, true},
		{"itself", "top.qcow2", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			p := newTestPool(t)
			mustCreate(t, p, "base.qcow2", 4<<20, CreateOptions{})
			mustCreate(t, p, "other.qcow2", 4<<20, CreateOptions{})
			qemuIO(t, "write -P 0xab 0 1M", "-f", "qcow2", p.Path("base.qcow2"))
			if err := p.Freeze(ctx, "base.qcow2", "mid.qcow2", nil); err != nil {
				t.Fatal(err)
			}
			qemuIO(t, "write -P 0xcd 1M 1M", "-f", "qcow2", p.Path("mid.qcow2"))
			if err := p.Freeze(ctx, "mid.qcow2", "top.qcow2", nil); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p.Path("top.qcow2"), 0o400); err != nil {
				t.Fatal(err)
			}
			err := p.Reparent(ctx, "top.qcow2", tc.newBacking)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Reparent: err = %v, want error %v", err, tc.wantErr)
			}
			info, ierr := p.Info(ctx, "top.qcow2")
			if ierr != nil {
				t.Fatal(ierr)
			}
			if !tc.wantErr && !slices.Equal(info.Chain, tc.wantChain) {
				t.Fatalf("chain = %v, want %v", info.Chain, tc.wantChain)
			}
			qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", p.Path("top.qcow2"))
			qemuIO(t, "read -P 0xcd 1M 1M", "-f", "qcow2", p.Path("top.qcow2"))
			if st, err := os.Stat(p.Path("top.qcow2")); err != nil || st.Mode().Perm() != 0o400 {
				t.Fatalf("mode after reparent: %v %v, want 0400 kept", st.Mode(), err)
			}
			if tmp, _ := p.CleanTemp(ctx); len(tmp) > 0 {
				t.Fatalf("temp files left: %v", tmp)
			}
		})
	}
}
