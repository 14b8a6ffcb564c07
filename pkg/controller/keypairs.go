package controller

import (
	"context"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

func keyPairKey(acct, name string) string { return prefixKeyPair + acct + "/" + name }

// keyPairHooks registers the key pairs' tags (kept under their account, by
// name).
func (s *Service) keyPairHooks(h *hooks) {
	t := tagTarget{idPrefix: ids.KeyPair, kind: "key-pair"}
	t.get = func(ctx context.Context, acct, id string) ([]Tag, error) {
		k, err := s.keyPairByID(ctx, acct, id)
		return k.Tags, err
	}
	t.edit = func(ctx context.Context, acct, id string, edit func([]Tag) ([]Tag, error)) error {
		k, err := s.keyPairByID(ctx, acct, id)
		if err != nil {
			return err
		}
		_, err = update(ctx, s.st, keyPairKey(acct, k.Name), func(r *KeyPair) (e error) { r.Tags, e = edit(r.Tags); return })
		return err
	}
	t.describe = func(ctx context.Context, acct string) (out []TagDescription) {
		keys, _ := store.ListJSON[KeyPair](ctx, s.st, prefixKeyPair+acct+"/")
		for _, r := range keys {
			out = t.describeTags(out, r.ID, r.Tags)
		}
		return out
	}
	h.tags(t)
}

func (s *Service) keyPairByID(ctx context.Context, acct, id string) (KeyPair, error) {
	return findByID(ctx, s.st, prefixKeyPair+acct+"/", id, func(k KeyPair) string { return k.ID })
}

// CreateKeyPair makes a key pair; the private key is returned once and
// never stored.
func (s *Service) CreateKeyPair(ctx context.Context, name, keyType string, tags []Tag, dryRun bool) (KeyPair, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return KeyPair{}, "", err
	}
	if err := s.checkNewKeyName(ctx, acct, name); err != nil {
		return KeyPair{}, "", err
	}
	if keyType == "" {
		keyType = "rsa"
	}
	if keyType != "rsa" && keyType != "ed25519" {
		return KeyPair{}, "", ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for KeyType.", keyType)
	}
	if dryRun {
		return KeyPair{}, "", DryRun()
	}
	priv, pub, fp, err := generateKey(keyType)
	if err != nil {
		return KeyPair{}, "", fmt.Errorf("create key pair %s: %w", name, err)
	}
	kp := KeyPair{ID: ids.New(ids.KeyPair), Owner: acct, Name: name, Type: keyType, Fingerprint: fp,
		PublicKey: pub, CreateTime: s.now().UTC(), Tags: tags}
	if err := s.saveKeyPair(ctx, kp); err != nil {
		return KeyPair{}, "", err
	}
	return kp, priv, nil
}

// ImportKeyPair registers a user's public key (OpenSSH authorized_keys format).
func (s *Service) ImportKeyPair(ctx context.Context, name string, material []byte, tags []Tag, dryRun bool) (KeyPair, error) {
	acct, err := account(ctx)
	if err != nil {
		return KeyPair{}, err
	}
	if err := s.checkNewKeyName(ctx, acct, name); err != nil {
		return KeyPair{}, err
	}
	pk, typ, err := parseImportedKey(material)
	if err != nil {
		return KeyPair{}, err
	}
	fp := rfc4716Fingerprint(pk)
	if typ == "ed25519" {
		fp = sha256Fingerprint(pk)
	}
	if dryRun {
		return KeyPair{}, DryRun()
	}
	kp := KeyPair{ID: ids.New(ids.KeyPair), Owner: acct, Name: name, Type: typ, Fingerprint: fp,
		PublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))), CreateTime: s.now().UTC(), Tags: tags}
	return kp, s.saveKeyPair(ctx, kp)
}

// MaxPublicKeyMaterial bounds ImportKeyPair's key material in bytes. The
// largest key EC2 imports, RSA 4096 in OpenSSH format, is about 725 bytes
// before its comment; 4 KiB leaves room for a long comment and refuses
// anything larger before it is parsed.
const MaxPublicKeyMaterial = 4 << 10

// RSA modulus sizes EC2 imports (its documented lengths are 1024, 2048
// and 4096 bits).
const (
	minRSABits = 1024
	maxRSABits = 4096
)

// parseImportedKey checks material as EC2 does: one OpenSSH public key,
// RSA of 1024 to 4096 bits or ED25519, at most MaxPublicKeyMaterial bytes;
// anything else is InvalidKey.Format.
func parseImportedKey(material []byte) (ssh.PublicKey, string, error) {
	if len(material) > MaxPublicKeyMaterial {
		return nil, "", ec2err.New(ec2err.InvalidKeyFormat,
			"Key is not in valid OpenSSH public key format: the key material is %d bytes, more than %d", len(material), MaxPublicKeyMaterial)
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey(material)
	if err != nil {
		return nil, "", ec2err.New(ec2err.InvalidKeyFormat, "Key is not in valid OpenSSH public key format")
	}
	switch pk.Type() {
	case ssh.KeyAlgoED25519:
		return pk, "ed25519", nil
	case ssh.KeyAlgoRSA:
		rk, ok := pk.(ssh.CryptoPublicKey).CryptoPublicKey().(*rsa.PublicKey)
		if !ok {
			return nil, "", ec2err.New(ec2err.InvalidKeyFormat, "Key is not in valid OpenSSH public key format")
		}
		if bits := rk.N.BitLen(); bits < minRSABits || bits > maxRSABits {
			return nil, "", ec2err.New(ec2err.InvalidKeyFormat,
				"Key is not in valid OpenSSH public key format: RSA keys of %d to %d bits are supported, not %d", minRSABits, maxRSABits, bits)
		}
		return pk, "rsa", nil
	}
	return nil, "", ec2err.New(ec2err.InvalidKeyFormat, "Key type %s is not supported (rsa or ed25519)", pk.Type())
}

func (s *Service) checkNewKeyName(ctx context.Context, acct, name string) error {
	if name == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter KeyName")
	}
	// EC2: up to 255 ASCII characters; no control characters here, and no
	// "/" (it separates the account in the record's key).
	if len(name) > 255 || strings.ContainsRune(name, '/') || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for KeyName.", name)
	}
	if _, err := s.st.Get(ctx, keyPairKey(acct, name)); err == nil {
		return ec2err.New(ec2err.InvalidKeyPairDuplicate, "The keypair '%s' already exists.", name)
	}
	return nil
}

func (s *Service) saveKeyPair(ctx context.Context, kp KeyPair) error {
	release, err := s.admit(ctx, kp.Owner, QuotaKeyPairs, "", 1, s.countKeyPairs(kp.Owner))
	if err != nil {
		return err
	}
	defer release()
	op, err := store.PutJSON(keyPairKey(kp.Owner, kp.Name), kp, 0)
	if err != nil {
		return err
	}
	if _, err := s.st.Txn(ctx, op); err != nil {
		return ec2err.New(ec2err.InvalidKeyPairDuplicate, "The keypair '%s' already exists.", kp.Name)
	}
	return nil
}

// DescribeKeyPairs lists the caller's key pairs.
func (s *Service) DescribeKeyPairs(ctx context.Context, names, keyIDs []string, filters []Filter) ([]KeyPair, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	all, err := store.ListJSON[KeyPair](ctx, s.st, prefixKeyPair+acct+"/")
	if err != nil {
		return nil, err
	}
	want := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var out []KeyPair
	for _, k := range all {
		if !want(names, k.Name) || !want(keyIDs, k.ID) {
			continue
		}
		ok, err := matches(filters, func(n string) ([]string, bool) { return keyPairField(k, n) })
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, k)
		}
	}
	for _, n := range names {
		if !containsFunc(out, func(k KeyPair) bool { return k.Name == n }) {
			return nil, ec2err.New(ec2err.InvalidKeyPairNotFound, "The key pair '%s' does not exist", n)
		}
	}
	for _, id := range keyIDs {
		if !containsFunc(out, func(k KeyPair) bool { return k.ID == id }) {
			return nil, ec2err.New(ec2err.InvalidKeyPairNotFound, "The key pair '%s' does not exist", id)
		}
	}
	return out, nil
}

func containsFunc[T any](list []T, f func(T) bool) bool {
	for _, x := range list {
		if f(x) {
			return true
		}
	}
	return false
}

func keyPairField(k KeyPair, name string) ([]string, bool) {
	switch name {
	case "key-name":
		return []string{k.Name}, true
	case "key-pair-id":
		return []string{k.ID}, true
	case "fingerprint":
		return []string{k.Fingerprint}, true
	case "key-type":
		return []string{k.Type}, true
	}
	return tagField(k.Tags, name)
}

// DeleteKeyPair deletes by name or ID; deleting a missing key succeeds, as EC2.
func (s *Service) DeleteKeyPair(ctx context.Context, name, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if name == "" && id == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter KeyName or KeyPairId")
	}
	if dryRun {
		return DryRun()
	}
	all, err := store.ListJSON[KeyPair](ctx, s.st, prefixKeyPair+acct+"/")
	if err != nil {
		return err
	}
	for _, k := range all {
		if (name != "" && k.Name == name) || (id != "" && k.ID == id) {
			_, err := s.st.Txn(ctx, store.Op{Key: keyPairKey(acct, k.Name), Delete: true, ExpectRevision: -1})
			return err
		}
	}
	return nil
}

// generateKey makes a private key (PEM), its authorized_keys line and its
// EC2 fingerprint (RSA: SHA-1 of the PKCS#8 DER; ed25519: base64 SHA-256).
func generateKey(keyType string) (priv, pub, fp string, err error) {
	if keyType == "ed25519" {
		pk, sk, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return "", "", "", err
		}
		block, err := ssh.MarshalPrivateKey(sk, "")
		if err != nil {
			return "", "", "", err
		}
		sp, _ := ssh.NewPublicKey(pk)
		return string(pem.EncodeToMemory(block)), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))), sha256Fingerprint(sp), nil
	}
	sk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", "", err
	}
	der, _ := x509.MarshalPKCS8PrivateKey(sk)
	sum := sha1.Sum(der)
	sp, _ := ssh.NewPublicKey(&sk.PublicKey)
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sk)})
	return string(privPEM), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))), colonHex(sum[:]), nil
}

func rfc4716Fingerprint(pk ssh.PublicKey) string {
	sum := md5.Sum(pk.Marshal())
	return colonHex(sum[:])
}

func sha256Fingerprint(pk ssh.PublicKey) string {
	sum := sha256.Sum256(pk.Marshal())
	return base64.StdEncoding.EncodeToString(sum[:])
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}
