package ctl

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/accounts"
	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/server"
	"github.com/ec2lab/ec2lab/pkg/store"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// adminHarness runs ec2ctl against ec2d's public gRPC server with the real
// Accounts service over a state store holding one admin key.
func adminHarness(t *testing.T) (*harness, auth.Key) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	admin := auth.NewKey("000000000001", true)
	if err := accounts.PutAccessKey(context.Background(), st, admin); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	creds, ca := testTLS(t)
	h := &harness{t: t, lis: bufconn.Listen(1 << 20), env: map[string]string{"HOME": t.TempDir(),
		"AWS_ACCESS_KEY_ID": admin.AccessKeyID, "AWS_SECRET_ACCESS_KEY": admin.SecretAccessKey, "AWS_CA_BUNDLE": ca}}
	gs := server.NewGRPCServer(accounts.KeyStore(st), &pb.UnimplementedComputeServer{}, log, creds)
	pb.RegisterAccountsServer(gs, api.NewAccounts(accounts.New(st, log)))
	go func() { _ = gs.Serve(h.lis) }()
	t.Cleanup(gs.Stop)
	return h, admin
}

// TestAccountAdminVerbs: ec2ctl create-account, create-access-key,
// rotate-access-key, disable-access-key and list-accounts administer
// accounts with the admin key; the new account's key is refused them
// (UnauthorizedOperation, exit 254).
func TestAccountAdminVerbs(t *testing.T) {
	h, _ := adminHarness(t)
	runJSON := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := h.run(append(args, "--output", "json")...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
		return doc
	}
	key := func(doc map[string]any) map[string]any { return doc["AccessKey"].(map[string]any) }
	created := key(runJSON("create-account", "--account-id", "222222222222"))
	if created["AccountId"] != "222222222222" || created["SecretAccessKey"] == nil || created["Status"] != "Active" {
		t.Fatalf("create-account: %v", created)
	}
	added := key(runJSON("create-access-key", "--account-id", "222222222222"))
	rotated := key(runJSON("rotate-access-key", "--access-key-id", created["AccessKeyId"].(string)))
	disabled := key(runJSON("disable-access-key", "--access-key-id", added["AccessKeyId"].(string)))
	if rotated["SecretAccessKey"] == nil || rotated["AccessKeyId"] == created["AccessKeyId"] || disabled["Status"] != "Inactive" {
		t.Fatalf("rotate-access-key %v, disable-access-key %v", rotated, disabled)
	}
	list := runJSON("list-accounts")
	got := map[string]string{}
	for _, a := range list["Accounts"].([]any) {
		for _, k := range a.(map[string]any)["AccessKeys"].([]any) {
			km := k.(map[string]any)
			if km["SecretAccessKey"] != nil {
				t.Errorf("list-accounts shows a secret: %v", km)
			}
			got[km["AccessKeyId"].(string)] = km["Status"].(string)
		}
	}
	want := map[string]string{created["AccessKeyId"].(string): "Inactive", added["AccessKeyId"].(string): "Inactive",
		rotated["AccessKeyId"].(string): "Active"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("list-accounts: %s is %q, want %q (all: %v)", id, got[id], w, got)
		}
	}
	h.env["AWS_ACCESS_KEY_ID"], h.env["AWS_SECRET_ACCESS_KEY"] = rotated["AccessKeyId"].(string), rotated["SecretAccessKey"].(string)
	for _, args := range [][]string{{"list-accounts"}, {"create-account"}, {"disable-access-key", "--access-key-id", rotated["AccessKeyId"].(string)}} {
		_, errOut, code := h.run(args...)
		if code != ExitService || !strings.Contains(errOut, "UnauthorizedOperation") {
			t.Errorf("%v with a tenant key: exit %d %q, want 254 UnauthorizedOperation", args, code, errOut)
		}
	}
}
