package storage

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// EncryptCopy writes the data of name's plain chain, flattened, into a new
// LUKS-encrypted qcow2 layer to (no backing file) in the same pool, sealed
// with key and read-only. to appears atomically and only when complete, so
// a retry finding it does nothing.
func (p *Pool) EncryptCopy(ctx context.Context, name, to string, key []byte) error {
	if len(key) == 0 {
		return fmt.Errorf("encrypt %s: a key is needed", name)
	}
	info, err := p.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	if anyEncrypted(info) {
		return fmt.Errorf("encrypt %s: the chain is encrypted already", name)
	}
	path, err := p.fresh(to)
	if errors.Is(err, ErrExists) {
		return nil // done before: a published copy is complete
	}
	if err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	sec, err := newSecret(key)
	if err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	defer sec.Close()
	tmp, release, err := privateTemp(p.Dir, path)
	if err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	defer release()
	args := append([]string{"convert", "-q"}, sec.objectArgs()...)
	args = append(args, "-f", info.Format, "-O", "qcow2",
		"-o", luksOptions(DefaultKeyIterTime),
		p.Path(name), tmp)
	if _, err := run(ctx, p.Dir, args...); err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	if err := os.Chmod(tmp, fsmode.ReadOnly); err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	if err := publish(tmp, path); err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	return nil
}
