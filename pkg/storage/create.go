package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// CreateOptions shape a new volume file.
type CreateOptions struct {
	// Backing is the file name of the backing layer in the same pool,
	// stored relative in the qcow2 header; "" for none.
	Backing string
	// Key is the LUKS passphrase of an encrypted qcow2; nil for plain.
	Key []byte
	// BackingKey is the backing file's passphrase. qemu-img create reads
	// only the backing's header, so it is not needed today; it is accepted
	// so callers need not change when that changes.
	BackingKey []byte
	// KeyIterTime is the LUKS key-slot PBKDF time, paid again on every
	// open of the volume; 0 means DefaultKeyIterTime.
	KeyIterTime time.Duration
}

// DefaultKeyIterTime is short because volume keys are random secrets from
// the control plane, not human passphrases: key stretching adds nothing,
// while qemu's 2 s default would slow every open of every encrypted layer.
const DefaultKeyIterTime = 100 * time.Millisecond

// Create makes a sparse qcow2 volume. With a backing and sizeBytes 0 the
// size is the backing's. The file appears atomically; an existing name is
// an error.
func (p *Pool) Create(ctx context.Context, name string, sizeBytes int64, opt CreateOptions) error {
	path, err := p.fresh(name)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	args := []string{"create", "-q", "-f", "qcow2"}
	if opt.Backing != "" {
		b, err := p.Info(ctx, opt.Backing)
		if err != nil {
			return fmt.Errorf("create %s: backing: %w", name, err)
		}
		if sizeBytes == 0 {
			sizeBytes = b.VirtualSize
		}
		if sizeBytes < b.VirtualSize {
			return fmt.Errorf("create %s: size %d smaller than backing %s (%d)", name, sizeBytes, opt.Backing, b.VirtualSize)
		}
		args = append(args, "-b", opt.Backing, "-F", b.Format)
	}
	if sizeBytes <= 0 {
		return fmt.Errorf("create %s: size must be positive, got %d", name, sizeBytes)
	}
	if len(opt.Key) > 0 {
		sec, err := newSecret(opt.Key)
		if err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		defer sec.Close()
		args = append(args, sec.objectArgs()...)
		iter := opt.KeyIterTime
		if iter <= 0 {
			iter = DefaultKeyIterTime
		}
		args = append(args, "-o", luksOptions(iter))
	}
	tmp, release, err := privateTemp(p.Dir, path)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	defer release()
	args = append(args, tmp, strconv.FormatInt(sizeBytes, 10))
	if _, err := run(ctx, p.Dir, args...); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if err := publish(tmp, path); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

// Resize grows a volume offline; shrinking is refused.
func (p *Pool) Resize(ctx context.Context, name string, sizeBytes int64, key []byte) error {
	info, err := p.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("resize: %w", err)
	}
	if sizeBytes < info.VirtualSize {
		return fmt.Errorf("resize %s: shrinking from %d to %d bytes is not supported", name, info.VirtualSize, sizeBytes)
	}
	if sizeBytes == info.VirtualSize {
		return nil
	}
	img, err := p.openInfo(info, key)
	if err != nil {
		return fmt.Errorf("resize %s: %w", name, err)
	}
	defer img.Close()
	args := append(img.cmd("resize", "-q"), strconv.FormatInt(sizeBytes, 10))
	if _, err := run(ctx, p.Dir, args...); err != nil {
		return fmt.Errorf("resize %s: %w", name, err)
	}
	return nil
}

// Delete removes a volume file; a missing file is not an error.
func (p *Pool) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := os.Remove(p.Path(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

// Freeze takes an offline snapshot: newHead becomes an overlay on head
// (encrypted with key when head's chain is encrypted) and head becomes an
// immutable, read-only layer.
func (p *Pool) Freeze(ctx context.Context, head, newHead string, key []byte) error {
	info, err := p.Info(ctx, head)
	if err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	if anyEncrypted(info) && len(key) == 0 {
		return fmt.Errorf("freeze %s: volume is encrypted, a key is needed so the new head is encrypted too", head)
	}
	opt := CreateOptions{Backing: head, Key: key, BackingKey: key}
	if err := p.Create(ctx, newHead, 0, opt); err != nil {
		return fmt.Errorf("freeze %s: %w", head, err)
	}
	if err := os.Chmod(p.Path(head), fsmode.ReadOnly); err != nil {
		_ = os.Remove(p.Path(newHead))
		return fmt.Errorf("freeze %s: make read-only: %w", head, err)
	}
	return nil
}

// luksOptions are qemu-img's -o options for a new LUKS-encrypted qcow2
// keyed by secret sec0 (secret.objectArgs).
func luksOptions(iter time.Duration) string {
	return fmt.Sprintf("encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=%d", iter.Milliseconds())
}
