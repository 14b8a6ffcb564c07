package ctl

import (
	"context"
	"strings"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-vpc-attribute, modify-vpc-attribute: a VPC's DNS support, DNS
// hostnames and Network Address Usage metrics.

func init() { commandGroups = append(commandGroups, addVpcAttributeCommands) }

func addVpcAttributeCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeVpcAttributeCmd(a), newModifyVpcAttributeCmd(a))
}

func newDescribeVpcAttributeCmd(a *app) *cobra.Command {
	var req pb.DescribeVpcAttributeRequest
	cmd := &cobra.Command{
		Use:   "describe-vpc-attribute",
		Short: "Describe one attribute of a VPC (DescribeVpcAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "attribute", "vpc-id"); err != nil {
				return err
			}
			return a.call(cmd.Context(), "DescribeVpcAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeVpcAttribute(ctx, &req)
				return docVpcAttribute(r), err
			})
		},
	}
	names := make([]string, 0, len(vpcAttributeMembers))
	for _, m := range vpcAttributeMembers {
		names = append(names, m[0])
	}
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", strings.Join(names, ", "))
	cmd.Flags().StringVar(&req.VpcId, "vpc-id", "", "ID of the VPC")
	return cmd
}

func newModifyVpcAttributeCmd(a *app) *cobra.Command {
	var req pb.ModifyVpcAttributeRequest
	var hostnames, support, metrics *boolAttr
	cmd := &cobra.Command{
		Use:   "modify-vpc-attribute",
		Short: "Change one attribute of a VPC (ModifyVpcAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "vpc-id"); err != nil {
				return err
			}
			if err := readBoolAttrs(boolAttrField{hostnames, &req.EnableDnsHostnames},
				boolAttrField{support, &req.EnableDnsSupport},
				boolAttrField{metrics, &req.EnableNetworkAddressUsageMetrics}); err != nil {
				return err
			}
			return a.call(cmd.Context(), "ModifyVpcAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ModifyVpcAttribute(ctx, &req)
				return nil, err
			})
		},
	}
	hostnames = addBoolAttr(cmd, "enable-dns-hostnames", "instances get DNS hostnames")
	support = addBoolAttr(cmd, "enable-dns-support", "the VPC's DNS server answers")
	cmd.Flags().StringVar(&req.VpcId, "vpc-id", "", "ID of the VPC")
	metrics = addBoolAttr(cmd, "enable-network-address-usage-metrics", "Network Address Usage metrics")
	return cmd
}

// vpcAttributeMembers maps attribute names onto the members of EC2's
// DescribeVpcAttributeResult, in the model's order.
var vpcAttributeMembers = [][2]string{
	{"enableDnsHostnames", "EnableDnsHostnames"}, {"enableDnsSupport", "EnableDnsSupport"},
	{"enableNetworkAddressUsageMetrics", "EnableNetworkAddressUsageMetrics"},
}

// docVpcAttribute is EC2's DescribeVpcAttributeResult: the one attribute
// asked for, as {Value: bool}, and VpcId.
func docVpcAttribute(r *pb.VpcAttribute) any {
	o := NewObject()
	for _, m := range vpcAttributeMembers {
		if r.GetAttribute() == m[0] {
			o.Set(m[1], NewObject().Set("Value", r.GetValue()))
		}
	}
	return o.Set("VpcId", r.GetVpcId())
}

// requireFlags is argparse's check of required arguments: a usage error
// naming, in order, those of names that were not given.
func requireFlags(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return usageErrorf("the following arguments are required: %s", strings.Join(missing, ", "))
	}
	return nil
}
