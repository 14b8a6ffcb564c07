package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// Elastic IP addresses: allocate-address, associate-address,
// disassociate-address, release-address and describe-addresses, with the
// AWS CLI's options and output.

func init() { commandGroups = append(commandGroups, addAddressCommands) }

func addAddressCommands(root *cobra.Command, a *app) {
	root.AddCommand(newAllocateAddressCmd(a), newAssociateAddressCmd(a), newDisassociateAddressCmd(a),
		newReleaseAddressCmd(a), newDescribeAddressesCmd(a))
}

func newAllocateAddressCmd(a *app) *cobra.Command {
	var req pb.AllocateAddressRequest
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "allocate-address",
		Short: "Allocate an Elastic IP address of the region's pool (AllocateAddress)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			req.TagSpecifications = specs
			return a.call(cmd.Context(), "AllocateAddress", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.AllocateAddress(ctx, &req)
				return docAllocateAddress(r), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Domain, "domain", "", "vpc (the only domain)")
	f.StringVar(&req.Address, "address", "", "a specific address of the region's pool (default: the lowest free one)")
	f.StringVar(&req.PublicIpv4Pool, "public-ipv4-pool", "", "amazon (the region's pool; others are refused)")
	f.StringVar(&req.NetworkBorderGroup, "network-border-group", "", "the region (others are refused)")
	f.StringVar(&req.CustomerOwnedIpv4Pool, "customer-owned-ipv4-pool", "", "refused: the region has no customer-owned pools")
	f.StringVar(&req.IpamPoolId, "ipam-pool-id", "", "refused: the region has no IPAM pools")
	f.StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=elastic-ip,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newAssociateAddressCmd(a *app) *cobra.Command {
	var req pb.AssociateAddressRequest
	cmd := &cobra.Command{
		Use:   "associate-address",
		Short: "Associate an Elastic IP address with an instance or a network interface (AssociateAddress)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			allow, err := pairValue(cmd, "allow-reassociation")
			if err != nil {
				return err
			}
			req.AllowReassociation = allow != nil && *allow
			return a.call(cmd.Context(), "AssociateAddress", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.AssociateAddress(ctx, &req)
				return NewObject().Set("AssociationId", r.GetAssociationId()), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.AllocationId, "allocation-id", "", "the address, by allocation ID")
	f.StringVar(&req.PublicIp, "public-ip", "", "the address, by public IP (instead of --allocation-id)")
	f.StringVar(&req.InstanceId, "instance-id", "", "the instance (its primary network interface)")
	f.StringVar(&req.NetworkInterfaceId, "network-interface-id", "", "the network interface (instead of --instance-id)")
	f.StringVar(&req.PrivateIpAddress, "private-ip-address", "", "the interface's private address (default: its primary one)")
	boolPair(cmd, "allow-reassociation", "move the address even when it is associated")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newDisassociateAddressCmd(a *app) *cobra.Command {
	var req pb.DisassociateAddressRequest
	cmd := &cobra.Command{
		Use:   "disassociate-address",
		Short: "Disassociate an Elastic IP address (DisassociateAddress)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DisassociateAddress", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DisassociateAddress(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.AssociationId, "association-id", "", "the association")
	cmd.Flags().StringVar(&req.PublicIp, "public-ip", "", "the address, by public IP (instead of --association-id)")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newReleaseAddressCmd(a *app) *cobra.Command {
	var req pb.ReleaseAddressRequest
	cmd := &cobra.Command{
		Use:   "release-address",
		Short: "Release an unassociated Elastic IP address to the region's pool (ReleaseAddress)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "ReleaseAddress", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ReleaseAddress(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.AllocationId, "allocation-id", "", "the address, by allocation ID")
	cmd.Flags().StringVar(&req.PublicIp, "public-ip", "", "the address, by public IP (instead of --allocation-id)")
	cmd.Flags().StringVar(&req.NetworkBorderGroup, "network-border-group", "", "the region (others are refused)")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newDescribeAddressesCmd(a *app) *cobra.Command {
	var req pb.DescribeAddressesRequest
	var filters []string
	cmd := &cobra.Command{
		Use:   "describe-addresses",
		Short: "Describe Elastic IP addresses (DescribeAddresses)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			req.Filters = flt
			return a.call(cmd.Context(), "DescribeAddresses", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeAddresses(ctx, &req)
				return NewObject().Set("Addresses", list(r.GetAddresses(), docAddress)), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&req.PublicIps, "public-ips", nil, "public IPs")
	cmd.Flags().StringSliceVar(&req.AllocationIds, "allocation-ids", nil, "allocation IDs")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=...,Values=... (repeatable)")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "public-ips", "allocation-ids", "filters")
	return cmd
}

// docAllocateAddress is AllocateAddress's result.
func docAllocateAddress(r *pb.AllocateAddressResponse) any {
	return NewObject().Set("AllocationId", r.GetAllocationId()).
		Str("PublicIpv4Pool", r.GetPublicIpv4Pool()).
		Str("NetworkBorderGroup", r.GetNetworkBorderGroup()).
		Set("Domain", r.GetDomain()).
		Set("PublicIp", r.GetPublicIp())
}

// docAddress is an EC2 Address (members in botocore's order).
func docAddress(a *pb.Address) any {
	o := NewObject().Set("AllocationId", a.GetAllocationId()).
		Str("AssociationId", a.GetAssociationId()).
		Set("Domain", a.GetDomain()).
		Str("NetworkInterfaceId", a.GetNetworkInterfaceId()).
		Str("NetworkInterfaceOwnerId", a.GetNetworkInterfaceOwnerId()).
		Str("PrivateIpAddress", a.GetPrivateIpAddress())
	if len(a.GetTags()) > 0 {
		o.Set("Tags", docTags(a.GetTags()))
	}
	return o.Str("PublicIpv4Pool", a.GetPublicIpv4Pool()).
		Str("NetworkBorderGroup", a.GetNetworkBorderGroup()).
		Str("InstanceId", a.GetInstanceId()).
		Set("PublicIp", a.GetPublicIp())
}
