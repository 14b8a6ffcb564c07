package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addInterfaceAttributeCommands) }

// addInterfaceAttributeCommands registers the network interface attribute
// verbs and the security groups by VPC verbs.
func addInterfaceAttributeCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeNetworkInterfaceAttributeCmd(a), newModifyNetworkInterfaceAttributeCmd(a),
		newResetNetworkInterfaceAttributeCmd(a), newDescribeSecurityGroupReferencesCmd(a),
		newDescribeStaleSecurityGroupsCmd(a), newGetSecurityGroupsForVpcCmd(a))
}

func newDescribeNetworkInterfaceAttributeCmd(a *app) *cobra.Command {
	var req pb.DescribeNetworkInterfaceAttributeRequest
	cmd := &cobra.Command{
		Use:   "describe-network-interface-attribute",
		Short: "Describe one attribute of a network interface (DescribeNetworkInterfaceAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeNetworkInterfaceAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeNetworkInterfaceAttribute(ctx, &req)
				return docInterfaceAttribute(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.NetworkInterfaceId, "network-interface-id", "", "the interface")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", "description, groupSet, sourceDestCheck, attachment or associatePublicIpAddress")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

// docInterfaceAttribute is EC2's DescribeNetworkInterfaceAttributeResult.
func docInterfaceAttribute(r *pb.DescribeNetworkInterfaceAttributeResponse) any {
	o := NewObject()
	if at := r.GetAttachment(); at != nil {
		o.Set("Attachment", NewObject().Time("AttachTime", at.GetAttachTime()).Set("AttachmentId", at.GetAttachmentId()).
			Set("DeleteOnTermination", at.GetDeleteOnTermination()).Set("DeviceIndex", int64(at.GetDeviceIndex())).
			Set("NetworkCardIndex", int64(at.GetNetworkCardIndex())).Str("InstanceId", at.GetInstanceId()).
			Str("InstanceOwnerId", at.GetInstanceOwnerId()).Set("Status", at.GetStatus()))
	}
	if d := r.GetDescription(); d != nil {
		o.Set("Description", NewObject().Set("Value", d.GetValue()))
	}
	if r.GetAttribute() == "groupSet" {
		o.Set("Groups", list(r.GetGroups(), docGroupIdentifier))
	}
	o.Set("NetworkInterfaceId", r.GetNetworkInterfaceId())
	if v := r.GetSourceDestCheck(); v != nil {
		o.Set("SourceDestCheck", NewObject().Set("Value", v.GetValue()))
	}
	if r.AssociatePublicIpAddress != nil {
		o.Set("AssociatePublicIpAddress", r.GetAssociatePublicIpAddress())
	}
	return o
}

// modifyInterfaceFlags are modify-network-interface-attribute's flags.
type modifyInterfaceFlags struct {
	req                     pb.ModifyNetworkInterfaceAttributeRequest
	description, attachment string
	check                   *boolAttr
}

// request builds the request; --description and --attachment take the
// AWS CLI's shorthand or JSON.
func (fl *modifyInterfaceFlags) request() (*pb.ModifyNetworkInterfaceAttributeRequest, error) {
	req := &fl.req
	var err error
	if req.SourceDestCheck, err = fl.check.value(); err != nil {
		return nil, err
	}
	if fl.description != "" {
		m, err := oneStruct("description", fl.description, "one structure Value=string")
		if err != nil {
			return nil, &usageError{err}
		}
		f := newFields("AttributeValue", m, "Value")
		req.Description = &pb.AttributeValue{Value: f.str("Value")}
		if f.err != nil {
			return nil, &usageError{f.err}
		}
	}
	if fl.attachment != "" {
		m, err := oneStruct("attachment", fl.attachment, "one structure AttachmentId=string,DeleteOnTermination=boolean")
		if err != nil {
			return nil, &usageError{err}
		}
		f := newFields("NetworkInterfaceAttachmentChanges", m, "AttachmentId", "DeleteOnTermination")
		req.Attachment = &pb.NetworkInterfaceAttachmentChanges{AttachmentId: f.str("AttachmentId"),
			DeleteOnTermination: f.boolPtr("DeleteOnTermination")}
		if f.err != nil {
			return nil, &usageError{f.err}
		}
	}
	return req, nil
}

func newModifyNetworkInterfaceAttributeCmd(a *app) *cobra.Command {
	var fl modifyInterfaceFlags
	cmd := &cobra.Command{
		Use:   "modify-network-interface-attribute",
		Short: "Change one attribute of a network interface (ModifyNetworkInterfaceAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := fl.request()
			if err != nil {
				return err
			}
			return a.call(cmd.Context(), "ModifyNetworkInterfaceAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ModifyNetworkInterfaceAttribute(ctx, req)
				return nil, err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.req.NetworkInterfaceId, "network-interface-id", "", "the interface")
	f.StringVar(&fl.description, "description", "", "Value=string or JSON")
	f.StringSliceVar(&fl.req.Groups, "groups", nil, "security group IDs (the interface's new groups)")
	f.StringVar(&fl.attachment, "attachment", "", "AttachmentId=string,DeleteOnTermination=boolean or JSON")
	fl.check = addBoolAttr(cmd, "source-dest-check", "source/destination checking")
	addDryRun(cmd, &fl.req.DryRun)
	markList(cmd, "groups")
	return cmd
}

func newResetNetworkInterfaceAttributeCmd(a *app) *cobra.Command {
	var req pb.ResetNetworkInterfaceAttributeRequest
	cmd := &cobra.Command{
		Use:   "reset-network-interface-attribute",
		Short: "Turn a network interface's source/destination check back on (ResetNetworkInterfaceAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "ResetNetworkInterfaceAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ResetNetworkInterfaceAttribute(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.NetworkInterfaceId, "network-interface-id", "", "the interface")
	cmd.Flags().StringVar(&req.SourceDestCheck, "source-dest-check", "", "the attribute to reset (any value)")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newDescribeSecurityGroupReferencesCmd(a *app) *cobra.Command {
	var req pb.DescribeSecurityGroupReferencesRequest
	cmd := &cobra.Command{
		Use:   "describe-security-group-references",
		Short: "Describe the peered VPCs' groups that refer to your groups (DescribeSecurityGroupReferences)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeSecurityGroupReferences", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeSecurityGroupReferences(ctx, &req)
				return NewObject().Set("SecurityGroupReferenceSet", list(r.GetSecurityGroupReferenceSet(), func(g *pb.SecurityGroupReference) any {
					return NewObject().Set("GroupId", g.GetGroupId()).Set("ReferencingVpcId", g.GetReferencingVpcId()).
						Str("VpcPeeringConnectionId", g.GetVpcPeeringConnectionId())
				})), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&req.GroupIds, "group-id", nil, "security group IDs")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "group-id")
	return cmd
}

func newDescribeStaleSecurityGroupsCmd(a *app) *cobra.Command {
	var pg pageFlags
	var vpc string
	var dry bool
	cmd := &cobra.Command{
		Use:   "describe-stale-security-groups",
		Short: "Describe a VPC's groups with rules that refer to deleted groups (DescribeStaleSecurityGroups)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeStaleSecurityGroups", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.StaleSecurityGroup, string, error) {
					r, err := c.DescribeStaleSecurityGroups(ctx, &pb.DescribeStaleSecurityGroupsRequest{VpcId: vpc,
						MaxResults: max, NextToken: token, DryRun: dry})
					return r.GetStaleSecurityGroupSet(), r.GetNextToken(), err
				})
				return NewObject().Str("NextToken", next).Set("StaleSecurityGroupSet", list(items, docStaleGroup)), err
			})
		},
	}
	cmd.Flags().StringVar(&vpc, "vpc-id", "", "the VPC")
	pg.register(cmd)
	addDryRun(cmd, &dry)
	return cmd
}

// docStaleGroup is an EC2 StaleSecurityGroup.
func docStaleGroup(g *pb.StaleSecurityGroup) any {
	perm := func(p *pb.StaleIpPermission) any {
		o := NewObject()
		if p.GetIpProtocol() != "-1" {
			o.Set("FromPort", int64(p.GetFromPort()))
		}
		o.Set("IpProtocol", p.GetIpProtocol())
		if p.GetIpProtocol() != "-1" {
			o.Set("ToPort", int64(p.GetToPort()))
		}
		return o.Set("UserIdGroupPairs", list(p.GetUserIdGroupPairs(), func(u *pb.UserIdGroupPair) any {
			return NewObject().Set("GroupId", u.GetGroupId())
		}))
	}
	return NewObject().Set("Description", g.GetDescription()).Set("GroupId", g.GetGroupId()).
		Set("GroupName", g.GetGroupName()).Set("StaleIpPermissions", list(g.GetStaleIpPermissions(), perm)).
		Set("StaleIpPermissionsEgress", list(g.GetStaleIpPermissionsEgress(), perm)).Set("VpcId", g.GetVpcId())
}

func newGetSecurityGroupsForVpcCmd(a *app) *cobra.Command {
	var d listFlags
	var vpc string
	var dry bool
	cmd := &cobra.Command{
		Use:   "get-security-groups-for-vpc",
		Short: "List your security groups usable in a VPC (GetSecurityGroupsForVpc)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "GetSecurityGroupsForVpc", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.SecurityGroupForVpc, string, error) {
					r, err := c.GetSecurityGroupsForVpc(ctx, &pb.GetSecurityGroupsForVpcRequest{VpcId: vpc, Filters: flt,
						MaxResults: max, NextToken: token, DryRun: dry})
					return r.GetSecurityGroupForVpcs(), r.GetNextToken(), err
				})
				return NewObject().Str("NextToken", next).Set("SecurityGroupForVpcs", list(items, func(g *pb.SecurityGroupForVpc) any {
					return NewObject().Set("Description", g.GetDescription()).Set("GroupName", g.GetGroupName()).
						Set("OwnerId", g.GetOwnerId()).Set("GroupId", g.GetGroupId()).Set("Tags", docTags(g.GetTags())).
						Set("PrimaryVpcId", g.GetPrimaryVpcId())
				})), err
			})
		},
	}
	cmd.Flags().StringVar(&vpc, "vpc-id", "", "the VPC")
	cmd.Flags().StringArrayVar(&d.filters, "filters", nil, "Name=group-name,Values=web (repeatable)")
	d.pg.register(cmd)
	markList(cmd, "filters")
	addDryRun(cmd, &dry)
	return cmd
}
