// Package auth owns API credentials: access keys and their lookup, the AWS
// CLI credentials file, HMAC-signed gRPC requests (client interceptors
// signing method, time, key, nonce and the request message; a server
// verifier that accepts each signature once) and SigV4 verification for
// the EC2 Query API. Secrets never leave this package in errors or logs.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrUnknownKey is the error a lookup wraps when no key has that access key ID.
var ErrUnknownKey = errors.New("unknown access key")

// Key is one access key pair and the account it acts for.
type Key struct {
	AccessKeyID     string
	SecretAccessKey string
	AccountID       string
	Admin           bool
	// Peer names the region a peer key was made for (actas.go): such a
	// key belongs to no account and acts only for the accounts that
	// region asserts, on the calls cross-region copies make.
	Peer string `json:",omitempty"`
	// Disabled keys authenticate nothing (IAM's Inactive); the KeyStore
	// that holds them answers as if they did not exist.
	Disabled bool `json:",omitempty"`
}

// String hides the secret so a Key can be logged or printed safely.
func (k Key) String() string {
	if k.Peer != "" {
		return fmt.Sprintf("Key{%s peer=%s account=%s disabled=%t}", k.AccessKeyID, k.Peer, k.AccountID, k.Disabled)
	}
	return fmt.Sprintf("Key{%s account=%s admin=%t disabled=%t}", k.AccessKeyID, k.AccountID, k.Admin, k.Disabled)
}

// GoString hides the secret from %#v as well.
func (k Key) GoString() string { return k.String() }

// KeyStore finds keys by access key ID; a miss wraps ErrUnknownKey.
type KeyStore interface {
	Lookup(ctx context.Context, accessKeyID string) (Key, error)
}

// StaticKeys is a KeyStore over a fixed map from access key ID to Key.
type StaticKeys map[string]Key

// Lookup implements KeyStore.
func (s StaticKeys) Lookup(_ context.Context, accessKeyID string) (Key, error) {
	k, ok := s[accessKeyID]
	if !ok {
		return Key{}, fmt.Errorf("lookup %q: %w", accessKeyID, ErrUnknownKey)
	}
	return k, nil
}

// NewKey makes a random key: an access key ID of "AKIA" plus 16 uppercase
// base32 characters and a 40-character base64 secret, from crypto/rand.
func NewKey(accountID string, admin bool) Key {
	secret := make([]byte, 30) // 30 bytes -> 40 base64 characters, no padding
	rand.Read(secret)
	return Key{
		AccessKeyID:     "AKIA" + rand.Text()[:16],
		SecretAccessKey: base64.StdEncoding.EncodeToString(secret),
		AccountID:       accountID,
		Admin:           admin,
	}
}

type keyCtx struct{}

// WithKey returns ctx carrying the authenticated key.
func WithKey(ctx context.Context, k Key) context.Context {
	return context.WithValue(ctx, keyCtx{}, k)
}

// FromContext returns the key an interceptor or handler authenticated.
func FromContext(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(keyCtx{}).(Key)
	return k, ok
}
