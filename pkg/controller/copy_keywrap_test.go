package controller

import (
	"bytes"
	"testing"
)

func TestKeyWrap(t *testing.T) {
	priv, err := newWrapKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newWrapKey()
	key := bytes.Repeat([]byte{7}, MasterKeyLen)
	blob, err := wrapKey(priv.PublicKey().Bytes(), key)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, key) {
		t.Fatal("wrapped blob holds the key")
	}
	if got, err := unwrapKey(priv, blob); err != nil || !bytes.Equal(got, key) {
		t.Fatalf("unwrap: %x %v, want the key", got, err)
	}
	if _, err := unwrapKey(other, blob); err == nil {
		t.Error("another private key unwrapped the blob")
	}
	for name, bad := range map[string][]byte{
		"flipped": append(append([]byte{}, blob[:len(blob)-1]...), blob[len(blob)-1]^1),
		"short":   blob[:40],
		"empty":   nil,
	} {
		if _, err := unwrapKey(priv, bad); err == nil {
			t.Errorf("%s blob unwrapped", name)
		}
	}
	if _, err := wrapKey([]byte("not a key"), key); err == nil {
		t.Error("wrapped to a malformed public key")
	}
	again, _ := wrapKey(priv.PublicKey().Bytes(), key)
	if bytes.Equal(again, blob) {
		t.Error("two wraps of one key are identical (no fresh ephemeral key)")
	}
}
