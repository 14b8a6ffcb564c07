package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// associate-vpc-cidr-block, disassociate-vpc-cidr-block: a VPC's secondary
// IPv4 blocks.

func init() { commandGroups = append(commandGroups, addVpcCidrCommands) }

func addVpcCidrCommands(root *cobra.Command, a *app) {
	root.AddCommand(newAssociateVpcCidrBlockCmd(a), newDisassociateVpcCidrBlockCmd(a))
}

// newAssociateVpcCidrBlockCmd takes every parameter the AWS CLI does; the
// IPv6 and IPAM ones go to the server, which says why it refuses them.
func newAssociateVpcCidrBlockCmd(a *app) *cobra.Command {
	var req pb.AssociateVpcCidrBlockRequest
	var noAmazonIPv6 bool
	cmd := &cobra.Command{
		Use:   "associate-vpc-cidr-block",
		Short: "Add a secondary IPv4 CIDR block to a VPC (AssociateVpcCidrBlock)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "vpc-id"); err != nil {
				return err
			}
			if err := refuseZero(cmd, "ipv4-netmask-length", "ipv6-netmask-length"); err != nil {
				return err
			}
			if noAmazonIPv6 {
				req.AmazonProvidedIpv6CidrBlock = false
			}
			return a.call(cmd.Context(), "AssociateVpcCidrBlock", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.AssociateVpcCidrBlock(ctx, &req)
				return docVpcCidrBlockResult(r), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.CidrBlock, "cidr-block", "", "IPv4 CIDR block, /16 to /28, e.g. 10.1.0.0/16")
	f.StringVar(&req.Ipv6CidrBlockNetworkBorderGroup, "ipv6-cidr-block-network-border-group", "", "(IPv6: not supported)")
	f.StringVar(&req.Ipv6Pool, "ipv6-pool", "", "(IPv6: not supported)")
	f.StringVar(&req.Ipv6CidrBlock, "ipv6-cidr-block", "", "(IPv6: not supported)")
	f.StringVar(&req.Ipv4IpamPoolId, "ipv4-ipam-pool-id", "", "(IPAM: not supported)")
	f.Int32Var(&req.Ipv4NetmaskLength, "ipv4-netmask-length", 0, "(IPAM: not supported)")
	f.StringVar(&req.Ipv6IpamPoolId, "ipv6-ipam-pool-id", "", "(IPAM: not supported)")
	f.Int32Var(&req.Ipv6NetmaskLength, "ipv6-netmask-length", 0, "(IPAM: not supported)")
	f.StringVar(&req.VpcId, "vpc-id", "", "ID of the VPC")
	f.BoolVar(&req.AmazonProvidedIpv6CidrBlock, "amazon-provided-ipv6-cidr-block", false, "(IPv6: not supported)")
	f.BoolVar(&noAmazonIPv6, "no-amazon-provided-ipv6-cidr-block", false, "no Amazon-provided IPv6 block (the default)")
	return cmd
}

func newDisassociateVpcCidrBlockCmd(a *app) *cobra.Command {
	var req pb.DisassociateVpcCidrBlockRequest
	cmd := &cobra.Command{
		Use:   "disassociate-vpc-cidr-block",
		Short: "Remove a secondary CIDR block from a VPC (DisassociateVpcCidrBlock)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "association-id"); err != nil {
				return err
			}
			return a.call(cmd.Context(), "DisassociateVpcCidrBlock", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DisassociateVpcCidrBlock(ctx, &req)
				return docVpcCidrBlockResult(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.AssociationId, "association-id", "", "the block's association ID (vpc-cidr-assoc-...)")
	return cmd
}

// refuseZero is a usage error for an integer flag given as 0: the request
// field has no presence, so 0 would reach the server as "not given" and
// be dropped without a word.
func refuseZero(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		if fl := cmd.Flags().Lookup(n); fl != nil && fl.Changed && fl.Value.String() == "0" {
			return usageErrorf("--%s 0 cannot be sent: ec2lab's API reads 0 as not given", n)
		}
	}
	return nil
}

// docVpcCidrBlockResult is EC2's AssociateVpcCidrBlockResult (and
// DisassociateVpcCidrBlockResult): ec2lab has no IPv6 blocks, so no
// Ipv6CidrBlockAssociation.
func docVpcCidrBlockResult(r *pb.VpcCidrBlockResponse) any {
	return NewObject().Set("CidrBlockAssociation", docVpcCidrBlockAssociation(r.GetCidrBlockAssociation())).
		Set("VpcId", r.GetVpcId())
}
