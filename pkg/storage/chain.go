package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Rebase moves name onto newBacking, keeping the data name shows (qemu-img
// safe rebase), or flattens it into a standalone file when newBacking is "".
// The stored backing stays a relative file name.
func (p *Pool) Rebase(ctx context.Context, name, newBacking string, key []byte) error {
	info, err := p.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("rebase: %w", err)
	}
	bfmt := ""
	if newBacking != "" {
		b, err := p.Info(ctx, newBacking)
		if err != nil {
			return fmt.Errorf("rebase %s: new backing: %w", name, err)
		}
		if slices.Contains(b.Chain, name) {
			return fmt.Errorf("rebase %s onto %s: would make a loop", name, newBacking)
		}
		if anyEncrypted(b) {
			return fmt.Errorf("rebase %s onto encrypted %s: qemu-img cannot open an encrypted new backing; flatten instead", name, newBacking)
		}
		bfmt = b.Format
	}
	if err := p.rebase(ctx, info, newBacking, bfmt, key); err != nil {
		return fmt.Errorf("rebase %s onto %q: %w", name, newBacking, err)
	}
	return nil
}

func (p *Pool) rebase(ctx context.Context, info Info, newBacking, bfmt string, key []byte) error {
	img, err := p.openInfo(info, key)
	if err != nil {
		return err
	}
	defer img.Close()
	if newBacking == "" {
		_, err := run(ctx, p.Dir, img.cmd("rebase", "-q", "-b", "")...)
		return err
	}
	if !img.opts {
		_, err := run(ctx, p.Dir, img.cmd("rebase", "-q", "-b", newBacking, "-F", bfmt)...)
		return err
	}
	// With --image-opts qemu-img cannot resolve a relative backing name:
	// rebase safely onto the absolute path, then rewrite the header only.
	abs := p.Path(newBacking)
	if _, err := run(ctx, p.Dir, img.cmd("rebase", "-q", "-b", abs, "-F", bfmt)...); err != nil {
		return err
	}
	after, err := p.Info(ctx, info.Name)
	if err != nil {
		return err
	}
	head, err := p.openInfo(after, key)
	if err != nil {
		return err
	}
	defer head.Close()
	_, err = run(ctx, p.Dir, head.cmd("rebase", "-q", "-u", "-b", newBacking, "-F", bfmt)...)
	return err
}

// Commit merges name into its backing file; afterwards the caller may
// delete name. A read-only (frozen) backing is made writable for the merge
// and gets its mode back afterwards.
func (p *Pool) Commit(ctx context.Context, name string, key []byte) error {
	info, err := p.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if info.Backing == "" {
		return fmt.Errorf("commit %s: no backing file to merge into", name)
	}
	restore, err := makeWritable(p.Path(info.Chain[1]))
	if err != nil {
		return fmt.Errorf("commit %s: %w", name, err)
	}
	defer restore()
	img, err := p.openInfo(info, key)
	if err != nil {
		return fmt.Errorf("commit %s: %w", name, err)
	}
	defer img.Close()
	if _, err := run(ctx, p.Dir, img.cmd("commit", "-q", "-d")...); err != nil {
		return fmt.Errorf("commit %s into %s: %w", name, info.Backing, err)
	}
	return nil
}

func makeWritable(path string) (func(), error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	mode := st.Mode().Perm()
	if mode&0o200 != 0 {
		return func() {}, nil
	}
	if err := os.Chmod(path, mode|0o200); err != nil {
		return nil, err
	}
	return func() { _ = os.Chmod(path, mode) }, nil
}

// checkResult is `qemu-img check --output=json`.
type checkResult struct {
	CheckErrors int `json:"check-errors"`
	Corruptions int `json:"corruptions"`
	Leaks       int `json:"leaks"`
}

// Check runs qemu-img check; the error names corruptions and leaks.
// Raw files have no metadata to check.
func (p *Pool) Check(ctx context.Context, name string, key []byte) error {
	info, err := p.Info(ctx, name)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if info.Format != "qcow2" {
		return nil
	}
	img, err := p.openInfo(info, key)
	if err != nil {
		return fmt.Errorf("check %s: %w", name, err)
	}
	defer img.Close()
	out, runErr := run(ctx, p.Dir, img.cmd("check", "--output=json")...)
	return checkError(name, out, runErr)
}

func checkError(name string, out []byte, runErr error) error {
	var r checkResult
	if err := json.Unmarshal(out, &r); err != nil {
		if runErr != nil {
			return fmt.Errorf("check %s: %w", name, runErr)
		}
		return fmt.Errorf("check %s: parse: %w", name, err)
	}
	var probs []string
	if r.Corruptions > 0 {
		probs = append(probs, fmt.Sprintf("%d corruptions", r.Corruptions))
	}
	if r.Leaks > 0 {
		probs = append(probs, fmt.Sprintf("%d leaked clusters", r.Leaks))
	}
	if r.CheckErrors > 0 {
		probs = append(probs, fmt.Sprintf("%d check errors", r.CheckErrors))
	}
	if len(probs) > 0 {
		return fmt.Errorf("check %s: %s", name, strings.Join(probs, ", "))
	}
	if runErr != nil {
		return fmt.Errorf("check %s: %w", name, runErr)
	}
	return nil
}
