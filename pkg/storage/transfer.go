package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// Export writes name with its whole chain flattened into a standalone,
// unencrypted qcow2 at dst (atomically: temp file next to dst, then rename).
// key opens an encrypted chain.
func (p *Pool) Export(ctx context.Context, name, dst string, key []byte) error {
	info, err := p.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	dst, err = filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	img, err := p.openInfo(info, key)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	defer img.Close()
	tmp, release, err := privateTemp(filepath.Dir(dst), dst)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	defer release()
	args := append(img.cmd("convert", "-q", "-O", "qcow2"), tmp)
	if _, err := run(ctx, p.Dir, args...); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return nil
}

// CopyFrom copies one layer file of src as-is (its relative backing name
// included) into this pool, atomically, and verifies that the SHA-256 of
// what was read equals that of what was written.
func (p *Pool) CopyFrom(ctx context.Context, src *Pool, name string) error {
	from, err := src.existing(name)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	to, err := p.fresh(name)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	tmp, release := tempFile(p.Dir, to)
	defer release()
	srcSum, err := copyFile(ctx, from, tmp)
	if err != nil {
		return fmt.Errorf("copy %s: %w", name, err)
	}
	dstSum, err := FileSHA256(tmp)
	if err != nil {
		return fmt.Errorf("copy %s: %w", name, err)
	}
	if srcSum != dstSum {
		return fmt.Errorf("copy %s: sha256 mismatch: source %s, copy %s", name, srcSum, dstSum)
	}
	if err := publish(tmp, to); err != nil {
		return fmt.Errorf("copy %s: %w", name, err)
	}
	return nil
}

// copyFile copies from → to with from's owner permissions (never the
// group's or others': fsmode), skipping all-zero
// blocks so sparse files stay sparse, and returns from's SHA-256.
func copyFile(ctx context.Context, from, to string) (string, error) {
	in, err := os.Open(from)
	if err != nil {
		return "", err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", err
	}
	mode, _ := fsmode.Want(fi.Mode())
	out, err := fsmode.Create(to, mode|0o200)
	if err != nil {
		return "", err
	}
	defer out.Close()
	h := sha256.New()
	if err := sparseCopy(ctx, out, io.TeeReader(in, h)); err != nil {
		return "", err
	}
	if err := out.Truncate(fi.Size()); err != nil {
		return "", err
	}
	if err := out.Sync(); err != nil {
		return "", err
	}
	if err := out.Chmod(mode); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), out.Close()
}

func sparseCopy(ctx context.Context, out *os.File, in io.Reader) error {
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(in, buf)
		if n > 0 {
			if werr := writeOrSkip(out, buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func writeOrSkip(out *os.File, b []byte) error {
	for _, c := range b {
		if c != 0 {
			_, err := out.Write(b)
			return err
		}
	}
	_, err := out.Seek(int64(len(b)), io.SeekCurrent)
	return err
}

// FileSHA256 returns the lowercase hex SHA-256 of a file's bytes.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("sha256 %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("sha256 %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Duplicate copies the pool's file name to a new file newName in the same
// pool (an immutable file another record must own on its own, such as an
// image's kernel), atomically, with the source's permissions.
func (p *Pool) Duplicate(ctx context.Context, name, newName string) error {
	from, err := p.existing(name)
	if err != nil {
		return fmt.Errorf("duplicate: %w", err)
	}
	to, err := p.fresh(newName)
	if err != nil {
		return fmt.Errorf("duplicate: %w", err)
	}
	tmp, release := tempFile(p.Dir, to)
	defer release()
	if _, err := copyFile(ctx, from, tmp); err != nil {
		return fmt.Errorf("duplicate %s: %w", name, err)
	}
	if err := publish(tmp, to); err != nil {
		return fmt.Errorf("duplicate %s: %w", name, err)
	}
	return nil
}
