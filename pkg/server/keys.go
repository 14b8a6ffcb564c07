package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/store"
)

const prefixAccessKey = "/accesskeys/"

// StatePath is the state store file in an ec2d data directory.
func StatePath(dataDir string) string { return filepath.Join(dataDir, "state.db") }

// AccessKeys lists every access key in the state store.
func AccessKeys(ctx context.Context, st store.Store) ([]auth.Key, error) {
	return store.ListJSON[auth.Key](ctx, st, prefixAccessKey)
}

// PutAccessKey stores a new access key.
func PutAccessKey(ctx context.Context, st store.Store, k auth.Key) error {
	op, err := store.PutJSON(prefixAccessKey+k.AccessKeyID, k, 0)
	if err != nil {
		return err
	}
	if _, err := st.Txn(ctx, op); err != nil {
		return fmt.Errorf("store access key for account %s: %w", k.AccountID, err)
	}
	return nil
}

// storeKeys is the access key store, kept in the state store.
type storeKeys struct{ st store.Store }

func (k storeKeys) Lookup(ctx context.Context, id string) (auth.Key, error) {
	key, _, err := store.GetJSON[auth.Key](ctx, k.st, prefixAccessKey+id)
	if errors.Is(err, store.ErrNotFound) {
		return auth.Key{}, fmt.Errorf("lookup %q: %w", id, auth.ErrUnknownKey)
	}
	return key, err
}

// ensureAdminKey makes the admin key on first start and (re)writes the
// credentials file, mode 0600. It returns the key and whether it is new.
func ensureAdminKey(ctx context.Context, st store.Store, dataDir, account, region string) (auth.Key, string, error) {
	path := filepath.Join(dataDir, "credentials")
	keys, err := AccessKeys(ctx, st)
	if err != nil {
		return auth.Key{}, "", err
	}
	var admin auth.Key
	for _, k := range keys {
		if k.Admin {
			admin = k
			break
		}
	}
	if admin.AccessKeyID == "" {
		admin = auth.NewKey(account, true)
		if err := PutAccessKey(ctx, st, admin); err != nil {
			return auth.Key{}, "", fmt.Errorf("admin key: %w", err)
		}
	}
	if _, _, err := auth.ReadCredentialsFile(path, "ec2lab"); err != nil { // missing file or profile
		if err := auth.WriteCredentialsFile(path, "ec2lab", admin, region); err != nil {
			return auth.Key{}, "", err
		}
	}
	return admin, path, nil
}
