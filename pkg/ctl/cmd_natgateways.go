package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addNatGatewayCommands) }

func addNatGatewayCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateNatGatewayCmd(a), newDeleteNatGatewayCmd(a), newDescribeNatGatewaysCmd(a))
}

func newCreateNatGatewayCmd(a *app) *cobra.Command {
	var r pb.CreateNatGatewayRequest
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "create-nat-gateway",
		Short: "Create a NAT gateway in a public subnet with an Elastic IP (CreateNatGateway)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			r.TagSpecifications = specs
			return a.call(cmd.Context(), "CreateNatGateway", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				out, err := c.CreateNatGateway(ctx, &r)
				return NewObject().Str("ClientToken", out.GetClientToken()).
					Set("NatGateway", docNatGateway(out.GetNatGateway())), err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&r.SubnetId, "subnet-id", "", "ID of the (public) subnet the gateway runs in")
	fl.StringVar(&r.AllocationId, "allocation-id", "", "allocation ID of the Elastic IP the gateway's traffic leaves as")
	fl.StringVar(&r.ConnectivityType, "connectivity-type", "", "public (the default; private is not supported by ec2lab)")
	fl.StringVar(&r.PrivateIpAddress, "private-ip-address", "", "the gateway's private address in the subnet (default: the lowest free)")
	fl.StringVar(&r.ClientToken, "client-token", "", "idempotency token")
	fl.StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=natgateway,Tags=[{Key=k,Value=v}]")
	fl.StringArrayVar(&r.SecondaryAllocationIds, "secondary-allocation-ids", nil, "not supported by ec2lab (refused)")
	fl.StringArrayVar(&r.SecondaryPrivateIpAddresses, "secondary-private-ip-addresses", nil, "not supported by ec2lab (refused)")
	fl.Int32Var(&r.SecondaryPrivateIpAddressCount, "secondary-private-ip-address-count", 0, "not supported by ec2lab (refused)")
	fl.StringVar(&r.AvailabilityMode, "availability-mode", "", "zonal (the only mode ec2lab has)")
	fl.StringVar(&r.VpcId, "vpc-id", "", "not supported by ec2lab (refused: give --subnet-id)")
	addDryRun(cmd, &r.DryRun)
	markList(cmd, "tag-specifications", "secondary-allocation-ids", "secondary-private-ip-addresses")
	return cmd
}

func newDeleteNatGatewayCmd(a *app) *cobra.Command {
	var id string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "delete-nat-gateway",
		Short: "Delete a NAT gateway; its Elastic IP stays allocated (DeleteNatGateway)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteNatGateway", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DeleteNatGateway(ctx, &pb.DeleteNatGatewayRequest{NatGatewayId: id, DryRun: dryRun})
				return NewObject().Set("NatGatewayId", r.GetNatGatewayId()), err
			})
		},
	}
	cmd.Flags().StringVar(&id, "nat-gateway-id", "", "ID of the NAT gateway")
	addDryRun(cmd, &dryRun)
	return cmd
}

func newDescribeNatGatewaysCmd(a *app) *cobra.Command {
	var d listFlags
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "describe-nat-gateways",
		Short: "Describe NAT gateways (DescribeNatGateways)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeNatGateways", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.NatGateway, string, error) {
					r, err := c.DescribeNatGateways(ctx, &pb.DescribeNatGatewaysRequest{NatGatewayIds: d.ids,
						Filters: flt, MaxResults: max, NextToken: token, DryRun: dryRun})
					return r.GetNatGateways(), r.GetNextToken(), err
				})
				return NewObject().Set("NatGateways", list(items, docNatGateway)).Str("NextToken", next), err
			})
		},
	}
	d.registerAs(cmd, "nat-gateway-ids", "NAT gateway IDs", "filter", "Name=state,Values=available (repeatable)")
	addDryRun(cmd, &dryRun)
	return cmd
}

// docNatGateway is an EC2 NatGateway.
func docNatGateway(g *pb.NatGateway) any {
	address := func(a *pb.NatGatewayAddress) any {
		return NewObject().Str("AllocationId", a.GetAllocationId()).
			Str("NetworkInterfaceId", a.GetNetworkInterfaceId()).
			Str("PrivateIp", a.GetPrivateIp()).
			Str("PublicIp", a.GetPublicIp()).
			Str("AssociationId", a.GetAssociationId()).
			Set("IsPrimary", a.GetIsPrimary()).
			Str("Status", a.GetStatus())
	}
	return NewObject().Time("CreateTime", g.GetCreateTime()).
		Time("DeleteTime", g.GetDeleteTime()).
		Str("FailureCode", g.GetFailureCode()).
		Str("FailureMessage", g.GetFailureMessage()).
		Set("NatGatewayAddresses", list(g.GetNatGatewayAddresses(), address)).
		Set("NatGatewayId", g.GetNatGatewayId()).
		Set("State", g.GetState()).
		Set("SubnetId", g.GetSubnetId()).
		Set("VpcId", g.GetVpcId()).
		Set("Tags", docTags(g.GetTags())).
		Set("ConnectivityType", g.GetConnectivityType())
}
