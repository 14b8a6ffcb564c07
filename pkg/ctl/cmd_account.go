package ctl

import (
	"context"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-account-attributes and describe-instance-credit-specifications:
// the Query API answers both from other operations (no Compute rpc of
// their own), and so does ec2ctl, the same way.

func init() { commandGroups = append(commandGroups, addAccountCommands) }

func addAccountCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeAccountAttributesCmd(a))
}

// accountAttributeNames are the account attributes ec2lab answers.
var accountAttributeNames = []string{"supported-platforms", "default-vpc"}

// quotaAttributeNames are EC2's quota attributes, which wait for quotas.
var quotaAttributeNames = []string{"max-instances", "vpc-max-security-groups-per-interface", "max-elastic-ips", "vpc-max-elastic-ips"}

func newDescribeAccountAttributesCmd(a *app) *cobra.Command {
	var names []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "describe-account-attributes",
		Short: "Describe the account's attributes: supported-platforms and default-vpc (DescribeAccountAttributes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeAccountAttributes", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				return describeAccountAttributes(ctx, c, names, dryRun)
			})
		},
	}
	cmd.Flags().StringSliceVar(&names, "attribute-names", nil, "supported-platforms, default-vpc")
	addDryRun(cmd, &dryRun)
	markList(cmd, "attribute-names")
	return cmd
}

// describeAccountAttributes answers as the Query API does: VPC is the only
// platform, and default-vpc is the caller's default VPC or "none".
func describeAccountAttributes(ctx context.Context, c pb.ComputeClient, names []string, dryRun bool) (any, error) {
	for _, n := range names {
		switch {
		case slices.Contains(accountAttributeNames, n):
		case slices.Contains(quotaAttributeNames, n):
			return nil, ec2err.New(ec2err.UnsupportedOperation, "The account attribute %s is not served yet: ec2lab has no quotas of that name", n)
		default:
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter attributeName is invalid", n)
		}
	}
	r, err := c.DescribeVpcs(ctx, &pb.DescribeVpcsRequest{
		Filters: []*pb.Filter{{Name: "is-default", Values: []string{"true"}}}})
	if err != nil {
		return nil, err
	}
	if dryRun {
		return nil, dryRunSucceeded()
	}
	values := map[string]string{"supported-platforms": "VPC", "default-vpc": "none"}
	if v := r.GetVpcs(); len(v) > 0 {
		values["default-vpc"] = v[0].GetVpcId()
	}
	var attrs []any
	for _, n := range accountAttributeNames {
		if len(names) == 0 || slices.Contains(names, n) {
			attrs = append(attrs, NewObject().Set("AttributeName", n).
				Set("AttributeValues", []any{NewObject().Set("AttributeValue", values[n])}))
		}
	}
	return NewObject().Set("AccountAttributes", attrs), nil
}

// dryRunSucceeded is EC2's answer to a read-only DryRun whose request was
// accepted: these operations have no dry_run of their own on the gRPC
// API, so, as the Query API does, ec2ctl answers once the (authenticated)
// read has succeeded, printing nothing of it.
func dryRunSucceeded() error {
	return ec2err.New(ec2err.DryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}
