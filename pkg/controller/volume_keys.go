package controller

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
)

// Encrypted volumes: each volume (and every snapshot and volume derived
// from it) has a random 32-byte LUKS key. The key is stored only sealed
// (AES-256-GCM under the region master key) in Volume.KeyCipher and
// Snapshot.KeyCipher, and is unsealed only to go to the agent that opens
// the volume.

// MasterKeyLen is the size of the region master key and of volume keys.
const MasterKeyLen = 32

// keyAAD binds sealed blobs to their purpose.
var keyAAD = []byte("ec2lab volume key v1")

// ErrUnseal means a sealed key could not be opened with the master key.
var ErrUnseal = errors.New("volume key does not unseal with the region master key")

// SealKey encrypts key under master: nonce ‖ ciphertext ‖ tag.
func SealKey(master, key []byte) ([]byte, error) {
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	return aead.Seal(nonce, nonce, key, keyAAD), nil
}

// UnsealKey opens a blob made by SealKey; a wrong master key or a
// tampered blob fails with ErrUnseal.
func UnsealKey(master, sealed []byte) ([]byte, error) {
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, ErrUnseal
	}
	key, err := aead.Open(nil, sealed[:n], sealed[n:], keyAAD)
	if err != nil {
		return nil, ErrUnseal
	}
	return key, nil
}

func newAEAD(master []byte) (cipher.AEAD, error) {
	if len(master) != MasterKeyLen {
		return nil, fmt.Errorf("master key: want %d bytes, got %d", MasterKeyLen, len(master))
	}
	b, err := aes.NewCipher(master)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return cipher.NewGCM(b)
}

// SetMasterKey installs the region master key (see pkg/server); without
// one, encrypted volumes are refused.
func (s *Service) SetMasterKey(master []byte) error {
	if _, err := newAEAD(master); err != nil {
		return err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	s.masterKey = append([]byte(nil), master...)
	return nil
}

func (s *Service) master() ([]byte, error) {
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	if s.masterKey == nil {
		return nil, ec2err.New(ec2err.UnsupportedOperation, "Encrypted volumes are not supported by this region: no master key is configured")
	}
	return s.masterKey, nil
}

// newSealedKey makes a fresh random volume key and returns it sealed.
func (s *Service) newSealedKey() ([]byte, error) {
	m, err := s.master()
	if err != nil {
		return nil, err
	}
	key := make([]byte, MasterKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("volume key: %w", err)
	}
	return SealKey(m, key)
}

// volumeKey unseals v's key and returns the LUKS passphrase the agent
// uses: the key in lowercase hex (qemu wants a UTF-8 passphrase); nil for
// a plain volume.
func (s *Service) volumeKey(v Volume) ([]byte, error) {
	if !v.Encrypted {
		return nil, nil
	}
	if len(v.KeyCipher) == 0 {
		return nil, fmt.Errorf("volume %s: encrypted but has no key", v.ID)
	}
	pass, err := s.passphrase(v.KeyCipher)
	if err != nil {
		return nil, fmt.Errorf("volume %s: %w", v.ID, err)
	}
	return pass, nil
}

// passphrase unseals a volume key and returns the LUKS passphrase qemu
// gets for it (volumeKey).
func (s *Service) passphrase(sealed []byte) ([]byte, error) {
	key, err := s.unsealedKey(sealed)
	if err != nil {
		return nil, err
	}
	return []byte(hex.EncodeToString(key)), nil
}

// unsealedKey opens a sealed volume key with the master key.
func (s *Service) unsealedKey(sealed []byte) ([]byte, error) {
	m, err := s.master()
	if err != nil {
		return nil, err
	}
	return UnsealKey(m, sealed)
}

// sealKey seals a volume key (from another region) with the master key.
func (s *Service) sealKey(key []byte) ([]byte, error) {
	m, err := s.master()
	if err != nil {
		return nil, err
	}
	return SealKey(m, key)
}

// secretUUID names the libvirt secret of an encrypted volume: a UUID
// derived from the volume ID (stable, so a retry redefines the same one).
func secretUUID(v Volume) string {
	if !v.Encrypted {
		return ""
	}
	h := sha256.Sum256([]byte("ec2lab-secret:" + v.ID))
	h[6] = h[6]&0x0f | 0x50 // version 5-style
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// agentDisk is the agent's view of an attached volume, with its key when
// encrypted.
func (s *Service) agentDisk(v Volume, target string) (host.Disk, error) {
	key, err := s.volumeKey(v)
	if err != nil {
		return host.Disk{}, err
	}
	return host.Disk{VolumeID: v.ID, Path: v.Head, Target: target, IOTune: iotune(v),
		SecretUUID: secretUUID(v), EncryptionKey: key}, nil
}
