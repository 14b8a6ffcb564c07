// Package accounts owns the region's accounts and their access keys, kept
// in the state store: the KeyStore both API edges authenticate with, the
// records `ec2d keys` edits while ec2d is stopped, and the admin-only
// administration (create accounts and keys, disable, rotate, list) served
// while it runs. An account exists while it has access keys.
package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/store"
)

const prefixAccessKey = "/accesskeys/"

// AccessKeys lists every access key in the state store, disabled ones
// included.
func AccessKeys(ctx context.Context, st store.Store) ([]auth.Key, error) {
	return store.ListJSON[auth.Key](ctx, st, prefixAccessKey)
}

// PutAccessKey stores a new access key.
func PutAccessKey(ctx context.Context, st store.Store, k auth.Key) error {
	op, err := store.PutJSON(prefixAccessKey+k.AccessKeyID, k, store.MustNotExist)
	if err != nil {
		return err
	}
	if _, err := st.Txn(ctx, op); err != nil {
		return fmt.Errorf("store access key for account %s: %w", k.AccountID, err)
	}
	return nil
}

// KeyStore is the auth.KeyStore over the state store: a disabled key is
// as unknown as one that never existed.
func KeyStore(st store.Store) auth.KeyStore { return storeKeys{st: st} }

type storeKeys struct{ st store.Store }

func (k storeKeys) Lookup(ctx context.Context, id string) (auth.Key, error) {
	key, _, err := store.GetJSON[auth.Key](ctx, k.st, prefixAccessKey+id)
	if errors.Is(err, store.ErrNotFound) || err == nil && key.Disabled {
		return auth.Key{}, fmt.Errorf("lookup %q: %w", id, auth.ErrUnknownKey)
	}
	return key, err
}
