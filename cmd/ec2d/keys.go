package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/ec2lab/ec2lab/pkg/accounts"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/server"
	"github.com/ec2lab/ec2lab/pkg/store"
)

type keysFlags struct {
	dataDir, account, profile, credentials, region, peer string
	configFile                                           string
	etcdEndpoints                                        []string
}

// newKeysCommand is `ec2d keys`: per-account access keys, edited in the
// state store: with bbolt while ec2d is stopped (it locks the file while it
// runs), with etcd at any time.
func newKeysCommand() *cobra.Command {
	var f keysFlags
	cmd := &cobra.Command{Use: "keys", Short: "manage access keys in the state store (with bbolt, ec2d must be stopped)"}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.dataDir, "data-dir", "./var", "ec2d's data directory (holds state.db)")
	pf.StringVar(&f.configFile, "config", "", "ec2d's region config: its store section says where the state is (default: DATA_DIR/state.db)")
	pf.StringSliceVar(&f.etcdEndpoints, "etcd-endpoints", nil, "the state is in this etcd cluster (as ec2d --etcd-endpoints)")
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

// openStore opens the state store that --config and --etcd-endpoints
// select, by default DATA_DIR/state.db.
func openStore(ctx context.Context, f keysFlags) (store.Store, error) {
	var sc server.StoreConfig
	if f.configFile != "" {
		cfg, err := server.LoadConfig(f.configFile)
		if err != nil {
			return nil, err
		}
		sc = cfg.Store
	}
	etcdEndpoints(&sc, f.etcdEndpoints)
	if sc.Etcd == nil {
		b, err := openBolt(f.dataDir)
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	return server.OpenStore(ctx, sc, f.dataDir, slog.Default())
}

// openBolt opens DATA_DIR/state.db, saying clearly when ec2d holds it.
func openBolt(dataDir string) (*store.Bolt, error) {
	path := server.StatePath(dataDir)
	if err := fsmode.MkdirAll(dataDir, fsmode.Dir); err != nil {
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
	st, err := openStore(ctx, f)
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
	st, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := server.AccessKeys(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-24s %-12s %-8s %-5s %s\n", "ACCESS KEY ID", "ACCOUNT", "STATUS", "ADMIN", "PEER")
	for _, k := range keys {
		fmt.Fprintf(out, "%-24s %-12s %-8s %-5t %s\n", k.AccessKeyID, k.AccountID, accounts.Status(k), k.Admin, k.Peer)
	}
	return nil
}
