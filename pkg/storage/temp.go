package storage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// inflight holds the temp paths of operations running in this process, so
// CleanTemp never removes a file that is still being written.
var inflight sync.Map

// tempFile reserves a temp path in dir for building final; release it with
// the returned func (which removes the file unless it was published).
func tempFile(dir, final string) (string, func()) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	tmp := filepath.Join(dir, tempPrefix+filepath.Base(final)+"-"+hex.EncodeToString(b[:]))
	inflight.Store(tmp, struct{}{})
	return tmp, func() {
		_ = os.Remove(tmp)
		inflight.Delete(tmp)
	}
}

// publish moves tmp to final without replacing an existing file: the hard
// link fails if final exists, so two racing creators cannot both win.
func publish(tmp, final string) error {
	if err := os.Link(tmp, final); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("publish %s: %w", filepath.Base(final), ErrExists)
		}
		return fmt.Errorf("publish %s: %w", filepath.Base(final), err)
	}
	return os.Remove(tmp)
}

// privateTemp is tempFile with the file created empty and private
// (fsmode.File) before any tool writes it: qemu-img truncates an existing
// file and keeps its mode, so tenant data never sits in a file others can
// open, whatever the umask.
func privateTemp(dir, final string) (string, func(), error) {
	tmp, release := tempFile(dir, final)
	if err := fsmode.Reserve(tmp, fsmode.File); err != nil {
		release()
		return "", nil, err
	}
	return tmp, release, nil
}
