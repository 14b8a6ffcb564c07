package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestNewKey(t *testing.T) {
	akid := regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	secret := regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
	seen := map[string]bool{}
	for range 100 {
		k := NewKey("123456789012", true)
		if !akid.MatchString(k.AccessKeyID) || !secret.MatchString(k.SecretAccessKey) {
			t.Fatalf("bad key shape: %q / %q", k.AccessKeyID, k.SecretAccessKey)
		}
		if seen[k.AccessKeyID] || seen[k.SecretAccessKey] {
			t.Fatal("NewKey repeated a value")
		}
		seen[k.AccessKeyID], seen[k.SecretAccessKey] = true, true
		if k.AccountID != "123456789012" || !k.Admin {
			t.Fatalf("account/admin not kept: %v", k)
		}
	}
}

func TestKeyFormattingHidesSecret(t *testing.T) {
	k := NewKey("111111111111", false)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(s, k.SecretAccessKey) {
			t.Fatalf("formatted key shows the secret: %s", s)
		}
	}
}

func TestStaticKeysAndContext(t *testing.T) {
	k := NewKey("111111111111", false)
	ks := StaticKeys{k.AccessKeyID: k}
	got, err := ks.Lookup(context.Background(), k.AccessKeyID)
	if err != nil || got != k {
		t.Fatalf("lookup = %v, %v", got, err)
	}
	if _, err := ks.Lookup(context.Background(), "AKIANOPE"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("lookup unknown: %v, want ErrUnknownKey", err)
	}
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("empty context has a key")
	}
	if got, ok := FromContext(WithKey(context.Background(), k)); !ok || got != k {
		t.Fatalf("FromContext(WithKey) = %v, %v", got, ok)
	}
}
