package memhv

import (
	"bytes"
	"context"
	"fmt"
)

// DefineSecret stores passphrase as the secret uuid; an existing one is
// replaced.
func (h *HV) DefineSecret(ctx context.Context, uuid string, passphrase []byte) error {
	if err := h.begin(ctx); err != nil {
		return err
	}
	u, err := canonicalUUID(uuid)
	if err != nil {
		return fmt.Errorf("define secret %s: %w", uuid, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secrets[u] = bytes.Clone(passphrase)
	return nil
}

// UndefineSecret removes the secret; an absent one is no error.
func (h *HV) UndefineSecret(ctx context.Context, uuid string) error {
	if err := h.begin(ctx); err != nil {
		return err
	}
	u, err := canonicalUUID(uuid)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.secrets, u)
	return nil
}
