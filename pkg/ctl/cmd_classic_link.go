package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-vpc-classic-link, describe-vpc-classic-link-dns-support: what
// tools still ask of every VPC (EC2-Classic is gone, so both are off).

func init() { commandGroups = append(commandGroups, addClassicLinkCommands) }

func addClassicLinkCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeVpcClassicLinkCmd(a), newDescribeVpcClassicLinkDNSSupportCmd(a))
}

func newDescribeVpcClassicLinkCmd(a *app) *cobra.Command {
	var ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-vpc-classic-link",
		Short: "Describe the ClassicLink status of VPCs (DescribeVpcClassicLink)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeVpcClassicLink", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeVpcClassicLink(ctx, &pb.DescribeVpcClassicLinkRequest{VpcIds: ids, Filters: flt})
				return NewObject().Set("Vpcs", list(r.GetVpcs(), docVpcClassicLink)), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "vpc-ids", nil, "VPC IDs")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=is-classic-link-enabled|tag:<key>|tag-key,Values=... (repeatable)")
	markList(cmd, "vpc-ids", "filters")
	return cmd
}

func newDescribeVpcClassicLinkDNSSupportCmd(a *app) *cobra.Command {
	var ids []string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-vpc-classic-link-dns-support",
		Short: "Describe the ClassicLink DNS support of VPCs (DescribeVpcClassicLinkDnsSupport)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeVpcClassicLinkDnsSupport", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.ClassicLinkDnsSupport, string, error) {
					r, err := c.DescribeVpcClassicLinkDnsSupport(ctx, &pb.DescribeVpcClassicLinkDnsSupportRequest{
						VpcIds: ids, MaxResults: max, NextToken: token})
					return r.GetVpcs(), r.GetNextToken(), err
				})
				return NewObject().Set("Vpcs", list(items, docClassicLinkDNSSupport)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "vpc-ids", nil, "VPC IDs")
	pg.register(cmd)
	markList(cmd, "vpc-ids")
	return cmd
}

// docVpcClassicLink is an EC2 VpcClassicLink.
func docVpcClassicLink(v *pb.VpcClassicLink) any {
	o := NewObject().Set("ClassicLinkEnabled", v.GetClassicLinkEnabled())
	if len(v.GetTags()) > 0 {
		o.Set("Tags", docTags(v.GetTags()))
	}
	return o.Set("VpcId", v.GetVpcId())
}

// docClassicLinkDNSSupport is an EC2 ClassicLinkDnsSupport.
func docClassicLinkDNSSupport(v *pb.ClassicLinkDnsSupport) any {
	return NewObject().Set("ClassicLinkDnsSupported", v.GetClassicLinkDnsSupported()).Set("VpcId", v.GetVpcId())
}
