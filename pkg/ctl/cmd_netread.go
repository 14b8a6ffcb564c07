package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addNetReadCommands) }

func addNetReadCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeNetworkInterfacesCmd(a), newDescribeRouteTablesCmd(a), newDescribeNetworkAclsCmd(a))
}

// listFlags are the flags of a Describe verb: IDs, filters and paging.
type listFlags struct {
	ids, filters []string
	pg           pageFlags
}

func (d *listFlags) register(cmd *cobra.Command, idsFlag, idsHelp, filterHelp string) {
	d.registerAs(cmd, idsFlag, idsHelp, "filters", filterHelp)
}

// registerAs is register with the filter flag named as the AWS CLI names
// it for this verb (describe-nat-gateways has --filter).
func (d *listFlags) registerAs(cmd *cobra.Command, idsFlag, idsHelp, filterFlag, filterHelp string) {
	cmd.Flags().StringSliceVar(&d.ids, idsFlag, nil, idsHelp)
	cmd.Flags().StringArrayVar(&d.filters, filterFlag, nil, filterHelp)
	d.pg.register(cmd)
	markList(cmd, idsFlag, filterFlag)
}

func newDescribeNetworkInterfacesCmd(a *app) *cobra.Command {
	var d listFlags
	cmd := &cobra.Command{
		Use:   "describe-network-interfaces",
		Short: "Describe network interfaces (DescribeNetworkInterfaces)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeNetworkInterfaces", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.NetworkInterface, string, error) {
					r, err := c.DescribeNetworkInterfaces(ctx, &pb.DescribeNetworkInterfacesRequest{NetworkInterfaceIds: d.ids,
						Filters: flt, MaxResults: max, NextToken: token})
					return r.GetNetworkInterfaces(), r.GetNextToken(), err
				})
				return NewObject().Set("NetworkInterfaces", list(items, docNetworkInterface)).Str("NextToken", next), err
			})
		},
	}
	d.register(cmd, "network-interface-ids", "network interface IDs", "Name=attachment.instance-id,Values=i-... (repeatable)")
	return cmd
}

func newDescribeRouteTablesCmd(a *app) *cobra.Command {
	var d listFlags
	cmd := &cobra.Command{
		Use:   "describe-route-tables",
		Short: "Describe route tables (DescribeRouteTables)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeRouteTables", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.RouteTable, string, error) {
					r, err := c.DescribeRouteTables(ctx, &pb.DescribeRouteTablesRequest{RouteTableIds: d.ids, Filters: flt,
						MaxResults: max, NextToken: token})
					return r.GetRouteTables(), r.GetNextToken(), err
				})
				return NewObject().Set("RouteTables", list(items, docRouteTable)).Str("NextToken", next), err
			})
		},
	}
	d.register(cmd, "route-table-ids", "route table IDs", "Name=association.main,Values=true (repeatable)")
	return cmd
}

func newDescribeNetworkAclsCmd(a *app) *cobra.Command {
	var d listFlags
	cmd := &cobra.Command{
		Use:   "describe-network-acls",
		Short: "Describe network ACLs (DescribeNetworkAcls)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeNetworkAcls", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.NetworkAcl, string, error) {
					r, err := c.DescribeNetworkAcls(ctx, &pb.DescribeNetworkAclsRequest{NetworkAclIds: d.ids, Filters: flt,
						MaxResults: max, NextToken: token})
					return r.GetNetworkAcls(), r.GetNextToken(), err
				})
				return NewObject().Set("NetworkAcls", list(items, docNetworkACL)).Str("NextToken", next), err
			})
		},
	}
	d.register(cmd, "network-acl-ids", "network ACL IDs", "Name=default,Values=true (repeatable)")
	return cmd
}
