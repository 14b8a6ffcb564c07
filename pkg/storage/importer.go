package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ImportLimits bound what Import accepts.
type ImportLimits struct {
	MaxVirtualSize int64  // 0 = no limit
	SHA256         string // expected hex digest of the source file, "" = don't check
	// Format is what the caller says the file is (qcow2 or raw); the probed
	// format must match. "" = don't check.
	Format string
}

// Import validates a user-supplied disk image and copies it into the pool
// as a standalone qcow2 named name. The format is probed from the content
// (only qcow2 and raw are accepted, the extension is ignored); backing and
// external data files, encryption, corruption, truncation, an oversize
// virtual disk and a digest mismatch are refused with errors wrapping
// ErrRejected.
//
// src should sit where only the caller can write: it is validated and then
// converted, and must not change in between.
func (p *Pool) Import(ctx context.Context, src, name string, lim ImportLimits) (Info, error) {
	to, err := p.fresh(name)
	if err != nil {
		return Info{}, fmt.Errorf("import: %w", err)
	}
	abs, err := filepath.Abs(src) // absolute: a "proto:" prefix can't be read as a protocol
	if err != nil {
		return Info{}, fmt.Errorf("import %s: %w", src, err)
	}
	label := filepath.Base(abs)
	img, err := validateImport(ctx, p.Dir, abs, lim)
	if err != nil {
		return Info{}, fmt.Errorf("image %s: %w", label, err)
	}
	tmp, release, err := privateTemp(p.Dir, to)
	if err != nil {
		return Info{}, fmt.Errorf("image %s: %w", label, err)
	}
	defer release()
	if _, err := run(ctx, p.Dir, "convert", "-q", "-f", img.Format, "-O", "qcow2", abs, tmp); err != nil {
		return Info{}, fmt.Errorf("image %s: convert: %w", label, err)
	}
	if err := publish(tmp, to); err != nil {
		return Info{}, fmt.Errorf("image %s: %w", label, err)
	}
	return p.Info(ctx, name)
}

// validateImport runs every check on the source and returns its probe.
func validateImport(ctx context.Context, dir, abs string, lim ImportLimits) (imgInfo, error) {
	fi, err := os.Stat(abs)
	if err != nil {
		return imgInfo{}, reject("%w", err)
	}
	if !fi.Mode().IsRegular() {
		return imgInfo{}, reject("not a regular file")
	}
	if lim.SHA256 != "" {
		sum, err := FileSHA256(abs)
		if err != nil {
			return imgInfo{}, err
		}
		if !strings.EqualFold(sum, lim.SHA256) {
			return imgInfo{}, reject("sha256 mismatch: file has %s, expected %s", sum, lim.SHA256)
		}
	}
	img, err := probe(ctx, dir, abs)
	if err != nil {
		return imgInfo{}, err
	}
	if err := vetProbe(img, lim); err != nil {
		return imgInfo{}, err
	}
	if img.Format == "qcow2" {
		return img, vetCheck(ctx, dir, abs)
	}
	return img, nil
}

// probe asks qemu-img what the file is. Plain `info` never opens backing
// files, so a hostile backing reference is only read, not followed.
func probe(ctx context.Context, dir, abs string) (imgInfo, error) {
	out, err := run(ctx, dir, "info", "--output=json", "-U", abs)
	if err != nil {
		return imgInfo{}, reject("not a readable disk image (truncated or corrupt?): %w", err)
	}
	var img imgInfo
	if err := json.Unmarshal(out, &img); err != nil {
		return imgInfo{}, fmt.Errorf("probe: parse: %w", err)
	}
	return img, nil
}

func vetProbe(img imgInfo, lim ImportLimits) error {
	switch {
	case img.Format != "qcow2" && img.Format != "raw":
		return reject("format %q not allowed (only qcow2 and raw)", img.Format)
	case lim.Format != "" && img.Format != lim.Format:
		return reject("the file is %s, not %s as named", img.Format, lim.Format)
	case img.Backing != "":
		return reject("backing file %s not allowed", img.Backing)
	case img.FormatSpecific.Data.DataFile != "":
		return reject("external data file %s not allowed", img.FormatSpecific.Data.DataFile)
	case img.Encrypted:
		return reject("encrypted images cannot be imported")
	case img.FormatSpecific.Data.Corrupt:
		return reject("image is marked corrupt")
	case lim.MaxVirtualSize > 0 && img.VirtualSize > lim.MaxVirtualSize:
		return reject("virtual size %d bytes exceeds the limit of %d", img.VirtualSize, lim.MaxVirtualSize)
	}
	return nil
}

// vetCheck refuses a qcow2 whose metadata is damaged; leaked clusters are
// harmless and vanish in the conversion.
func vetCheck(ctx context.Context, dir, abs string) error {
	out, runErr := run(ctx, dir, "check", "--output=json", "-f", "qcow2", abs)
	var r checkResult
	if err := json.Unmarshal(out, &r); err != nil {
		return reject("qemu-img check failed (truncated or corrupt?): %w", runErr)
	}
	if r.Corruptions > 0 || r.CheckErrors > 0 {
		return reject("corrupt qcow2 (%d corruptions, %d check errors)", r.Corruptions, r.CheckErrors)
	}
	return nil
}

// rejection is an import refusal: its message is the reason alone, and it
// matches ErrRejected.
type rejection struct{ err error }

func (r rejection) Error() string        { return r.err.Error() }
func (r rejection) Unwrap() error        { return r.err }
func (r rejection) Is(target error) bool { return target == ErrRejected }

func reject(format string, a ...any) error { return rejection{fmt.Errorf(format, a...)} }
