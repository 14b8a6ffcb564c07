package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestEncryptedVolume(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	keyDir := t.TempDir()
	t.Setenv("TMPDIR", keyDir) // key files land here; they must not linger
	const key = "s3cr3t-passphrase"
	k := []byte(key)

	mustCreate(t, p, "enc.qcow2", 64<<20, CreateOptions{Key: k})
	info, err := p.Info(ctx, "enc.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if !info.Encrypted {
		t.Fatalf("info = %+v, want encrypted", info)
	}
	qemuIO(t, "write -P 0xab 0 4M", ioArgs(p.Path("enc.qcow2"), key, []bool{true})...)

	t.Run("ciphertext on disk", func(t *testing.T) {
		raw, err := os.ReadFile(p.Path("enc.qcow2"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, bytes.Repeat([]byte{0xab}, 512)) {
			t.Fatal("plaintext pattern found in the file")
		}
		qemuIO(t, "read -P 0xab 0 4M", ioArgs(p.Path("enc.qcow2"), key, []bool{true})...)
		if out, err := tryQemuIO("read -P 0xab 0 1M", ioArgs(p.Path("enc.qcow2"), "wrong", []bool{true})...); err == nil {
			t.Fatalf("read with a wrong key succeeded:\n%s", out)
		}
	})
	t.Run("check", func(t *testing.T) {
		if err := p.Check(ctx, "enc.qcow2", k); err != nil {
			t.Fatal(err)
		}
		if err := p.Check(ctx, "enc.qcow2", nil); err == nil {
			t.Fatal("check without key succeeded")
		}
	})
	t.Run("freeze", func(t *testing.T) {
		if err := p.Freeze(ctx, "enc.qcow2", "enc-1.qcow2", nil); err == nil {
			t.Fatal("freeze of an encrypted volume without key succeeded")
		}
		if err := p.Freeze(ctx, "enc.qcow2", "enc-1.qcow2", k); err != nil {
			t.Fatal(err)
		}
		info, err := p.Info(ctx, "enc-1.qcow2")
		if err != nil {
			t.Fatal(err)
		}
		if !info.Encrypted || info.Backing != "enc.qcow2" {
			t.Fatalf("new head = %+v, want encrypted overlay on enc.qcow2", info)
		}
		chain := ioArgs(p.Path("enc-1.qcow2"), key, []bool{true, true})
		qemuIO(t, "read -P 0xab 0 4M", chain...)
		qemuIO(t, "write -P 0xcd 1M 1M", chain...)
	})
	t.Run("export flattens and decrypts", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "out.qcow2")
		if err := p.Export(ctx, "enc-1.qcow2", dst, k); err != nil {
			t.Fatal(err)
		}
		qemuIO(t, "read -P 0xab 0 1M", "-f", "qcow2", dst)
		qemuIO(t, "read -P 0xcd 1M 1M", "-f", "qcow2", dst)
	})
	t.Run("resize", func(t *testing.T) {
		if err := p.Resize(ctx, "enc-1.qcow2", 128<<20, k); err != nil {
			t.Fatal(err)
		}
		if info, _ := p.Info(ctx, "enc-1.qcow2"); info.VirtualSize != 128<<20 {
			t.Fatalf("size = %d", info.VirtualSize)
		}
	})
	t.Run("commit", func(t *testing.T) {
		if err := p.Commit(ctx, "enc-1.qcow2", k); err != nil {
			t.Fatal(err)
		}
		qemuIO(t, "read -P 0xcd 1M 1M", ioArgs(p.Path("enc.qcow2"), key, []bool{true})...)
	})
	t.Run("flatten", func(t *testing.T) {
		if err := p.Rebase(ctx, "enc-1.qcow2", "", k); err != nil {
			t.Fatal(err)
		}
		info, _ := p.Info(ctx, "enc-1.qcow2")
		if info.Backing != "" || !info.Encrypted {
			t.Fatalf("after flatten = %+v", info)
		}
		qemuIO(t, "read -P 0xab 0 1M", ioArgs(p.Path("enc-1.qcow2"), key, []bool{true})...)
		qemuIO(t, "read -P 0xcd 1M 1M", ioArgs(p.Path("enc-1.qcow2"), key, []bool{true})...)
	})
	if left, _ := os.ReadDir(keyDir); len(left) != 0 {
		t.Fatalf("key files left behind: %v", left)
	}
}

func TestRebaseEncryptedOntoPlain(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	const key = "k3y"
	mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 1M", "-f", "qcow2", p.Path("base.qcow2"))
	mustCreate(t, p, "other.qcow2", 64<<20, CreateOptions{})
	mustCreate(t, p, "top.qcow2", 0, CreateOptions{Backing: "base.qcow2", Key: []byte(key)})

	if err := p.Rebase(ctx, "top.qcow2", "other.qcow2", []byte(key)); err != nil {
		t.Fatal(err)
	}
	info, err := p.Info(ctx, "top.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if info.Backing != "other.qcow2" {
		t.Fatalf("backing = %q, want relative other.qcow2", info.Backing)
	}
	qemuIO(t, "read -P 0xab 0 1M", ioArgs(p.Path("top.qcow2"), key, []bool{true})...)
}

// TestEncryptCopy: a plain two-layer chain becomes one encrypted,
// read-only layer with the chain's data and no plaintext; a retry is a
// no-op; an encrypted chain or a missing key is refused.
func TestEncryptCopy(t *testing.T) {
	p := newTestPool(t)
	ctx := context.Background()
	t.Setenv("TMPDIR", t.TempDir())
	const key = "copy-key"
	mustCreate(t, p, "base.qcow2", 64<<20, CreateOptions{})
	qemuIO(t, "write -P 0xab 0 2M", ioArgs(p.Path("base.qcow2"), "", nil)...)
	mustCreate(t, p, "top.qcow2", 0, CreateOptions{Backing: "base.qcow2"})
	qemuIO(t, "write -P 0xcd 1M 1M", ioArgs(p.Path("top.qcow2"), "", nil)...)

	if err := p.EncryptCopy(ctx, "top.qcow2", "enc.qcow2", nil); err == nil {
		t.Fatal("EncryptCopy without a key succeeded")
	}
	if err := p.EncryptCopy(ctx, "top.qcow2", "enc.qcow2", []byte(key)); err != nil {
		t.Fatal(err)
	}
	info, err := p.Info(ctx, "enc.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	if !info.Encrypted || info.Backing != "" || info.VirtualSize != 64<<20 {
		t.Fatalf("copy = %+v, want an encrypted 64 MiB layer without backing", info)
	}
	if fi, _ := os.Stat(p.Path("enc.qcow2")); fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("copy mode %v, want read-only", fi.Mode())
	}
	raw, err := os.ReadFile(p.Path("enc.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, bytes.Repeat([]byte{0xab}, 512)) || bytes.Contains(raw, bytes.Repeat([]byte{0xcd}, 512)) {
		t.Error("plaintext pattern in the encrypted copy")
	}
	enc := ioArgs(p.Path("enc.qcow2"), key, []bool{true})
	qemuIO(t, "read -P 0xab 0 1M", enc...)
	qemuIO(t, "read -P 0xcd 1M 1M", enc...)
	if err := p.EncryptCopy(ctx, "top.qcow2", "enc.qcow2", []byte(key)); err != nil {
		t.Errorf("retry: %v", err)
	}
	if err := p.EncryptCopy(ctx, "enc.qcow2", "enc2.qcow2", []byte(key)); err == nil {
		t.Error("EncryptCopy of an encrypted chain succeeded")
	}
	if m, _ := filepath.Glob(filepath.Join(p.Dir, ".tmp-*")); len(m) != 0 {
		t.Errorf("temp files left: %v", m)
	}
}
