package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/server"
	"github.com/ec2lab/ec2lab/pkg/store"
)

type keysFlags struct {
	dataDir, account, profile, credentials, region, peer string
}

// newKeysCommand is `ec2d keys`: per-account access keys, edited in the
// state store while ec2d is stopped (bbolt locks the file while it runs).
func newKeysCommand() *cobra.Command {
	var f keysFlags
	cmd := &cobra.Command{Use: "keys", Short: "manage access keys in the state store (ec2d must be stopped)"}
	cmd.PersistentFlags().StringVar(&f.dataDir, "data-dir", "./var", "ec2d's data directory (holds state.db)")
	create := &cobra.Command{
		Use:   "create",
		Short: "create an access key for an account (or a peer region) and write it to a credentials profile",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return createKey(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fl := create.Flags()
	fl.StringVar(&f.account, "account", "", "12-digit account ID the key authenticates as")
	fl.StringVar(&f.profile, "profile", "", "credentials profile name (default account-<ID>)")
	fl.StringVar(&f.credentials, "credentials", "", "credentials file to write or append to (default DATA_DIR/credentials)")
	fl.StringVar(&f.region, "region", "lab-1", "region written to the profile")
	fl.StringVar(&f.peer, "peer", "", "make a peer key for this other region's cross-region copies instead: "+
		"it belongs to no account and acts only for the accounts that region asserts (give its file to that region's peers: credentials_file)")
	create.MarkFlagsOneRequired("account", "peer")
	create.MarkFlagsMutuallyExclusive("account", "peer")
	list := &cobra.Command{
		Use:   "list",
		Short: "list access key IDs and their accounts (secrets are not shown)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listKeys(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	cmd.AddCommand(create, list)
	return cmd
}

// openStore opens DATA_DIR/state.db, saying clearly when ec2d holds it.
func openStore(dataDir string) (*store.Bolt, error) {
	path := server.StatePath(dataDir)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	st, err := store.OpenBolt(path)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("state store %s is locked: ec2d is running on this data dir; stop it, run this command, start it again", path)
	}
	return st, err
}

func createKey(ctx context.Context, f keysFlags, out io.Writer) error {
	if f.peer == "" && !controller.ValidAccountID(f.account) {
		return fmt.Errorf("--account %q: want a 12-digit account ID", f.account)
	}
	owner := "account " + f.account
	if f.profile == "" {
		f.profile = "account-" + f.account
	}
	if f.peer != "" {
		owner = "peer region " + f.peer
		if f.profile == "account-" {
			f.profile = "peer-" + f.peer
		}
	}
	if f.credentials == "" {
		f.credentials = filepath.Join(f.dataDir, "credentials")
	}
	st, err := openStore(f.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	k := auth.NewKey(f.account, false)
	k.Peer = f.peer
	if err := server.PutAccessKey(ctx, st, k); err != nil {
		return err
	}
	if err := auth.WriteCredentialsFile(f.credentials, f.profile, k, f.region); err != nil {
		return err
	}
	fmt.Fprintf(out, "created %s for %s: profile %s in %s\n", k.AccessKeyID, owner, f.profile, f.credentials)
	return nil
}

func listKeys(ctx context.Context, f keysFlags, out io.Writer) error {
	st, err := openStore(f.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := server.AccessKeys(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-24s %-12s %-5s %s\n", "ACCESS KEY ID", "ACCOUNT", "ADMIN", "PEER")
	for _, k := range keys {
		fmt.Fprintf(out, "%-24s %-12s %-5t %s\n", k.AccessKeyID, k.AccountID, k.Admin, k.Peer)
	}
	return nil
}
