// Package fsmode owns the file-mode policy of tenant data (volumes,
// snapshot layers, kernels, seed ISOs with user data, exported images, key
// material, the state store): no file is readable or writable by anyone
// but its owner, and directories are at most traversable by others, never
// listable. QEMU runs as another user (libvirt-qemu on Debian) yet still
// opens what it needs: with libvirt's dynamic_ownership, libvirtd chowns a
// domain's disks, seed and kernel to QEMU's user when it starts the domain,
// so QEMU reads them as their owner, and the directories on the way are
// 0711.
//
// MkdirAll creates directories with their final mode whatever the umask;
// Tighten walks a tree at start, fixes modes that are too open and refuses
// what it cannot fix.
package fsmode

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The modes of tenant data.
const (
	// Dir is a directory QEMU must traverse (data dir, pools, seeds):
	// others may enter it but neither list nor change it.
	Dir os.FileMode = 0o711
	// PrivateDir is a directory only its owner enters.
	PrivateDir os.FileMode = 0o700
	// File is a private file: a volume head, a seed ISO, key material.
	File os.FileMode = 0o600
	// ReadOnly is an immutable private file: a frozen snapshot layer, an
	// image's kernel or initrd.
	ReadOnly os.FileMode = 0o400
)

// Want returns the mode a file or directory of mode m must have: m itself
// when it is private enough, otherwise m with the bits that let others
// read or write it cleared (a directory keeps its search bits). ok reports
// whether m was already right.
func Want(m os.FileMode) (want os.FileMode, ok bool) {
	perm := m.Perm()
	tooOpen := os.FileMode(0o077)
	if m.IsDir() {
		tooOpen = 0o066
	}
	want = perm &^ tooOpen
	return want, want == perm
}

// MkdirAll creates path and any missing parents with exactly mode (the
// umask does not apply: each directory it creates is chmod-ed to mode
// right after mkdir, which never gives more than mode). Existing
// directories are left as they are; Tighten fixes those.
func MkdirAll(path string, mode os.FileMode) error {
	path = filepath.Clean(path)
	fi, err := os.Stat(path)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("mkdir %s: not a directory", path)
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("mkdir %s: %w", path, err)
	}
	if parent := filepath.Dir(path); parent != path {
		if err := MkdirAll(parent, mode); err != nil {
			return err
		}
	}
	if err := os.Mkdir(path, mode); err != nil {
		if errors.Is(err, os.ErrExist) { // a racing creator
			return nil
		}
		return fmt.Errorf("mkdir %s: %w", path, err)
	}
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("mkdir %s: %w", path, err)
	}
	return nil
}

// Create makes a new file at path with exactly mode (O_EXCL, then a chmod
// that the umask cannot undo) and returns it open for writing.
func Create(path string, mode os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return f, nil
}

// Reserve creates an empty file at path with exactly mode, so that a tool
// that writes path afterwards (qemu-img, genisoimage: they truncate an
// existing file and keep its mode) never makes it readable by others.
func Reserve(path string, mode os.FileMode) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	return f.Close()
}

// WriteFile writes data to a new or existing file at path, which has
// exactly mode afterwards and never had more while data was in it.
func WriteFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
