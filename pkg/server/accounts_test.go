package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"google.golang.org/grpc"
	grpcinsecure "google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/accounts"
	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/server"
	"github.com/ec2lab/ec2lab/pkg/store"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// adminRig is ec2d's two listeners wired as Run wires them (state-store
// keys, the Accounts service on the public gRPC server), with one admin
// key in the store.
type adminRig struct {
	admin auth.Key
	lis   *bufconn.Listener
	url   string
}

func newAdminRig(t *testing.T) *adminRig {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &adminRig{admin: auth.NewKey("000000000001", true), lis: bufconn.Listen(1 << 20)}
	if err := server.PutAccessKey(context.Background(), st, r.admin); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keys := accounts.KeyStore(st)
	gs := server.NewGRPCServer(keys, regionsOnly{}, log)
	v1.RegisterAccountsServer(gs, api.NewAccounts(accounts.New(st, log)))
	go func() { _ = gs.Serve(r.lis) }()
	t.Cleanup(gs.Stop)
	hs := httptest.NewServer(server.NewHTTPHandler(regionsOnly{}, keys, log, "lab-1"))
	t.Cleanup(hs.Close)
	r.url = hs.URL
	return r
}

func (r *adminRig) conn(t *testing.T, k auth.Key) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///ec2d", append(auth.SigningDialOptions(k),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return r.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(grpcinsecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// works reports the EC2 code each edge answers DescribeRegions signed with
// k ("" when it succeeds): gRPC, then the Query API through the AWS SDK.
func (r *adminRig) works(t *testing.T, k auth.Key) (string, string) {
	t.Helper()
	ctx := context.Background()
	_, gerr := v1.NewComputeClient(r.conn(t, k)).DescribeRegions(ctx, &v1.DescribeRegionsRequest{})
	_, qerr := ec2.New(ec2.Options{Region: "lab-1", BaseEndpoint: aws.String(r.url),
		Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, "")}).
		DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	q := ""
	var apiErr smithy.APIError
	if errors.As(qerr, &apiErr) {
		q = apiErr.ErrorCode()
	} else if qerr != nil {
		t.Fatal(qerr)
	}
	return grpcCode(gerr), q
}

// grpcCode is the EC2 code of a gRPC call's error, "" for none.
func grpcCode(err error) string {
	if err == nil {
		return ""
	}
	return ec2err.Code(errgrpc.ToNative(err))
}

func keyOf(k *v1.AccessKey) auth.Key {
	return auth.Key{AccessKeyID: k.GetAccessKeyId(), SecretAccessKey: k.GetSecretAccessKey(), AccountID: k.GetAccountId()}
}

// TestAccountAdministrationWhileRunning: through ec2d's gRPC API, the admin
// key creates an account whose key then works on both edges at once; the
// tenant key is refused every Accounts rpc (UnauthorizedOperation); a
// disabled key and a rotated-out key are refused on both edges
// (AuthFailure) while the rotated-in key works.
func TestAccountAdministrationWhileRunning(t *testing.T) {
	r := newAdminRig(t)
	ctx := context.Background()
	admin := v1.NewAccountsClient(r.conn(t, r.admin))
	created, err := admin.CreateAccount(ctx, &v1.CreateAccountRequest{AccountId: "222222222222"})
	if err != nil || created.GetSecretAccessKey() == "" || created.GetStatus() != "Active" {
		t.Fatalf("CreateAccount: %v %v", created, err)
	}
	tenant := keyOf(created)
	if g, q := r.works(t, tenant); g != "" || q != "" {
		t.Fatalf("the new account's key: gRPC %q, Query API %q; want both to work", g, q)
	}
	tc := v1.NewAccountsClient(r.conn(t, tenant))
	for name, call := range map[string]func() error{
		"CreateAccount": func() error { _, err := tc.CreateAccount(ctx, &v1.CreateAccountRequest{}); return err },
		"CreateAccessKey": func() error {
			_, err := tc.CreateAccessKey(ctx, &v1.CreateAccessKeyRequest{AccountId: "222222222222"})
			return err
		},
		"DisableAccessKey": func() error {
			_, err := tc.DisableAccessKey(ctx, &v1.AccessKeyIdRequest{AccessKeyId: r.admin.AccessKeyID})
			return err
		},
		"RotateAccessKey": func() error {
			_, err := tc.RotateAccessKey(ctx, &v1.AccessKeyIdRequest{AccessKeyId: tenant.AccessKeyID})
			return err
		},
		"ListAccounts": func() error { _, err := tc.ListAccounts(ctx, &v1.ListAccountsRequest{}); return err },
	} {
		if got := grpcCode(call()); got != ec2err.UnauthorizedOperation {
			t.Errorf("%s with a tenant key: %q, want UnauthorizedOperation", name, got)
		}
	}
	extra, err := admin.CreateAccessKey(ctx, &v1.CreateAccessKeyRequest{AccountId: "222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := admin.RotateAccessKey(ctx, &v1.AccessKeyIdRequest{AccessKeyId: tenant.AccessKeyID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DisableAccessKey(ctx, &v1.AccessKeyIdRequest{AccessKeyId: extra.GetAccessKeyId()}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		key  auth.Key
		want string
	}{
		{"rotated-out key", tenant, ec2err.AuthFailure},
		{"disabled key", keyOf(extra), ec2err.AuthFailure},
		{"rotated-in key", keyOf(rotated), ""},
		{"admin key", r.admin, ""},
	} {
		if g, q := r.works(t, tt.key); g != tt.want || q != tt.want {
			t.Errorf("%s: gRPC %q, Query API %q; want %q", tt.name, g, q, tt.want)
		}
	}
	list, err := admin.ListAccounts(ctx, &v1.ListAccountsRequest{})
	if err != nil || len(list.GetAccounts()) != 2 || len(list.GetAccounts()[1].GetAccessKeys()) != 3 {
		t.Fatalf("ListAccounts: %v %v, want the admin's account and 222222222222 with 3 keys", list, err)
	}
	for _, k := range list.GetAccounts()[1].GetAccessKeys() {
		if k.GetSecretAccessKey() != "" {
			t.Errorf("ListAccounts shows the secret of %s", k.GetAccessKeyId())
		}
	}
}
