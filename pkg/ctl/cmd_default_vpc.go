package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// create-default-vpc and create-default-subnet: an account's default VPC
// and the default subnet of a zone, made again after their deletion.

func init() { commandGroups = append(commandGroups, addDefaultVpcCommands) }

func addDefaultVpcCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateDefaultVpcCmd(a), newCreateDefaultSubnetCmd(a))
}

func newCreateDefaultVpcCmd(a *app) *cobra.Command {
	var req pb.CreateDefaultVpcRequest
	cmd := &cobra.Command{
		Use:   "create-default-vpc",
		Short: "Create a default VPC with a default subnet per zone, when the account has none (CreateDefaultVpc)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "CreateDefaultVpc", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateDefaultVpc(ctx, &req)
				return NewObject().Set("Vpc", docVpc(r)), err
			})
		},
	}
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newCreateDefaultSubnetCmd(a *app) *cobra.Command {
	var req pb.CreateDefaultSubnetRequest
	var noIPv6Native bool
	cmd := &cobra.Command{
		Use:   "create-default-subnet",
		Short: "Create the default subnet of a zone in the default VPC (CreateDefaultSubnet)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.Ipv6Native && noIPv6Native {
				return usageErrorf(`Cannot specify both the "--ipv6-native" option and the "--no-ipv6-native" option.`)
			}
			return a.call(cmd.Context(), "CreateDefaultSubnet", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateDefaultSubnet(ctx, &req)
				return NewObject().Set("Subnet", docSubnet(r)), err
			})
		},
	}
	cmd.Flags().StringVar(&req.AvailabilityZone, "availability-zone", "", "the zone, by name (or --availability-zone-id)")
	cmd.Flags().StringVar(&req.AvailabilityZoneId, "availability-zone-id", "", "the zone, by ID")
	cmd.Flags().BoolVar(&req.Ipv6Native, "ipv6-native", false, "an IPv6-only subnet (ec2lab: refused)")
	cmd.Flags().BoolVar(&noIPv6Native, "no-ipv6-native", false, "an IPv4 subnet (the default)")
	addDryRun(cmd, &req.DryRun)
	return cmd
}
