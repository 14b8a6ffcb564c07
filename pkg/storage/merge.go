package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// Reparent moves name onto newBacking, a deeper layer of its own chain ("" to
// flatten it), keeping the data name shows: the layers in between are merged
// into name (qemu-img safe rebase). It works on a copy that is checked and
// then renamed over name, keeping name's mode (fsmode.ReadOnly for frozen
// layers; never more than fsmode.Want allows), so a reader that already has
// name open (a VM, a copy in progress) keeps the old file and its old
// chain. The caller makes sure no one writes name meanwhile. Encrypted
// chains are refused.
func (p *Pool) Reparent(ctx context.Context, name, newBacking string) error {
	path, err := p.existing(name)
	if err != nil {
		return fmt.Errorf("reparent: %w", err)
	}
	info, err := p.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("reparent: %w", err)
	}
	if anyEncrypted(info) {
		return fmt.Errorf("reparent %s: encrypted chains are not supported", name)
	}
	bfmt := ""
	if newBacking != "" {
		i := slices.Index(info.Chain, newBacking)
		if i < 1 {
			return fmt.Errorf("reparent %s onto %s: not a layer below it", name, newBacking)
		}
		bfmt = info.Layers[i].Format
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reparent %s: %w", name, err)
	}
	tmp, release := tempFile(p.Dir, path)
	defer release()
	if err := p.rebaseCopy(ctx, path, tmp, info.Format, newBacking, bfmt); err != nil {
		return fmt.Errorf("reparent %s onto %q: %w", name, newBacking, err)
	}
	mode, _ := fsmode.Want(st.Mode())
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("reparent %s: %w", name, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("reparent %s: %w", name, err)
	}
	return nil
}

// rebaseCopy copies path to tmp, rebases tmp safely onto newBacking (a
// relative name, resolved in the pool directory) and checks the result.
func (p *Pool) rebaseCopy(ctx context.Context, path, tmp, format, newBacking, bfmt string) error {
	if _, err := copyFile(ctx, path, tmp); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if err := os.Chmod(tmp, fsmode.File); err != nil {
		return err
	}
	args := []string{"rebase", "-q", "-f", format, "-b", newBacking}
	if newBacking != "" {
		args = append(args, "-F", bfmt)
	}
	if _, err := run(ctx, p.Dir, append(args, tmp)...); err != nil {
		return err
	}
	out, err := run(ctx, p.Dir, "check", "--output=json", "-f", format, tmp)
	return checkError(filepath.Base(path), out, err)
}
