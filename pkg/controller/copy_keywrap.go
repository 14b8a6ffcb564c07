package controller

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Encrypted snapshots cross regions with their volume key, which each
// region seals under its own master key. The key travels wrapped to a
// one-time X25519 key of the pulling region: the source makes an
// ephemeral key pair, derives an AES-256-GCM key from the shared secret
// with HKDF-SHA256, and sends ephemeral public key ‖ nonce ‖ ciphertext.
// Whoever reads the (signed, but not necessarily TLS) peer link sees
// neither the key nor anything that unwraps it.

const wrapInfo = "ec2lab snapshot key wrap v1"

// newWrapKey makes the pulling region's one-time key pair.
func newWrapKey() (*ecdh.PrivateKey, error) {
	return ecdh.X25519().GenerateKey(rand.Reader)
}

// wrapKey encrypts key to the X25519 public key pub.
func wrapKey(pub, key []byte) ([]byte, error) {
	peer, err := ecdh.X25519().NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("wrap key: public key: %w", err)
	}
	eph, err := newWrapKey()
	if err != nil {
		return nil, err
	}
	aead, err := wrapAEAD(eph, peer)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append(eph.PublicKey().Bytes(), nonce...)
	return aead.Seal(out, nonce, key, eph.PublicKey().Bytes()), nil
}

// unwrapKey opens what wrapKey made for priv's public key.
func unwrapKey(priv *ecdh.PrivateKey, blob []byte) ([]byte, error) {
	if len(blob) < 32+12+16 {
		return nil, errors.New("unwrap key: blob too short")
	}
	ephPub, err := ecdh.X25519().NewPublicKey(blob[:32])
	if err != nil {
		return nil, fmt.Errorf("unwrap key: %w", err)
	}
	aead, err := wrapAEAD(priv, ephPub)
	if err != nil {
		return nil, err
	}
	nonce, ct := blob[32:32+aead.NonceSize()], blob[32+aead.NonceSize():]
	key, err := aead.Open(nil, nonce, ct, blob[:32])
	if err != nil {
		return nil, fmt.Errorf("unwrap key: %w", err)
	}
	return key, nil
}

func wrapAEAD(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) (cipher.AEAD, error) {
	secret, err := priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("key wrap: %w", err)
	}
	k, err := hkdf.Key(sha256.New, secret, nil, wrapInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("key wrap: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
