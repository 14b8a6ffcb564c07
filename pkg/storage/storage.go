// Package storage owns volume files on a hypervisor host: qcow2 layers kept
// in one pool directory, created, inspected, chained, snapshotted, imported
// and exported by driving qemu-img. Backing references between layers are
// always stored as plain file names (relative), so a pool directory can be
// moved or shared as a whole.
package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// Errors callers can match with errors.Is.
var (
	ErrInvalidName = errors.New("invalid volume file name")
	ErrExists      = errors.New("volume file already exists")
	ErrNotFound    = errors.New("volume file not found")
	ErrRejected    = errors.New("image rejected")
)

// tempPrefix marks files of operations in progress; CleanTemp removes them.
const tempPrefix = ".tmp-"

// Pool is a directory holding volume files.
type Pool struct{ Dir string }

// New creates dir if needed (fsmode.Dir: QEMU traverses it, nobody else
// lists it) and returns a pool rooted at its absolute path.
func New(dir string) (*Pool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pool %s: %w", dir, err)
	}
	if err := fsmode.MkdirAll(abs, fsmode.Dir); err != nil {
		return nil, fmt.Errorf("pool %s: %w", abs, err)
	}
	return &Pool{Dir: abs}, nil
}

// Path returns the file path of name inside the pool. It does not validate
// name; the methods do.
func (p *Pool) Path(name string) string { return filepath.Join(p.Dir, name) }

// checkName accepts only a plain file name that is not a temp file.
func checkName(name string) error {
	switch {
	case name == "", name == ".", name == "..",
		strings.ContainsAny(name, "/\x00"), strings.HasPrefix(name, tempPrefix):
		return fmt.Errorf("%q: %w", name, ErrInvalidName)
	}
	return nil
}

// existing validates name and returns its path, or ErrNotFound.
func (p *Pool) existing(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	path := p.Path(name)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("volume %s: %w", name, ErrNotFound)
	} else if err != nil {
		return "", fmt.Errorf("volume %s: %w", name, err)
	}
	return path, nil
}

// fresh validates name and checks that no file of that name exists yet.
func (p *Pool) fresh(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	path := p.Path(name)
	if _, err := os.Lstat(path); err == nil {
		return "", fmt.Errorf("volume %s: %w", name, ErrExists)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("volume %s: %w", name, err)
	}
	return path, nil
}
