package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
	"google.golang.org/grpc"
)

// Account administration (ec2lab-only, admin keys only): the Accounts
// service of ec2d, while it runs. `ec2d keys` does the same on a stopped
// ec2d's store.

func init() { commandGroups = append(commandGroups, addAccountAdminCommands) }

func addAccountAdminCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateAccountCmd(a), newCreateAccessKeyCmd(a), newAccessKeyChangeCmd(a, "disable-access-key",
		"Disable a tenant access key: it authenticates nothing more (admin only)", "DisableAccessKey", pb.AccountsClient.DisableAccessKey),
		newAccessKeyChangeCmd(a, "rotate-access-key",
			"Make a new access key for a tenant key's account and disable the old one; the new secret is shown once (admin only)",
			"RotateAccessKey", pb.AccountsClient.RotateAccessKey),
		newListAccountsCmd(a))
}

// callAccounts is call for the Accounts service, on the same connection.
func (a *app) callAccounts(ctx context.Context, op string, fn func(context.Context, pb.AccountsClient) (any, error)) error {
	return a.call(ctx, op, func(ctx context.Context, _ pb.ComputeClient) (any, error) {
		return fn(ctx, pb.NewAccountsClient(a.conn))
	})
}

func docAccessKey(k *pb.AccessKey) any {
	if k == nil {
		return nil
	}
	o := NewObject().Set("AccessKeyId", k.GetAccessKeyId())
	if k.GetSecretAccessKey() != "" {
		o.Set("SecretAccessKey", k.GetSecretAccessKey())
	}
	return o.Set("AccountId", k.GetAccountId()).Set("Status", k.GetStatus()).Set("Admin", k.GetAdmin())
}

func newCreateAccountCmd(a *app) *cobra.Command {
	var account string
	cmd := &cobra.Command{
		Use:   "create-account",
		Short: "Create an account and its first access key; the secret is shown once (admin only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.callAccounts(cmd.Context(), "CreateAccount", func(ctx context.Context, c pb.AccountsClient) (any, error) {
				k, err := c.CreateAccount(ctx, &pb.CreateAccountRequest{AccountId: account})
				return NewObject().Set("AccessKey", docAccessKey(k)), err
			})
		},
	}
	cmd.Flags().StringVar(&account, "account-id", "", "12-digit account ID (default: a new random one)")
	return cmd
}

func newCreateAccessKeyCmd(a *app) *cobra.Command {
	var account string
	cmd := &cobra.Command{
		Use:   "create-access-key",
		Short: "Create another access key for an account; the secret is shown once (admin only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.callAccounts(cmd.Context(), "CreateAccessKey", func(ctx context.Context, c pb.AccountsClient) (any, error) {
				k, err := c.CreateAccessKey(ctx, &pb.CreateAccessKeyRequest{AccountId: account})
				return NewObject().Set("AccessKey", docAccessKey(k)), err
			})
		},
	}
	cmd.Flags().StringVar(&account, "account-id", "", "the account's 12-digit ID")
	_ = cmd.MarkFlagRequired("account-id")
	return cmd
}

func newAccessKeyChangeCmd(a *app, verb, short, op string,
	rpc func(pb.AccountsClient, context.Context, *pb.AccessKeyIdRequest, ...grpc.CallOption) (*pb.AccessKey, error)) *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   verb,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.callAccounts(cmd.Context(), op, func(ctx context.Context, c pb.AccountsClient) (any, error) {
				k, err := rpc(c, ctx, &pb.AccessKeyIdRequest{AccessKeyId: id})
				return NewObject().Set("AccessKey", docAccessKey(k)), err
			})
		},
	}
	cmd.Flags().StringVar(&id, "access-key-id", "", "the access key ID")
	_ = cmd.MarkFlagRequired("access-key-id")
	return cmd
}

func newListAccountsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list-accounts",
		Short: "List accounts and their access keys, without secrets (admin only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.callAccounts(cmd.Context(), "ListAccounts", func(ctx context.Context, c pb.AccountsClient) (any, error) {
				r, err := c.ListAccounts(ctx, &pb.ListAccountsRequest{})
				var accts []any
				for _, acct := range r.GetAccounts() {
					var keys []any
					for _, k := range acct.GetAccessKeys() {
						keys = append(keys, docAccessKey(k))
					}
					accts = append(accts, NewObject().Set("AccountId", acct.GetAccountId()).Set("AccessKeys", keys))
				}
				return NewObject().Set("Accounts", accts), err
			})
		},
	}
}
