package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// get-/enable-/disable-ebs-encryption-by-default and
// get-/modify-/reset-ebs-default-kms-key-id: the calling account's EBS
// encryption defaults in the region.

func init() { commandGroups = append(commandGroups, addEbsDefaultsCommands) }

func addEbsDefaultsCommands(root *cobra.Command, a *app) {
	type encryptionCall func(context.Context, pb.ComputeClient, bool) (*pb.EbsEncryptionByDefault, error)
	encryption := []struct {
		use, short, action string
		call               encryptionCall
	}{
		{"get-ebs-encryption-by-default", "Say whether your new volumes are encrypted by default (GetEbsEncryptionByDefault)",
			"GetEbsEncryptionByDefault", func(ctx context.Context, c pb.ComputeClient, dry bool) (*pb.EbsEncryptionByDefault, error) {
				return c.GetEbsEncryptionByDefault(ctx, &pb.GetEbsEncryptionByDefaultRequest{DryRun: dry})
			}},
		{"enable-ebs-encryption-by-default", "Encrypt your new volumes and snapshot copies by default (EnableEbsEncryptionByDefault)",
			"EnableEbsEncryptionByDefault", func(ctx context.Context, c pb.ComputeClient, dry bool) (*pb.EbsEncryptionByDefault, error) {
				return c.EnableEbsEncryptionByDefault(ctx, &pb.EnableEbsEncryptionByDefaultRequest{DryRun: dry})
			}},
		{"disable-ebs-encryption-by-default", "Stop encrypting your new volumes by default (DisableEbsEncryptionByDefault)",
			"DisableEbsEncryptionByDefault", func(ctx context.Context, c pb.ComputeClient, dry bool) (*pb.EbsEncryptionByDefault, error) {
				return c.DisableEbsEncryptionByDefault(ctx, &pb.DisableEbsEncryptionByDefaultRequest{DryRun: dry})
			}},
	}
	for _, e := range encryption {
		root.AddCommand(newNoParamCmd(a, e.use, e.short, e.action, func(ctx context.Context, c pb.ComputeClient, dry bool) (any, error) {
			r, err := e.call(ctx, c, dry)
			return NewObject().Set("EbsEncryptionByDefault", r.GetEbsEncryptionByDefault()), err
		}))
	}
	root.AddCommand(
		newNoParamCmd(a, "get-ebs-default-kms-key-id", "Name the key your encrypted volumes get (GetEbsDefaultKmsKeyId)",
			"GetEbsDefaultKmsKeyId", func(ctx context.Context, c pb.ComputeClient, dry bool) (any, error) {
				r, err := c.GetEbsDefaultKmsKeyId(ctx, &pb.GetEbsDefaultKmsKeyIdRequest{DryRun: dry})
				return docKmsKeyID(r), err
			}),
		newModifyEbsDefaultKmsKeyIDCmd(a),
		newNoParamCmd(a, "reset-ebs-default-kms-key-id", "Reset the default key (ResetEbsDefaultKmsKeyId; refused: ec2lab has no KMS)",
			"ResetEbsDefaultKmsKeyId", func(ctx context.Context, c pb.ComputeClient, dry bool) (any, error) {
				r, err := c.ResetEbsDefaultKmsKeyId(ctx, &pb.ResetEbsDefaultKmsKeyIdRequest{DryRun: dry})
				return docKmsKeyID(r), err
			}))
}

// newNoParamCmd is a verb with no parameter but --dry-run.
func newNoParamCmd(a *app, use, short, action string, call func(context.Context, pb.ComputeClient, bool) (any, error)) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				return call(ctx, c, dryRun)
			})
		},
	}
	addDryRun(cmd, &dryRun)
	return cmd
}

func newModifyEbsDefaultKmsKeyIDCmd(a *app) *cobra.Command {
	var req pb.ModifyEbsDefaultKmsKeyIdRequest
	cmd := &cobra.Command{
		Use:   "modify-ebs-default-kms-key-id",
		Short: "Choose the default key (ModifyEbsDefaultKmsKeyId; refused: ec2lab has no KMS)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.KmsKeyId == "" {
				return usageErrorf("the following arguments are required: --kms-key-id")
			}
			return a.call(cmd.Context(), "ModifyEbsDefaultKmsKeyId", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ModifyEbsDefaultKmsKeyId(ctx, &req)
				return docKmsKeyID(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.KmsKeyId, "kms-key-id", "", "the key")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func docKmsKeyID(r *pb.EbsDefaultKmsKeyId) any { return NewObject().Set("KmsKeyId", r.GetKmsKeyId()) }
