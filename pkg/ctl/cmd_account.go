package ctl

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-account-attributes: the account's platforms, default VPC and
// instance quota, as the Query API answers them (the same rpc).

func init() { commandGroups = append(commandGroups, addAccountCommands) }

func addAccountCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeAccountAttributesCmd(a))
}

func newDescribeAccountAttributesCmd(a *app) *cobra.Command {
	var names []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "describe-account-attributes",
		Short: "Describe the account's attributes: supported-platforms, default-vpc and max-instances (DescribeAccountAttributes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeAccountAttributes", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				return describeAccountAttributes(ctx, c, names, dryRun)
			})
		},
	}
	cmd.Flags().StringSliceVar(&names, "attribute-names", nil, "supported-platforms, default-vpc, max-instances")
	addDryRun(cmd, &dryRun)
	markList(cmd, "attribute-names")
	return cmd
}

// describeAccountAttributes prints what the rpc answers, as the Query API
// encodes it.
func describeAccountAttributes(ctx context.Context, c pb.ComputeClient, names []string, dryRun bool) (any, error) {
	r, err := c.DescribeAccountAttributes(ctx, &pb.DescribeAccountAttributesRequest{AttributeNames: names})
	if err != nil {
		return nil, err
	}
	if dryRun {
		return nil, dryRunSucceeded()
	}
	var attrs []any
	for _, a := range r.GetAccountAttributes() {
		var values []any
		for _, v := range a.GetAttributeValues() {
			values = append(values, NewObject().Set("AttributeValue", v))
		}
		attrs = append(attrs, NewObject().Set("AttributeName", a.GetAttributeName()).Set("AttributeValues", values))
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
