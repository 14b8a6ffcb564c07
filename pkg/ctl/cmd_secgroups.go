package ctl

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addSecurityGroupCommands) }

func addSecurityGroupCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateSecurityGroupCmd(a), newDescribeSecurityGroupsCmd(a), newDeleteSecurityGroupCmd(a))
	for _, v := range ruleVerbs {
		root.AddCommand(newSecurityGroupRuleCmd(a, v))
	}
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
				return NewObject().Set("GroupId", r.GetGroupId()), err
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

// ruleVerb is one of the four rule commands.
type ruleVerb struct {
	use, action, short string
	call               func(pb.ComputeClient, context.Context, *pb.SecurityGroupRulesRequest) (*pb.SecurityGroupRulesResponse, error)
}

var ruleVerbs = []ruleVerb{
	{"authorize-security-group-ingress", "AuthorizeSecurityGroupIngress", "Add inbound rules to a security group",
		wrapRules(pb.ComputeClient.AuthorizeSecurityGroupIngress)},
	{"authorize-security-group-egress", "AuthorizeSecurityGroupEgress", "Add outbound rules to a security group",
		wrapRules(pb.ComputeClient.AuthorizeSecurityGroupEgress)},
	{"revoke-security-group-ingress", "RevokeSecurityGroupIngress", "Remove inbound rules from a security group",
		wrapRules(pb.ComputeClient.RevokeSecurityGroupIngress)},
	{"revoke-security-group-egress", "RevokeSecurityGroupEgress", "Remove outbound rules from a security group",
		wrapRules(pb.ComputeClient.RevokeSecurityGroupEgress)},
}

func wrapRules[O any](f func(pb.ComputeClient, context.Context, *pb.SecurityGroupRulesRequest, ...O) (*pb.SecurityGroupRulesResponse, error)) func(pb.ComputeClient, context.Context, *pb.SecurityGroupRulesRequest) (*pb.SecurityGroupRulesResponse, error) {
	return func(c pb.ComputeClient, ctx context.Context, r *pb.SecurityGroupRulesRequest) (*pb.SecurityGroupRulesResponse, error) {
		return f(c, ctx, r)
	}
}

// ruleFlags are the AWS CLI's two ways to give rules: one simple rule
// (--protocol, --port, --cidr / --source-group) or --ip-permissions.
type ruleFlags struct {
	groupID, protocol, port, cidr, sourceGroup string
	perms                                      []string
	dryRun                                     bool
}

func newSecurityGroupRuleCmd(a *app, v ruleVerb) *cobra.Command {
	var fl ruleFlags
	cmd := &cobra.Command{
		Use:   v.use,
		Short: v.short + " (" + v.action + ")",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			perms, err := fl.permissions()
			if err != nil {
				return &usageError{err}
			}
			req := &pb.SecurityGroupRulesRequest{GroupId: fl.groupID, IpPermissions: perms, DryRun: fl.dryRun}
			return a.call(cmd.Context(), v.action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := v.call(c, ctx, req)
				return NewObject().Set("Return", r.GetReturn()), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.groupID, "group-id", "", "ID of the group")
	f.StringVar(&fl.protocol, "protocol", "", "tcp, udp, icmp, all (-1) or a protocol number")
	f.StringVar(&fl.port, "port", "", "port or range (22, 8000-8010); for icmp the type; default all")
	f.StringVar(&fl.cidr, "cidr", "", "peer IPv4 CIDR, e.g. 10.0.0.0/8")
	f.StringVar(&fl.sourceGroup, "source-group", "", "peer security group ID")
	f.StringArrayVar(&fl.perms, "ip-permissions", nil,
		`IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8}] (shorthand or JSON list)`)
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "ip-permissions")
	return cmd
}

func (fl *ruleFlags) permissions() ([]*pb.IpPermission, error) {
	if len(fl.perms) > 0 {
		if fl.protocol != "" || fl.port != "" || fl.cidr != "" || fl.sourceGroup != "" {
			return nil, fmt.Errorf("--ip-permissions cannot be combined with --protocol, --port, --cidr or --source-group")
		}
		return parseIPPermissions(fl.perms)
	}
	if fl.protocol == "" {
		return nil, fmt.Errorf("give --protocol (with --cidr or --source-group) or --ip-permissions")
	}
	from, to, err := parsePortRange(fl.port)
	if err != nil {
		return nil, err
	}
	p := &pb.IpPermission{IpProtocol: fl.protocol, FromPort: from, ToPort: to}
	if strings.EqualFold(fl.protocol, "all") {
		p.IpProtocol = "-1"
	}
	if fl.cidr != "" {
		p.IpRanges = []*pb.IpRange{{CidrIp: fl.cidr}}
	}
	if fl.sourceGroup != "" {
		p.UserIdGroupPairs = []*pb.UserIdGroupPair{{GroupId: fl.sourceGroup}}
	}
	return []*pb.IpPermission{p}, nil
}

// parsePortRange reads "", "-1", "all" (every port), "22" or "8000-8010".
func parsePortRange(s string) (int32, int32, error) {
	if s == "" || s == "-1" || s == "all" {
		return -1, -1, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	from, err := strconv.ParseInt(lo, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("invalid --port %q", s)
	}
	to := from
	if isRange {
		if to, err = strconv.ParseInt(hi, 10, 32); err != nil {
			return 0, 0, fmt.Errorf("invalid --port %q", s)
		}
	}
	return int32(from), int32(to), nil
}

func parseIPPermissions(raws []string) ([]*pb.IpPermission, error) {
	ms, err := structList("ip-permissions", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.IpPermission
	for _, m := range ms {
		f := newFields("IpPermission", m, "IpProtocol", "FromPort", "ToPort", "IpRanges", "UserIdGroupPairs")
		p := &pb.IpPermission{IpProtocol: f.str("IpProtocol"), FromPort: f.int32("FromPort"), ToPort: f.int32("ToPort")}
		if _, ok := m["FromPort"]; !ok {
			p.FromPort, p.ToPort = -1, -1
		}
		for _, r := range f.structs("IpRanges") {
			rf := newFields("IpRange", r, "CidrIp", "Description")
			p.IpRanges = append(p.IpRanges, &pb.IpRange{CidrIp: rf.str("CidrIp"), Description: rf.str("Description")})
			if rf.err != nil {
				return nil, rf.err
			}
		}
		for _, g := range f.structs("UserIdGroupPairs") {
			gf := newFields("UserIdGroupPair", g, "GroupId", "UserId", "Description")
			p.UserIdGroupPairs = append(p.UserIdGroupPairs, &pb.UserIdGroupPair{GroupId: gf.str("GroupId")})
			if gf.err != nil {
				return nil, gf.err
			}
		}
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, p)
	}
	return out, nil
}

// docSecurityGroup is an EC2 SecurityGroup.
func docSecurityGroup(g *pb.SecurityGroup) any {
	o := NewObject().Set("GroupId", g.GetGroupId()).
		Set("GroupName", g.GetGroupName()).
		Set("Description", g.GetDescription()).
		Set("VpcId", g.GetVpcId()).
		Set("OwnerId", g.GetOwnerId()).
		Set("IpPermissions", list(g.GetIpPermissions(), docIPPermission)).
		Set("IpPermissionsEgress", list(g.GetIpPermissionsEgress(), docIPPermission))
	if len(g.GetTags()) > 0 {
		o.Set("Tags", docTags(g.GetTags()))
	}
	return o
}

// docIPPermission is an EC2 IpPermission; the all-protocols rule has no ports.
func docIPPermission(p *pb.IpPermission) any {
	o := NewObject().Set("IpProtocol", p.GetIpProtocol())
	if p.GetIpProtocol() != "-1" {
		o.Set("FromPort", int64(p.GetFromPort())).Set("ToPort", int64(p.GetToPort()))
	}
	return o.Set("IpRanges", list(p.GetIpRanges(), func(r *pb.IpRange) any {
		return NewObject().Set("CidrIp", r.GetCidrIp()).Str("Description", r.GetDescription())
	})).Set("UserIdGroupPairs", list(p.GetUserIdGroupPairs(), func(g *pb.UserIdGroupPair) any {
		return NewObject().Set("GroupId", g.GetGroupId())
	}))
}

// docGroupIdentifier is an EC2 GroupIdentifier.
func docGroupIdentifier(g *pb.GroupIdentifier) any {
	return NewObject().Set("GroupId", g.GetGroupId()).Set("GroupName", g.GetGroupName())
}
