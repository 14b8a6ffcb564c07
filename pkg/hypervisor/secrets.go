package hypervisor

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	golibvirt "github.com/digitalocean/go-libvirt"
	"libvirt.org/go/libvirtxml"
)

// DefineSecret stores passphrase in a private libvirt secret named by
// uuid, as referenced by Disk.SecretUUID; an existing one is replaced.
func (h *Libvirt) DefineSecret(ctx context.Context, uuid string, passphrase []byte) error {
	x, err := (&libvirtxml.Secret{Ephemeral: "no", Private: "yes", UUID: uuid,
		Description: "ec2lab volume key"}).Marshal()
	if err != nil {
		return fmt.Errorf("marshal secret %s: %w", uuid, err)
	}
	s, err := call(ctx, func() (golibvirt.Secret, error) { return h.conn().SecretDefineXML(x, 0) })
	if err != nil {
		return fmt.Errorf("define secret %s: %w", uuid, err)
	}
	if err := do(ctx, func() error { return h.conn().SecretSetValue(s, passphrase, 0) }); err != nil {
		return fmt.Errorf("set secret %s: %w", uuid, err)
	}
	return nil
}

// UndefineSecret removes the secret; an absent one is no error.
func (h *Libvirt) UndefineSecret(ctx context.Context, uuid string) error {
	u, err := parseUUID(uuid)
	if err != nil {
		return err
	}
	s, err := call(ctx, func() (golibvirt.Secret, error) { return h.conn().SecretLookupByUUID(u) })
	if isCode(err, golibvirt.ErrNoSecret) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up secret %s: %w", uuid, err)
	}
	if err := do(ctx, func() error { return h.conn().SecretUndefine(s) }); err != nil {
		return fmt.Errorf("undefine secret %s: %w", uuid, err)
	}
	return nil
}

func parseUUID(s string) (golibvirt.UUID, error) {
	var u golibvirt.UUID
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != len(u) {
		return u, fmt.Errorf("UUID %q: not 16 hex bytes", s)
	}
	copy(u[:], b)
	return u, nil
}
