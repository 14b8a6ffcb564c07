package accounts

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// rig is a Service over a fresh state store holding one admin key and one
// tenant key.
type rig struct {
	svc           *Service
	keys          auth.KeyStore
	admin, tenant auth.Key
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &rig{svc: New(st, slog.New(slog.NewTextHandler(io.Discard, nil))), keys: KeyStore(st),
		admin: auth.NewKey("000000000001", true), tenant: auth.NewKey("111111111111", false)}
	for _, k := range []auth.Key{r.admin, r.tenant} {
		if err := PutAccessKey(context.Background(), st, k); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *rig) as(k auth.Key) context.Context { return auth.WithKey(context.Background(), k) }

func code(err error) string {
	if e, ok := ec2err.As(err); ok {
		return e.Code
	}
	if err != nil {
		return "not an EC2 error: " + err.Error()
	}
	return ""
}

// authenticates reports whether the KeyStore accepts k with its secret.
func (r *rig) authenticates(t *testing.T, k auth.Key) bool {
	t.Helper()
	got, err := r.keys.Lookup(context.Background(), k.AccessKeyID)
	if err != nil && !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatal(err)
	}
	return err == nil && got.SecretAccessKey == k.SecretAccessKey
}

// TestOnlyAdminsAdminister: every operation answers a tenant key
// UnauthorizedOperation and changes nothing.
func TestOnlyAdminsAdminister(t *testing.T) {
	r := newRig(t)
	ctx := r.as(r.tenant)
	calls := map[string]func() error{
		"CreateAccount":    func() error { _, err := r.svc.CreateAccount(ctx, "222222222222"); return err },
		"CreateAccessKey":  func() error { _, err := r.svc.CreateAccessKey(ctx, r.tenant.AccountID); return err },
		"DisableAccessKey": func() error { _, err := r.svc.DisableAccessKey(ctx, r.tenant.AccessKeyID); return err },
		"RotateAccessKey":  func() error { _, err := r.svc.RotateAccessKey(ctx, r.tenant.AccessKeyID); return err },
		"ListAccounts":     func() error { _, err := r.svc.ListAccounts(ctx); return err },
		"no key at all": func() error {
			_, err := r.svc.ListAccounts(context.Background())
			return err
		},
	}
	for name, call := range calls {
		if got := code(call()); got != ec2err.UnauthorizedOperation {
			t.Errorf("%s as a tenant: %q, want UnauthorizedOperation", name, got)
		}
	}
	accts, err := r.svc.ListAccounts(r.as(r.admin))
	if err != nil || len(accts) != 2 || len(accts[1].Keys) != 1 || !r.authenticates(t, r.tenant) {
		t.Errorf("after refused calls: %+v %v, want the two accounts unchanged and the tenant key active", accts, err)
	}
}

// TestAccountLifecycle: an admin creates an account whose key
// authenticates, adds a key, rotates one (new works, old does not),
// disables the other; admin keys cannot be disabled here; bad input is
// refused with EC2 codes; ListAccounts shows states and no secrets.
func TestAccountLifecycle(t *testing.T) {
	r := newRig(t)
	ctx := r.as(r.admin)
	first, err := r.svc.CreateAccount(ctx, "222222222222")
	if err != nil || first.AccountID != "222222222222" || first.SecretAccessKey == "" || first.Admin || !r.authenticates(t, first) {
		t.Fatalf("CreateAccount: %v %v", first, err)
	}
	random, err := r.svc.CreateAccount(ctx, "")
	if err != nil || len(random.AccountID) != 12 || !r.authenticates(t, random) {
		t.Fatalf("CreateAccount with a random ID: %v %v", random, err)
	}
	second, err := r.svc.CreateAccessKey(ctx, "222222222222")
	if err != nil || second.AccountID != "222222222222" || !r.authenticates(t, second) {
		t.Fatalf("CreateAccessKey: %v %v", second, err)
	}
	rotated, err := r.svc.RotateAccessKey(ctx, first.AccessKeyID)
	if err != nil || rotated.AccountID != "222222222222" || rotated.AccessKeyID == first.AccessKeyID || !r.authenticates(t, rotated) {
		t.Fatalf("RotateAccessKey: %v %v", rotated, err)
	}
	if r.authenticates(t, first) {
		t.Errorf("the rotated key %s still authenticates", first.AccessKeyID)
	}
	if k, err := r.svc.DisableAccessKey(ctx, second.AccessKeyID); err != nil || k.SecretAccessKey != "" || Status(k) != StatusInactive {
		t.Fatalf("DisableAccessKey: %v %v", k, err)
	}
	if r.authenticates(t, second) {
		t.Errorf("the disabled key %s still authenticates", second.AccessKeyID)
	}
	refused := []struct {
		name string
		call func() error
		code string
	}{
		{"existing account", func() error { _, err := r.svc.CreateAccount(ctx, "222222222222"); return err }, ec2err.InvalidParameterValue},
		{"malformed account", func() error { _, err := r.svc.CreateAccount(ctx, "12345"); return err }, ec2err.InvalidParameterValue},
		{"key for a missing account", func() error { _, err := r.svc.CreateAccessKey(ctx, "333333333333"); return err }, ec2err.InvalidParameterValue},
		{"key without account", func() error { _, err := r.svc.CreateAccessKey(ctx, ""); return err }, ec2err.MissingParameter},
		{"disable an admin key", func() error { _, err := r.svc.DisableAccessKey(ctx, r.admin.AccessKeyID); return err }, ec2err.OperationNotPermitted},
		{"rotate an admin key", func() error { _, err := r.svc.RotateAccessKey(ctx, r.admin.AccessKeyID); return err }, ec2err.OperationNotPermitted},
		{"disable twice", func() error { _, err := r.svc.DisableAccessKey(ctx, second.AccessKeyID); return err }, ec2err.IncorrectState},
		{"rotate a disabled key", func() error { _, err := r.svc.RotateAccessKey(ctx, first.AccessKeyID); return err }, ec2err.IncorrectState},
		{"disable an unknown key", func() error { _, err := r.svc.DisableAccessKey(ctx, "AKIANOSUCHKEY0000000"); return err }, ec2err.InvalidParameterValue},
	}
	for _, tt := range refused {
		if got := code(tt.call()); got != tt.code {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.code)
		}
	}
	if !r.authenticates(t, r.admin) {
		t.Error("the admin key no longer authenticates")
	}
	accts, err := r.svc.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, a := range accts {
		for _, k := range a.Keys {
			if k.SecretAccessKey != "" {
				t.Errorf("ListAccounts shows the secret of %s", k.AccessKeyID)
			}
			states[k.AccessKeyID] = a.ID + " " + Status(k)
		}
	}
	want := map[string]string{first.AccessKeyID: "222222222222 Inactive", second.AccessKeyID: "222222222222 Inactive",
		rotated.AccessKeyID: "222222222222 Active", random.AccessKeyID: random.AccountID + " Active",
		r.admin.AccessKeyID: "000000000001 Active", r.tenant.AccessKeyID: "111111111111 Active"}
	if len(states) != len(want) {
		t.Errorf("ListAccounts keys %v, want %v", states, want)
	}
	for id, w := range want {
		if states[id] != w {
			t.Errorf("key %s: %q, want %q", id, states[id], w)
		}
	}
}
