package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addKeyPairCommands) }

func addKeyPairCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateKeyPairCmd(a), newImportKeyPairCmd(a),
		newDescribeKeyPairsCmd(a), newDeleteKeyPairCmd(a))
}

func newCreateKeyPairCmd(a *app) *cobra.Command {
	var name, keyType string
	var tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "create-key-pair",
		Short: "Create a key pair; the private key is in KeyMaterial (CreateKeyPair)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateKeyPair", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateKeyPair(ctx, &pb.CreateKeyPairRequest{KeyName: name, KeyType: keyType,
					TagSpecifications: specs, DryRun: dryRun})
				return docCreatedKeyPair(r), err
			})
		},
	}
	cmd.Flags().StringVar(&name, "key-name", "", "name of the key pair")
	cmd.Flags().StringVar(&keyType, "key-type", "", "rsa (default) or ed25519")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=key-pair,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newImportKeyPairCmd(a *app) *cobra.Command {
	var name, material string
	var tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import-key-pair",
		Short: "Import an OpenSSH public key (ImportKeyPair)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pub, err := readParam(material)
			if err != nil {
				return &usageError{err}
			}
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "ImportKeyPair", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ImportKeyPair(ctx, &pb.ImportKeyPairRequest{KeyName: name, PublicKeyMaterial: pub,
					TagSpecifications: specs, DryRun: dryRun})
				return docImportedKeyPair(r), err
			})
		},
	}
	cmd.Flags().StringVar(&name, "key-name", "", "name of the key pair")
	cmd.Flags().StringVar(&material, "public-key-material", "", "the public key: fileb://~/.ssh/id_ed25519.pub or literal")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=key-pair,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newDescribeKeyPairsCmd(a *app) *cobra.Command {
	var names, ids, filters []string
	var includePublic bool
	cmd := &cobra.Command{
		Use:   "describe-key-pairs",
		Short: "Describe key pairs (DescribeKeyPairs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeKeyPairs", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeKeyPairs(ctx, &pb.DescribeKeyPairsRequest{KeyNames: names, KeyPairIds: ids,
					Filters: flt, IncludePublicKey: includePublic})
				return NewObject().Set("KeyPairs", list(r.GetKeyPairs(), docKeyPairInfo)), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&names, "key-names", nil, "key pair names")
	cmd.Flags().StringSliceVar(&ids, "key-pair-ids", nil, "key pair IDs")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=...,Values=... (repeatable)")
	cmd.Flags().BoolVar(&includePublic, "include-public-key", false, "include the public key material")
	markList(cmd, "key-names", "key-pair-ids", "filters")
	return cmd
}

func newDeleteKeyPairCmd(a *app) *cobra.Command {
	var name, id string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "delete-key-pair",
		Short: "Delete a key pair by name or ID (DeleteKeyPair)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteKeyPair", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteKeyPair(ctx, &pb.DeleteKeyPairRequest{KeyName: name, KeyPairId: id, DryRun: dryRun})
				return NewObject().Set("Return", true).Str("KeyPairId", id), err
			})
		},
	}
	cmd.Flags().StringVar(&name, "key-name", "", "name of the key pair")
	cmd.Flags().StringVar(&id, "key-pair-id", "", "ID of the key pair")
	addDryRun(cmd, &dryRun)
	return cmd
}
