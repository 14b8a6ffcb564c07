package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"
)

func init() { commandGroups = append(commandGroups, addRouteTableCommands) }

func addRouteTableCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateRouteTableCmd(a), newDeleteRouteTableCmd(a),
		newCreateRouteCmd(a), newReplaceRouteCmd(a), newDeleteRouteCmd(a),
		newAssociateRouteTableCmd(a), newDisassociateRouteTableCmd(a), newReplaceRouteTableAssociationCmd(a))
}

func newCreateRouteTableCmd(a *app) *cobra.Command {
	var vpcID, clientToken string
	var tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "create-route-table",
		Short: "Create a route table in a VPC (CreateRouteTable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateRouteTable", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateRouteTable(ctx, &pb.CreateRouteTableRequest{VpcId: vpcID, TagSpecifications: specs,
					ClientToken: clientToken, DryRun: dryRun})
				return NewObject().Set("RouteTable", docRouteTable(r.GetRouteTable())).Str("ClientToken", r.GetClientToken()), err
			})
		},
	}
	cmd.Flags().StringVar(&vpcID, "vpc-id", "", "ID of the VPC")
	cmd.Flags().StringVar(&clientToken, "client-token", "", "idempotency token (accepted, not used)")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=route-table,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newDeleteRouteTableCmd(a *app) *cobra.Command {
	var id string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "delete-route-table",
		Short: "Delete a route table that is neither main nor associated (DeleteRouteTable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteRouteTable", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteRouteTable(ctx, &pb.DeleteRouteTableRequest{RouteTableId: id, DryRun: dryRun})
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&id, "route-table-id", "", "ID of the route table")
	addDryRun(cmd, &dryRun)
	return cmd
}

// routeFlags are the flags of create-route and replace-route: those of
// aws ec2, every target but --gateway-id and --nat-gateway-id refused by
// the server.
type routeFlags struct {
	r pb.CreateRouteRequest
}

func (f *routeFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.r.RouteTableId, "route-table-id", "", "ID of the route table")
	fl.StringVar(&f.r.DestinationCidrBlock, "destination-cidr-block", "", "IPv4 destination, e.g. 0.0.0.0/0")
	fl.StringVar(&f.r.GatewayId, "gateway-id", "", "ID of an internet gateway attached to the table's VPC")
	fl.StringVar(&f.r.NatGatewayId, "nat-gateway-id", "", "ID of a NAT gateway of the table's VPC")
	for _, s := range []struct {
		name string
		p    *string
	}{
		{"destination-ipv6-cidr-block", &f.r.DestinationIpv6CidrBlock}, {"destination-prefix-list-id", &f.r.DestinationPrefixListId},
		{"egress-only-internet-gateway-id", &f.r.EgressOnlyInternetGatewayId}, {"instance-id", &f.r.InstanceId},
		{"network-interface-id", &f.r.NetworkInterfaceId}, {"vpc-peering-connection-id", &f.r.VpcPeeringConnectionId},
		{"transit-gateway-id", &f.r.TransitGatewayId},
		{"local-gateway-id", &f.r.LocalGatewayId}, {"carrier-gateway-id", &f.r.CarrierGatewayId},
		{"vpc-endpoint-id", &f.r.VpcEndpointId}, {"core-network-arn", &f.r.CoreNetworkArn}, {"odb-network-arn", &f.r.OdbNetworkArn},
	} {
		fl.StringVar(s.p, s.name, "", "not supported by ec2lab (refused)")
	}
	addDryRun(cmd, &f.r.DryRun)
}

func newCreateRouteCmd(a *app) *cobra.Command {
	var f routeFlags
	cmd := &cobra.Command{
		Use:   "create-route",
		Short: "Add a route through an internet or NAT gateway to a route table (CreateRoute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "CreateRoute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.CreateRoute(ctx, &f.r)
				return NewObject().Set("Return", true), err
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newReplaceRouteCmd(a *app) *cobra.Command {
	var f routeFlags
	var localTarget bool
	cmd := &cobra.Command{
		Use:   "replace-route",
		Short: "Point a route of a route table at another internet or NAT gateway (ReplaceRoute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// ReplaceRouteRequest numbers CreateRouteRequest's fields alike.
			raw, err := proto.Marshal(&f.r)
			if err != nil {
				return err
			}
			r := &pb.ReplaceRouteRequest{}
			if err := proto.Unmarshal(raw, r); err != nil {
				return err
			}
			r.LocalTarget = localTarget
			return a.call(cmd.Context(), "ReplaceRoute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ReplaceRoute(ctx, r)
				return nil, err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&localTarget, "local-target", false, "not supported by ec2lab (refused)")
	cmd.Flags().Bool("no-local-target", false, "the default")
	return cmd
}

func newDeleteRouteCmd(a *app) *cobra.Command {
	var r pb.DeleteRouteRequest
	cmd := &cobra.Command{
		Use:   "delete-route",
		Short: "Remove a route from a route table (DeleteRoute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteRoute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteRoute(ctx, &r)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&r.RouteTableId, "route-table-id", "", "ID of the route table")
	cmd.Flags().StringVar(&r.DestinationCidrBlock, "destination-cidr-block", "", "IPv4 destination of the route")
	cmd.Flags().StringVar(&r.DestinationIpv6CidrBlock, "destination-ipv6-cidr-block", "", "not supported by ec2lab (refused)")
	cmd.Flags().StringVar(&r.DestinationPrefixListId, "destination-prefix-list-id", "", "not supported by ec2lab (refused)")
	addDryRun(cmd, &r.DryRun)
	return cmd
}

func newAssociateRouteTableCmd(a *app) *cobra.Command {
	var r pb.AssociateRouteTableRequest
	cmd := &cobra.Command{
		Use:   "associate-route-table",
		Short: "Associate a subnet with a route table (AssociateRouteTable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "AssociateRouteTable", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				out, err := c.AssociateRouteTable(ctx, &r)
				return NewObject().Set("AssociationId", out.GetAssociationId()).
					Set("AssociationState", NewObject().Set("State", out.GetAssociationState().GetState())), err
			})
		},
	}
	cmd.Flags().StringVar(&r.RouteTableId, "route-table-id", "", "ID of the route table")
	cmd.Flags().StringVar(&r.SubnetId, "subnet-id", "", "ID of the subnet")
	cmd.Flags().StringVar(&r.GatewayId, "gateway-id", "", "not supported by ec2lab (refused)")
	cmd.Flags().StringVar(&r.PublicIpv4Pool, "public-ipv4-pool", "", "not supported by ec2lab (refused)")
	addDryRun(cmd, &r.DryRun)
	return cmd
}

func newDisassociateRouteTableCmd(a *app) *cobra.Command {
	var r pb.DisassociateRouteTableRequest
	cmd := &cobra.Command{
		Use:   "disassociate-route-table",
		Short: "Remove a subnet's route table association (DisassociateRouteTable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DisassociateRouteTable", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DisassociateRouteTable(ctx, &r)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&r.AssociationId, "association-id", "", "ID of the association")
	addDryRun(cmd, &r.DryRun)
	return cmd
}

func newReplaceRouteTableAssociationCmd(a *app) *cobra.Command {
	var r pb.ReplaceRouteTableAssociationRequest
	cmd := &cobra.Command{
		Use:   "replace-route-table-association",
		Short: "Point an association (the main one too) at another route table (ReplaceRouteTableAssociation)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "ReplaceRouteTableAssociation", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				out, err := c.ReplaceRouteTableAssociation(ctx, &r)
				return NewObject().Set("NewAssociationId", out.GetNewAssociationId()).
					Set("AssociationState", NewObject().Set("State", out.GetAssociationState().GetState())), err
			})
		},
	}
	cmd.Flags().StringVar(&r.AssociationId, "association-id", "", "ID of the association")
	cmd.Flags().StringVar(&r.RouteTableId, "route-table-id", "", "ID of the new route table")
	addDryRun(cmd, &r.DryRun)
	return cmd
}
