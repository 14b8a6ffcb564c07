package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addInternetGatewayCommands) }

func addInternetGatewayCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateInternetGatewayCmd(a), newAttachInternetGatewayCmd(a), newDetachInternetGatewayCmd(a),
		newDeleteInternetGatewayCmd(a), newDescribeInternetGatewaysCmd(a))
}

func newCreateInternetGatewayCmd(a *app) *cobra.Command {
	var tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "create-internet-gateway",
		Short: "Create an internet gateway (CreateInternetGateway)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateInternetGateway", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateInternetGateway(ctx, &pb.CreateInternetGatewayRequest{TagSpecifications: specs, DryRun: dryRun})
				return NewObject().Set("InternetGateway", docInternetGateway(r.GetInternetGateway())), err
			})
		},
	}
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=internet-gateway,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

// gatewayVpcFlags are the flags of attach- and detach-internet-gateway.
type gatewayVpcFlags struct {
	gatewayID, vpcID string
	dryRun           bool
}

func (f *gatewayVpcFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.gatewayID, "internet-gateway-id", "", "ID of the internet gateway")
	cmd.Flags().StringVar(&f.vpcID, "vpc-id", "", "ID of the VPC")
	addDryRun(cmd, &f.dryRun)
}

func newAttachInternetGatewayCmd(a *app) *cobra.Command {
	var f gatewayVpcFlags
	cmd := &cobra.Command{
		Use:   "attach-internet-gateway",
		Short: "Attach an internet gateway to a VPC (AttachInternetGateway)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "AttachInternetGateway", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.AttachInternetGateway(ctx, &pb.AttachInternetGatewayRequest{InternetGatewayId: f.gatewayID,
					VpcId: f.vpcID, DryRun: f.dryRun})
				return nil, err
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newDetachInternetGatewayCmd(a *app) *cobra.Command {
	var f gatewayVpcFlags
	cmd := &cobra.Command{
		Use:   "detach-internet-gateway",
		Short: "Detach an internet gateway from its VPC (DetachInternetGateway)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DetachInternetGateway", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DetachInternetGateway(ctx, &pb.DetachInternetGatewayRequest{InternetGatewayId: f.gatewayID,
					VpcId: f.vpcID, DryRun: f.dryRun})
				return nil, err
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newDeleteInternetGatewayCmd(a *app) *cobra.Command {
	var id string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "delete-internet-gateway",
		Short: "Delete a detached internet gateway (DeleteInternetGateway)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteInternetGateway", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteInternetGateway(ctx, &pb.DeleteInternetGatewayRequest{InternetGatewayId: id, DryRun: dryRun})
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&id, "internet-gateway-id", "", "ID of the internet gateway")
	addDryRun(cmd, &dryRun)
	return cmd
}

func newDescribeInternetGatewaysCmd(a *app) *cobra.Command {
	var d listFlags
	cmd := &cobra.Command{
		Use:   "describe-internet-gateways",
		Short: "Describe internet gateways (DescribeInternetGateways)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeInternetGateways", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.InternetGateway, string, error) {
					r, err := c.DescribeInternetGateways(ctx, &pb.DescribeInternetGatewaysRequest{InternetGatewayIds: d.ids,
						Filters: flt, MaxResults: max, NextToken: token})
					return r.GetInternetGateways(), r.GetNextToken(), err
				})
				return NewObject().Set("InternetGateways", list(items, docInternetGateway)).Str("NextToken", next), err
			})
		},
	}
	d.register(cmd, "internet-gateway-ids", "internet gateway IDs", "Name=attachment.vpc-id,Values=vpc-... (repeatable)")
	return cmd
}

// docInternetGateway is an EC2 InternetGateway.
func docInternetGateway(g *pb.InternetGateway) any {
	attachment := func(a *pb.InternetGatewayAttachment) any {
		return NewObject().Set("State", a.GetState()).Set("VpcId", a.GetVpcId())
	}
	return NewObject().Set("Attachments", list(g.GetAttachments(), attachment)).
		Set("InternetGatewayId", g.GetInternetGatewayId()).
		Set("OwnerId", g.GetOwnerId()).
		Set("Tags", docTags(g.GetTags()))
}
