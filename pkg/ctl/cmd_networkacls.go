package ctl

import (
	"context"
	"fmt"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addNetworkACLCommands) }

func addNetworkACLCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateNetworkACLCmd(a), newDeleteNetworkACLCmd(a),
		newNetworkACLEntryCmd(a, "create-network-acl-entry", "CreateNetworkAclEntry", "Add an entry to a network ACL"),
		newNetworkACLEntryCmd(a, "replace-network-acl-entry", "ReplaceNetworkAclEntry", "Replace an entry of a network ACL"),
		newDeleteNetworkACLEntryCmd(a), newReplaceNetworkACLAssociationCmd(a))
}

func newCreateNetworkACLCmd(a *app) *cobra.Command {
	var req pb.CreateNetworkAclRequest
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "create-network-acl",
		Short: "Create a network ACL in a VPC, with only its catch-all deny entries (CreateNetworkAcl)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			req.TagSpecifications = specs
			return a.call(cmd.Context(), "CreateNetworkAcl", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateNetworkAcl(ctx, &req)
				return NewObject().Set("NetworkAcl", docNetworkACL(r.GetNetworkAcl())).Str("ClientToken", r.GetClientToken()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.VpcId, "vpc-id", "", "ID of the VPC")
	cmd.Flags().StringVar(&req.ClientToken, "client-token", "", "idempotency token (accepted and echoed)")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=network-acl,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newDeleteNetworkACLCmd(a *app) *cobra.Command {
	var req pb.DeleteNetworkAclRequest
	cmd := &cobra.Command{
		Use:   "delete-network-acl",
		Short: "Delete a network ACL no subnet is associated with (DeleteNetworkAcl)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteNetworkAcl", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteNetworkAcl(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.NetworkAclId, "network-acl-id", "", "ID of the network ACL")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

// aclDirection holds the AWS CLI's --egress and --ingress (its name for
// --no-egress): the last one given wins, and neither means ingress.
type aclDirection struct{ egress, ingress bool }

func (d *aclDirection) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&d.egress, "egress", false, "the entry is for outbound traffic")
	cmd.Flags().BoolVar(&d.ingress, "ingress", false, "the entry is for inbound traffic (the default)")
}

func (d *aclDirection) isEgress(cmd *cobra.Command) (bool, error) {
	if cmd.Flags().Changed("egress") && cmd.Flags().Changed("ingress") && d.egress && d.ingress {
		return false, fmt.Errorf("--egress and --ingress cannot both be given")
	}
	return d.egress && !d.ingress, nil
}

// aclProtocols are the names the AWS CLI turns into protocol numbers for
// the entry commands (awscli/customizations/ec2/protocolarg.py).
var aclProtocols = map[string]string{"tcp": "6", "udp": "17", "icmp": "1", "all": "-1"}

func newNetworkACLEntryCmd(a *app, use, action, short string) *cobra.Command {
	var req pb.NetworkAclEntryRequest
	var dir aclDirection
	var portRange, icmp string
	cmd := &cobra.Command{
		Use:   use,
		Short: short + " (" + action + ")",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.Egress, err = dir.isEgress(cmd); err != nil {
				return &usageError{err}
			}
			if n, ok := aclProtocols[req.Protocol]; ok {
				req.Protocol = n
			}
			if req.PortRange, err = parseACLPortRange(portRange); err != nil {
				return &usageError{err}
			}
			if req.IcmpTypeCode, err = parseIcmpTypeCode(icmp); err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				call := c.CreateNetworkAclEntry
				if action == "ReplaceNetworkAclEntry" {
					call = c.ReplaceNetworkAclEntry
				}
				_, err := call(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.NetworkAclId, "network-acl-id", "", "ID of the network ACL")
	cmd.Flags().Int32Var(&req.RuleNumber, "rule-number", 0, "rule number, 1 to 32766 (lower numbers are evaluated first)")
	cmd.Flags().StringVar(&req.Protocol, "protocol", "", "protocol number, -1 for all, or tcp, udp, icmp, all")
	cmd.Flags().StringVar(&req.RuleAction, "rule-action", "", "allow or deny")
	dir.register(cmd)
	cmd.Flags().StringVar(&req.CidrBlock, "cidr-block", "", "IPv4 CIDR block, e.g. 10.0.0.0/16")
	cmd.Flags().StringVar(&req.Ipv6CidrBlock, "ipv6-cidr-block", "", "not supported (ec2lab is IPv4 only)")
	cmd.Flags().StringVar(&portRange, "port-range", "", "From=int,To=int (required for tcp and udp)")
	cmd.Flags().StringVar(&icmp, "icmp-type-code", "", "Type=int,Code=int, -1 for any (required for icmp)")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

// parseACLPortRange reads --port-range From=..,To=.. (shorthand or JSON).
func parseACLPortRange(raw string) (*pb.PortRange, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("port-range", []string{raw})
	if err != nil || len(ms) != 1 {
		return nil, err
	}
	f := newFields("PortRange", ms[0], "From", "To")
	return &pb.PortRange{From: f.int32Ptr("From"), To: f.int32Ptr("To")}, f.err
}

// parseIcmpTypeCode reads --icmp-type-code Type=..,Code=.. (shorthand or
// JSON).
func parseIcmpTypeCode(raw string) (*pb.IcmpTypeCode, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("icmp-type-code", []string{raw})
	if err != nil || len(ms) != 1 {
		return nil, err
	}
	f := newFields("IcmpTypeCode", ms[0], "Code", "Type")
	return &pb.IcmpTypeCode{Type: f.int32Ptr("Type"), Code: f.int32Ptr("Code")}, f.err
}

func newDeleteNetworkACLEntryCmd(a *app) *cobra.Command {
	var req pb.DeleteNetworkAclEntryRequest
	var dir aclDirection
	cmd := &cobra.Command{
		Use:   "delete-network-acl-entry",
		Short: "Delete an entry of a network ACL (DeleteNetworkAclEntry)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.Egress, err = dir.isEgress(cmd); err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DeleteNetworkAclEntry", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteNetworkAclEntry(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.NetworkAclId, "network-acl-id", "", "ID of the network ACL")
	cmd.Flags().Int32Var(&req.RuleNumber, "rule-number", 0, "rule number of the entry")
	dir.register(cmd)
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newReplaceNetworkACLAssociationCmd(a *app) *cobra.Command {
	var req pb.ReplaceNetworkAclAssociationRequest
	cmd := &cobra.Command{
		Use:   "replace-network-acl-association",
		Short: "Move a subnet to another network ACL of its VPC (ReplaceNetworkAclAssociation)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "ReplaceNetworkAclAssociation", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ReplaceNetworkAclAssociation(ctx, &req)
				return NewObject().Str("NewAssociationId", r.GetNewAssociationId()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.AssociationId, "association-id", "", "ID of the subnet's current association (aclassoc-...)")
	cmd.Flags().StringVar(&req.NetworkAclId, "network-acl-id", "", "ID of the network ACL to move the subnet to")
	addDryRun(cmd, &req.DryRun)
	return cmd
}
