package server

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/ec2lab/ec2lab/pkg/accounts"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// StatePath is the state store file in an ec2d data directory.
func StatePath(dataDir string) string { return filepath.Join(dataDir, "state.db") }

// AccessKeys lists every access key in the state store (pkg/accounts).
func AccessKeys(ctx context.Context, st store.Store) ([]auth.Key, error) {
	return accounts.AccessKeys(ctx, st)
}

// PutAccessKey stores a new access key (pkg/accounts).
func PutAccessKey(ctx context.Context, st store.Store, k auth.Key) error {
	return accounts.PutAccessKey(ctx, st, k)
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
		if k.Admin && !k.Disabled {
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
