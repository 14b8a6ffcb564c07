package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// newCACommand manages the region's private CA: mutual TLS between ec2d
// and its agents, and the certificate of ec2d's gRPC API (ec2d makes
// DATA_DIR/ca on first start when given none).
func newCACommand() *cobra.Command {
	cmd := &cobra.Command{Use: "ca", Short: "manage the region's CA (mutual TLS with agents, the gRPC API's certificate)"}
	var dir string
	cmd.PersistentFlags().StringVar(&dir, "dir", "./var/ca", "CA directory")
	initCmd := &cobra.Command{Use: "init", Short: "create a dev CA and a certificate for ec2d", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tlsutil.InitCA(dir, "ec2lab region CA"); err != nil {
				return err
			}
			if err := tlsutil.Issue(dir, "ec2d", []string{"127.0.0.1", "localhost"}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "CA and ec2d certificate written to %s\n", dir)
			return nil
		}}
	var hosts []string
	issueCmd := &cobra.Command{Use: "issue NAME", Short: "issue a certificate (e.g. for an agent host)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tlsutil.Issue(dir, args[0], hosts); err != nil {
				return err
			}
			f := tlsutil.InDir(dir, args[0])
			fmt.Fprintf(cmd.OutOrStdout(), "certificate %s, key %s (copy both and %s to the host)\n", f.Cert, f.Key, f.CA)
			return nil
		}}
	issueCmd.Flags().StringSliceVar(&hosts, "host", []string{"127.0.0.1"}, "DNS names / IPs the certificate is valid for")
	cmd.AddCommand(initCmd, issueCmd)
	return cmd
}
