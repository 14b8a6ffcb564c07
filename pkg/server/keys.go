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
	keys, err := store.ListJSON[auth.Key](ctx, st, prefixAccessKey)
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
		op, err := store.PutJSON(prefixAccessKey+admin.AccessKeyID, admin, 0)
		if err != nil {
			return auth.Key{}, "", err
		}
		if _, err := st.Txn(ctx, op); err != nil {
			return auth.Key{}, "", fmt.Errorf("store admin key: %w", err)
		}
	}
	if _, _, err := auth.ReadCredentialsFile(path, "ec2lab"); err != nil { // missing file or profile
		if err := auth.WriteCredentialsFile(path, "ec2lab", admin, region); err != nil {
			return auth.Key{}, "", err
		}
	}
	return admin, path, nil
}
