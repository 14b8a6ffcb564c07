package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// MasterKeyFile is the region master key under the data dir: 32 random
// bytes made on first start (0600). It seals every encrypted volume's key;
// losing it makes encrypted volumes unreadable.
const MasterKeyFile = "master.key"

// loadMasterKey reads DATA_DIR/master.key, creating it on first start.
func loadMasterKey(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, MasterKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createMasterKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if len(b) != controller.MasterKeyLen {
		return nil, fmt.Errorf("master key %s: want %d bytes, found %d", path, controller.MasterKeyLen, len(b))
	}
	return b, nil
}

func createMasterKey(path string) ([]byte, error) {
	key := make([]byte, controller.MasterKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		_ = os.Remove(path)
		return nil, fmt.Errorf("master key: %w", err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("master key: %w", err)
	}
	return key, nil
}
