package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// create-/delete-/describe-/associate-dhcp-options: DHCP option sets.

func init() { commandGroups = append(commandGroups, addDhcpOptionsCommands) }

func addDhcpOptionsCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateDhcpOptionsCmd(a), newDeleteDhcpOptionsCmd(a), newDescribeDhcpOptionsCmd(a),
		newAssociateDhcpOptionsCmd(a))
}

// parseDhcpConfigurations reads --dhcp-configurations (shorthand or JSON):
// Key=domain-name-servers,Values=10.0.0.2,10.0.0.3.
func parseDhcpConfigurations(raws []string) ([]*pb.DhcpConfiguration, error) {
	ms, err := structList("dhcp-configurations", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.DhcpConfiguration
	for _, m := range ms {
		f := newFields("NewDhcpConfiguration", m, "Key", "Values")
		out = append(out, &pb.DhcpConfiguration{Key: f.str("Key"), Values: f.strings("Values")})
		if f.err != nil {
			return nil, f.err
		}
	}
	return out, nil
}

func newCreateDhcpOptionsCmd(a *app) *cobra.Command {
	var confs, tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "create-dhcp-options",
		Short: "Create a DHCP option set (CreateDhcpOptions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(confs) == 0 {
				return usageErrorf("the following arguments are required: --dhcp-configurations")
			}
			dc, err := parseDhcpConfigurations(confs)
			if err != nil {
				return &usageError{err}
			}
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateDhcpOptions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateDhcpOptions(ctx, &pb.CreateDhcpOptionsRequest{DhcpConfigurations: dc, TagSpecifications: specs, DryRun: dryRun})
				return NewObject().Set("DhcpOptions", docDhcpOptions(r.GetDhcpOptions())), err
			})
		},
	}
	cmd.Flags().StringArrayVar(&confs, "dhcp-configurations", nil, "Key=domain-name-servers,Values=10.0.0.2,10.0.0.3 (repeatable)")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=dhcp-options,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "dhcp-configurations", "tag-specifications")
	return cmd
}

func newDeleteDhcpOptionsCmd(a *app) *cobra.Command {
	var id string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "delete-dhcp-options",
		Short: "Delete a DHCP option set no VPC uses (DeleteDhcpOptions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return usageErrorf("the following arguments are required: --dhcp-options-id")
			}
			return a.call(cmd.Context(), "DeleteDhcpOptions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteDhcpOptions(ctx, &pb.DeleteDhcpOptionsRequest{DhcpOptionsId: id, DryRun: dryRun})
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&id, "dhcp-options-id", "", "ID of the DHCP option set")
	addDryRun(cmd, &dryRun)
	return cmd
}

func newAssociateDhcpOptionsCmd(a *app) *cobra.Command {
	var id, vpcID string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "associate-dhcp-options",
		Short: "Give a VPC a DHCP option set, or default (AssociateDhcpOptions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" || vpcID == "" {
				return usageErrorf("the following arguments are required: --dhcp-options-id, --vpc-id")
			}
			return a.call(cmd.Context(), "AssociateDhcpOptions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.AssociateDhcpOptions(ctx, &pb.AssociateDhcpOptionsRequest{DhcpOptionsId: id, VpcId: vpcID, DryRun: dryRun})
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&id, "dhcp-options-id", "", "ID of the DHCP option set, or default")
	cmd.Flags().StringVar(&vpcID, "vpc-id", "", "ID of the VPC")
	addDryRun(cmd, &dryRun)
	return cmd
}

func newDescribeDhcpOptionsCmd(a *app) *cobra.Command {
	var d listFlags
	cmd := &cobra.Command{
		Use:   "describe-dhcp-options",
		Short: "Describe DHCP option sets (DescribeDhcpOptions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeDhcpOptions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.DhcpOptions, string, error) {
					r, err := c.DescribeDhcpOptions(ctx, &pb.DescribeDhcpOptionsRequest{DhcpOptionsIds: d.ids,
						Filters: flt, MaxResults: max, NextToken: token})
					return r.GetDhcpOptions(), r.GetNextToken(), err
				})
				return NewObject().Set("DhcpOptions", list(items, docDhcpOptions)).Str("NextToken", next), err
			})
		},
	}
	d.register(cmd, "dhcp-options-ids", "DHCP option set IDs", "Name=key,Values=domain-name (repeatable)")
	return cmd
}

// docDhcpOptions is an EC2 DhcpOptions.
func docDhcpOptions(d *pb.DhcpOptions) any {
	conf := func(c *pb.DhcpConfiguration) any {
		vals := make([]any, 0, len(c.GetValues()))
		for _, v := range c.GetValues() {
			vals = append(vals, NewObject().Set("Value", v))
		}
		return NewObject().Set("Key", c.GetKey()).Set("Values", vals)
	}
	return NewObject().Set("OwnerId", d.GetOwnerId()).
		Set("Tags", docTags(d.GetTags())).
		Set("DhcpOptionsId", d.GetDhcpOptionsId()).
		Set("DhcpConfigurations", list(d.GetDhcpConfigurations(), conf))
}
