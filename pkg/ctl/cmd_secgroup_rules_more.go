package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func newDescribeSecurityGroupRulesCmd(a *app) *cobra.Command {
	var ids, filters []string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-security-group-rules",
		Short: "Describe security group rules one by one (DescribeSecurityGroupRules)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeSecurityGroupRules", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.SecurityGroupRule, string, error) {
					r, err := c.DescribeSecurityGroupRules(ctx, &pb.DescribeSecurityGroupRulesRequest{SecurityGroupRuleIds: ids,
						Filters: flt, MaxResults: max, NextToken: token})
					return r.GetSecurityGroupRules(), r.GetNextToken(), err
				})
				return NewObject().Set("SecurityGroupRules", list(items, docSecurityGroupRule)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "security-group-rule-ids", nil, "security group rule IDs (sgr-...)")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=group-id,Values=sg-... (repeatable)")
	pg.register(cmd)
	markList(cmd, "security-group-rule-ids", "filters")
	return cmd
}

func newModifySecurityGroupRulesCmd(a *app) *cobra.Command {
	var req pb.ModifySecurityGroupRulesRequest
	var rules []string
	cmd := &cobra.Command{
		Use:   "modify-security-group-rules",
		Short: "Replace security group rules in place, keeping their IDs (ModifySecurityGroupRules)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			updates, err := parseRuleUpdates(rules)
			if err != nil {
				return &usageError{err}
			}
			req.SecurityGroupRules = updates
			return a.call(cmd.Context(), "ModifySecurityGroupRules", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ModifySecurityGroupRules(ctx, &req)
				return NewObject().Set("Return", r.GetReturn()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.GroupId, "group-id", "", "ID of the group")
	cmd.Flags().StringArrayVar(&rules, "security-group-rules", nil,
		"SecurityGroupRuleId=sgr-...,SecurityGroupRule={IpProtocol=tcp,FromPort=22,ToPort=22,CidrIpv4=10.0.0.0/8}")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "security-group-rules")
	return cmd
}

func parseRuleUpdates(raws []string) ([]*pb.SecurityGroupRuleUpdate, error) {
	ms, err := structList("security-group-rules", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.SecurityGroupRuleUpdate
	for _, m := range ms {
		f := newFields("SecurityGroupRuleUpdate", m, "SecurityGroupRuleId", "SecurityGroupRule")
		u := &pb.SecurityGroupRuleUpdate{SecurityGroupRuleId: f.str("SecurityGroupRuleId")}
		if sub := f.sub("SecurityGroupRule"); sub != nil {
			rf := newFields("SecurityGroupRuleRequest", sub, "IpProtocol", "FromPort", "ToPort", "CidrIpv4", "CidrIpv6",
				"PrefixListId", "ReferencedGroupId", "Description")
			u.SecurityGroupRule = &pb.SecurityGroupRuleRequest{IpProtocol: rf.str("IpProtocol"), CidrIpv4: rf.str("CidrIpv4"),
				CidrIpv6: rf.str("CidrIpv6"), PrefixListId: rf.str("PrefixListId"),
				ReferencedGroupId: rf.str("ReferencedGroupId"), Description: rf.str("Description")}
			if _, ok := sub["FromPort"]; ok {
				u.SecurityGroupRule.FromPort = new(rf.int32("FromPort"))
			}
			if _, ok := sub["ToPort"]; ok {
				u.SecurityGroupRule.ToPort = new(rf.int32("ToPort"))
			}
			if rf.err != nil {
				return nil, rf.err
			}
		}
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, u)
	}
	return out, nil
}

func newUpdateRuleDescriptionsCmd(a *app, egress bool) *cobra.Command {
	var req pb.UpdateSecurityGroupRuleDescriptionsRequest
	var perms, descs []string
	dir, Dir := dirNames(egress)
	use, action := "update-security-group-rule-descriptions-"+dir, "UpdateSecurityGroupRuleDescriptions"+Dir
	cmd := &cobra.Command{
		Use:   use,
		Short: "Change the descriptions of " + direction(egress) + " rules (" + action + ")",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if len(perms) > 0 {
				if req.IpPermissions, err = parseIPPermissions(perms); err != nil {
					return &usageError{err}
				}
			}
			if req.SecurityGroupRuleDescriptions, err = parseRuleDescriptions(descs); err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				call := c.UpdateSecurityGroupRuleDescriptionsIngress
				if egress {
					call = c.UpdateSecurityGroupRuleDescriptionsEgress
				}
				r, err := call(ctx, &req)
				return NewObject().Set("Return", r.GetReturn()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.GroupId, "group-id", "", "ID of the group")
	cmd.Flags().StringVar(&req.GroupName, "group-name", "", "name of a group of the default VPC")
	cmd.Flags().StringArrayVar(&perms, "ip-permissions", nil,
		"the rules with their new descriptions: IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8,Description=ssh}]")
	cmd.Flags().StringArrayVar(&descs, "security-group-rule-descriptions", nil, "SecurityGroupRuleId=sgr-...,Description=text")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "ip-permissions", "security-group-rule-descriptions")
	return cmd
}

func parseRuleDescriptions(raws []string) ([]*pb.SecurityGroupRuleDescription, error) {
	ms, err := structList("security-group-rule-descriptions", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.SecurityGroupRuleDescription
	for _, m := range ms {
		f := newFields("SecurityGroupRuleDescription", m, "SecurityGroupRuleId", "Description")
		out = append(out, &pb.SecurityGroupRuleDescription{SecurityGroupRuleId: f.str("SecurityGroupRuleId"),
			Description: f.str("Description")})
		if f.err != nil {
			return nil, f.err
		}
	}
	return out, nil
}

// docSecurityGroupRule is an EC2 SecurityGroupRule, members in the model's order.
func docSecurityGroupRule(r *pb.SecurityGroupRule) any {
	o := NewObject().Set("SecurityGroupRuleId", r.GetSecurityGroupRuleId()).
		Set("GroupId", r.GetGroupId()).
		Set("GroupOwnerId", r.GetGroupOwnerId()).
		Set("IsEgress", r.GetIsEgress()).
		Set("IpProtocol", r.GetIpProtocol()).
		Set("FromPort", int64(r.GetFromPort())).
		Set("ToPort", int64(r.GetToPort())).
		Str("CidrIpv4", r.GetCidrIpv4())
	if g := r.GetReferencedGroupInfo(); g != nil {
		o.Set("ReferencedGroupInfo", NewObject().Set("GroupId", g.GetGroupId()).Str("UserId", g.GetUserId()))
	}
	o.Str("Description", r.GetDescription())
	return o.Set("Tags", docTags(r.GetTags())).Str("SecurityGroupRuleArn", r.GetSecurityGroupRuleArn())
}

// docRevokedRule is an EC2 RevokedSecurityGroupRule.
func docRevokedRule(r *pb.SecurityGroupRule) any {
	o := NewObject().Set("SecurityGroupRuleId", r.GetSecurityGroupRuleId()).
		Set("GroupId", r.GetGroupId()).
		Set("IsEgress", r.GetIsEgress()).
		Set("IpProtocol", r.GetIpProtocol()).
		Set("FromPort", int64(r.GetFromPort())).
		Set("ToPort", int64(r.GetToPort())).
		Str("CidrIpv4", r.GetCidrIpv4())
	if g := r.GetReferencedGroupInfo(); g != nil {
		o.Str("ReferencedGroupId", g.GetGroupId())
	}
	return o.Str("Description", r.GetDescription())
}
