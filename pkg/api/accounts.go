package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/accounts"
	"github.com/ec2lab/ec2lab/pkg/auth"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Accounts is the gRPC edge of account administration: it translates
// shapes; pkg/accounts decides (admin keys only).
type Accounts struct {
	v1.UnimplementedAccountsServer
	svc *accounts.Service
}

// NewAccounts serves svc.
func NewAccounts(svc *accounts.Service) *Accounts { return &Accounts{svc: svc} }

func accessKeyOut(k auth.Key) *v1.AccessKey {
	return &v1.AccessKey{AccessKeyId: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey, AccountId: k.AccountID,
		Status: accounts.Status(k), Admin: k.Admin}
}

// CreateAccount makes an account and its first key.
func (a *Accounts) CreateAccount(ctx context.Context, r *v1.CreateAccountRequest) (*v1.AccessKey, error) {
	k, err := a.svc.CreateAccount(ctx, r.GetAccountId())
	if err != nil {
		return nil, err
	}
	return accessKeyOut(k), nil
}

// CreateAccessKey makes another key for an account.
func (a *Accounts) CreateAccessKey(ctx context.Context, r *v1.CreateAccessKeyRequest) (*v1.AccessKey, error) {
	k, err := a.svc.CreateAccessKey(ctx, r.GetAccountId())
	if err != nil {
		return nil, err
	}
	return accessKeyOut(k), nil
}

// DisableAccessKey makes a key Inactive.
func (a *Accounts) DisableAccessKey(ctx context.Context, r *v1.AccessKeyIdRequest) (*v1.AccessKey, error) {
	k, err := a.svc.DisableAccessKey(ctx, r.GetAccessKeyId())
	if err != nil {
		return nil, err
	}
	return accessKeyOut(k), nil
}

// RotateAccessKey replaces a key with a new one.
func (a *Accounts) RotateAccessKey(ctx context.Context, r *v1.AccessKeyIdRequest) (*v1.AccessKey, error) {
	k, err := a.svc.RotateAccessKey(ctx, r.GetAccessKeyId())
	if err != nil {
		return nil, err
	}
	return accessKeyOut(k), nil
}

// ListAccounts lists accounts and their keys, without secrets.
func (a *Accounts) ListAccounts(ctx context.Context, _ *v1.ListAccountsRequest) (*v1.ListAccountsResponse, error) {
	list, err := a.svc.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := &v1.ListAccountsResponse{}
	for _, acct := range list {
		pa := &v1.Account{AccountId: acct.ID}
		for _, k := range acct.Keys {
			pa.AccessKeys = append(pa.AccessKeys, accessKeyOut(k))
		}
		out.Accounts = append(out.Accounts, pa)
	}
	return out, nil
}
