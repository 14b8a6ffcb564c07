package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addNetworkCommands) }

func addNetworkCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateVpcCmd(a), newDescribeVpcsCmd(a), newDeleteVpcCmd(a),
		newCreateSubnetCmd(a), newDescribeSubnetsCmd(a), newDeleteSubnetCmd(a))
}

func newCreateVpcCmd(a *app) *cobra.Command {
	var cidr string
	var tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "create-vpc",
		Short: "Create a VPC (CreateVpc)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateVpc", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateVpc(ctx, &pb.CreateVpcRequest{CidrBlock: cidr, TagSpecifications: specs, DryRun: dryRun})
				return NewObject().Set("Vpc", docVpc(r)), err
			})
		},
	}
	cmd.Flags().StringVar(&cidr, "cidr-block", "", "IPv4 CIDR block, /16 to /28, e.g. 10.0.0.0/16")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=vpc,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newDescribeVpcsCmd(a *app) *cobra.Command {
	var ids, filters []string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-vpcs",
		Short: "Describe VPCs (DescribeVpcs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeVpcs", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.Vpc, string, error) {
					r, err := c.DescribeVpcs(ctx, &pb.DescribeVpcsRequest{VpcIds: ids, Filters: flt, MaxResults: max, NextToken: token})
					return r.GetVpcs(), r.GetNextToken(), err
				})
				return NewObject().Set("Vpcs", list(items, docVpc)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "vpc-ids", nil, "VPC IDs")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=is-default,Values=true (repeatable)")
	pg.register(cmd)
	markList(cmd, "vpc-ids", "filters")
	return cmd
}

func newDeleteVpcCmd(a *app) *cobra.Command {
	var req pb.DeleteVpcRequest
	cmd := &cobra.Command{
		Use:   "delete-vpc",
		Short: "Delete a VPC that has no subnets (DeleteVpc)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteVpc", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteVpc(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.VpcId, "vpc-id", "", "ID of the VPC")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newCreateSubnetCmd(a *app) *cobra.Command {
	var vpcID, cidr, az string
	var tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "create-subnet",
		Short: "Create a subnet in a VPC (CreateSubnet)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateSubnet", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateSubnet(ctx, &pb.CreateSubnetRequest{VpcId: vpcID, CidrBlock: cidr,
					AvailabilityZone: az, TagSpecifications: specs, DryRun: dryRun})
				return NewObject().Set("Subnet", docSubnet(r)), err
			})
		},
	}
	cmd.Flags().StringVar(&vpcID, "vpc-id", "", "ID of the VPC")
	cmd.Flags().StringVar(&cidr, "cidr-block", "", "IPv4 CIDR block inside the VPC's, e.g. 10.0.1.0/24")
	cmd.Flags().StringVar(&az, "availability-zone", "", "Availability Zone (default: the region's first)")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=subnet,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newDescribeSubnetsCmd(a *app) *cobra.Command {
	var ids, filters []string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-subnets",
		Short: "Describe subnets (DescribeSubnets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeSubnets", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.Subnet, string, error) {
					r, err := c.DescribeSubnets(ctx, &pb.DescribeSubnetsRequest{SubnetIds: ids, Filters: flt, MaxResults: max, NextToken: token})
					return r.GetSubnets(), r.GetNextToken(), err
				})
				return NewObject().Set("Subnets", list(items, docSubnet)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "subnet-ids", nil, "subnet IDs")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=vpc-id,Values=vpc-... (repeatable)")
	pg.register(cmd)
	markList(cmd, "subnet-ids", "filters")
	return cmd
}

func newDeleteSubnetCmd(a *app) *cobra.Command {
	var req pb.DeleteSubnetRequest
	cmd := &cobra.Command{
		Use:   "delete-subnet",
		Short: "Delete a subnet no instance uses (DeleteSubnet)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteSubnet", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteSubnet(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.SubnetId, "subnet-id", "", "ID of the subnet")
	addDryRun(cmd, &req.DryRun)
	return cmd
}
