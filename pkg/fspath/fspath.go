// Package fspath owns one rule: every file-system path a user hands ec2lab
// (flags, config files, environment) becomes absolute where it is read, so
// that no relative path reaches a child process (dnsmasq, qemu-img, QEMU
// through libvirt XML, nft) that runs in another working directory.
package fspath

import (
	"fmt"
	"path/filepath"
)

// Abs makes each non-empty path absolute in place, against the process's
// working directory, and cleans it.
func Abs(paths ...*string) error {
	for _, p := range paths {
		if p == nil || *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("path %q: %w", *p, err)
		}
		*p = abs
	}
	return nil
}

// AbsAll makes every non-empty path of the slice absolute in place.
func AbsAll(paths []string) error {
	for i := range paths {
		if err := Abs(&paths[i]); err != nil {
			return err
		}
	}
	return nil
}

// RequireAbs fails when a non-empty path is relative: lower layers call it
// to refuse what the edges forgot to resolve.
func RequireAbs(what, path string) error {
	if path != "" && !filepath.IsAbs(path) {
		return fmt.Errorf("%s %q: must be an absolute path", what, path)
	}
	return nil
}
