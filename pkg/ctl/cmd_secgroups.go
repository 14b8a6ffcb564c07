package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addSecurityGroupCommands) }

func addSecurityGroupCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateSecurityGroupCmd(a), newDescribeSecurityGroupsCmd(a), newDeleteSecurityGroupCmd(a))
	for _, egress := range []bool{false, true} {
		root.AddCommand(newAuthorizeCmd(a, egress), newRevokeCmd(a, egress), newUpdateRuleDescriptionsCmd(a, egress))
	}
	root.AddCommand(newDescribeSecurityGroupRulesCmd(a), newModifySecurityGroupRulesCmd(a))
}

func newCreateSecurityGroupCmd(a *app) *cobra.Command {
	var req pb.CreateSecurityGroupRequest
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "create-security-group",
		Short: "Create a security group: no inbound rules, all outbound (CreateSecurityGroup)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			req.TagSpecifications = specs
			return a.call(cmd.Context(), "CreateSecurityGroup", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateSecurityGroup(ctx, &req)
				return NewObject().Set("GroupId", r.GetGroupId()).Str("SecurityGroupArn", r.GetSecurityGroupArn()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.GroupName, "group-name", "", "name of the group, unique in its VPC")
	cmd.Flags().StringVar(&req.Description, "description", "", "description of the group")
	cmd.Flags().StringVar(&req.VpcId, "vpc-id", "", "VPC of the group (default: the default VPC)")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=security-group,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newDescribeSecurityGroupsCmd(a *app) *cobra.Command {
	var ids, names, filters []string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-security-groups",
		Short: "Describe security groups and their rules (DescribeSecurityGroups)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeSecurityGroups", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.SecurityGroup, string, error) {
					r, err := c.DescribeSecurityGroups(ctx, &pb.DescribeSecurityGroupsRequest{GroupIds: ids, GroupNames: names,
						Filters: flt, MaxResults: max, NextToken: token})
					return r.GetSecurityGroups(), r.GetNextToken(), err
				})
				return NewObject().Set("SecurityGroups", list(items, docSecurityGroup)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "group-ids", nil, "security group IDs")
	cmd.Flags().StringSliceVar(&names, "group-names", nil, "security group names")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=vpc-id,Values=vpc-... (repeatable)")
	pg.register(cmd)
	markList(cmd, "group-ids", "group-names", "filters")
	return cmd
}

func newDeleteSecurityGroupCmd(a *app) *cobra.Command {
	var req pb.DeleteSecurityGroupRequest
	cmd := &cobra.Command{
		Use:   "delete-security-group",
		Short: "Delete a security group no instance uses (DeleteSecurityGroup)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteSecurityGroup", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteSecurityGroup(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.GroupId, "group-id", "", "ID of the group")
	cmd.Flags().StringVar(&req.GroupName, "group-name", "", "name of a group of the default VPC")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

// docSecurityGroup is an EC2 SecurityGroup, members in the model's order.
func docSecurityGroup(g *pb.SecurityGroup) any {
	o := NewObject().Set("GroupId", g.GetGroupId()).
		Set("IpPermissionsEgress", list(g.GetIpPermissionsEgress(), docIPPermission))
	if len(g.GetTags()) > 0 {
		o.Set("Tags", docTags(g.GetTags()))
	}
	return o.Set("VpcId", g.GetVpcId()).
		Str("SecurityGroupArn", g.GetSecurityGroupArn()).
		Set("OwnerId", g.GetOwnerId()).
		Set("GroupName", g.GetGroupName()).
		Set("Description", g.GetDescription()).
		Set("IpPermissions", list(g.GetIpPermissions(), docIPPermission))
}

// docIPPermission is an EC2 IpPermission; the all-protocols rule has no ports.
func docIPPermission(p *pb.IpPermission) any {
	o := NewObject().Set("IpProtocol", p.GetIpProtocol())
	if p.GetIpProtocol() != "-1" {
		o.Set("FromPort", int64(p.GetFromPort())).Set("ToPort", int64(p.GetToPort()))
	}
	return o.Set("UserIdGroupPairs", list(p.GetUserIdGroupPairs(), func(g *pb.UserIdGroupPair) any {
		return NewObject().Str("Description", g.GetDescription()).Str("UserId", g.GetUserId()).Set("GroupId", g.GetGroupId())
	})).Set("IpRanges", list(p.GetIpRanges(), func(r *pb.IpRange) any {
		return NewObject().Str("Description", r.GetDescription()).Set("CidrIp", r.GetCidrIp())
	})).Set("Ipv6Ranges", list(p.GetIpv6Ranges(), func(r *pb.Ipv6Range) any {
		return NewObject().Str("Description", r.GetDescription()).Set("CidrIpv6", r.GetCidrIpv6())
	})).Set("PrefixListIds", list(p.GetPrefixListIds(), func(r *pb.PrefixListId) any {
		return NewObject().Str("Description", r.GetDescription()).Set("PrefixListId", r.GetPrefixListId())
	}))
}

// docGroupIdentifier is an EC2 GroupIdentifier.
func docGroupIdentifier(g *pb.GroupIdentifier) any {
	return NewObject().Set("GroupId", g.GetGroupId()).Set("GroupName", g.GetGroupName())
}
