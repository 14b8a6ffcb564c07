package ctl

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// ruleFlags are the AWS CLI's two ways to give rules: one simple rule
// (--protocol, --port, --cidr / --source-group) or --ip-permissions.
type ruleFlags struct {
	groupID, protocol, port, cidr, sourceGroup string
	perms                                      []string
	dryRun                                     bool
}

// register adds the rule flags to cmd.
func (fl *ruleFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&fl.groupID, "group-id", "", "ID of the group")
	f.StringVar(&fl.protocol, "protocol", "", "tcp, udp, icmp, all (-1) or a protocol number")
	f.StringVar(&fl.port, "port", "", "port or range (22, 8000-8010); for icmp the type; default all")
	f.StringVar(&fl.cidr, "cidr", "", "peer IPv4 CIDR, e.g. 10.0.0.0/8")
	f.StringVar(&fl.sourceGroup, "source-group", "", "peer security group ID")
	f.StringArrayVar(&fl.perms, "ip-permissions", nil,
		`IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8,Description=ssh}] (shorthand or JSON list)`)
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "ip-permissions")
}

// ruleVerbName is the verb and action of a rule command ("authorize", false:
// authorize-security-group-ingress, AuthorizeSecurityGroupIngress).
func ruleVerbName(verb string, egress bool) (use, action string) {
	dir, Dir := dirNames(egress)
	return verb + "-security-group-" + dir, strings.ToUpper(verb[:1]) + verb[1:] + "SecurityGroup" + Dir
}

// dirNames names a rule direction as verbs and actions end.
func dirNames(egress bool) (dir, Dir string) {
	if egress {
		return "egress", "Egress"
	}
	return "ingress", "Ingress"
}

func newAuthorizeCmd(a *app, egress bool) *cobra.Command {
	var fl ruleFlags
	var tagSpecs []string
	use, action := ruleVerbName("authorize", egress)
	cmd := &cobra.Command{
		Use:   use,
		Short: "Add " + direction(egress) + " rules to a security group (" + action + ")",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			perms, err := fl.permissions()
			if err != nil {
				return &usageError{err}
			}
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			req := &pb.SecurityGroupRulesRequest{GroupId: fl.groupID, IpPermissions: perms, DryRun: fl.dryRun,
				TagSpecifications: specs}
			return a.call(cmd.Context(), action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				call := c.AuthorizeSecurityGroupIngress
				if egress {
					call = c.AuthorizeSecurityGroupEgress
				}
				r, err := call(ctx, req)
				return NewObject().Set("Return", r.GetReturn()).
					Set("SecurityGroupRules", list(r.GetSecurityGroupRules(), docSecurityGroupRule)), err
			})
		},
	}
	fl.register(cmd)
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=security-group-rule,Tags=[{Key=k,Value=v}]")
	markList(cmd, "tag-specifications")
	return cmd
}

func newRevokeCmd(a *app, egress bool) *cobra.Command {
	var fl ruleFlags
	var ruleIDs []string
	use, action := ruleVerbName("revoke", egress)
	cmd := &cobra.Command{
		Use:   use,
		Short: "Remove " + direction(egress) + " rules from a security group (" + action + ")",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var perms []*pb.IpPermission
			if len(ruleIDs) == 0 || fl.given() {
				var err error
				if perms, err = fl.permissions(); err != nil {
					return &usageError{err}
				}
			}
			req := &pb.RevokeSecurityGroupRulesRequest{GroupId: fl.groupID, IpPermissions: perms,
				SecurityGroupRuleIds: ruleIDs, DryRun: fl.dryRun}
			return a.call(cmd.Context(), action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				call := c.RevokeSecurityGroupIngress
				if egress {
					call = c.RevokeSecurityGroupEgress
				}
				r, err := call(ctx, req)
				return NewObject().Set("Return", r.GetReturn()).
					Set("RevokedSecurityGroupRules", list(r.GetRevokedSecurityGroupRules(), docRevokedRule)), err
			})
		},
	}
	fl.register(cmd)
	cmd.Flags().StringSliceVar(&ruleIDs, "security-group-rule-ids", nil, "IDs of the rules to remove (sgr-...)")
	markList(cmd, "security-group-rule-ids")
	return cmd
}

func direction(egress bool) string {
	if egress {
		return "outbound"
	}
	return "inbound"
}

// given reports whether any rule flag was set.
func (fl *ruleFlags) given() bool {
	return len(fl.perms) > 0 || fl.protocol != "" || fl.port != "" || fl.cidr != "" || fl.sourceGroup != ""
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
		p, err := toIPPermission(m)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// toIPPermission reads one IpPermission; without FromPort its ports are all (-1).
func toIPPermission(m map[string]any) (*pb.IpPermission, error) {
	f := newFields("IpPermission", m, "IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")
	p := &pb.IpPermission{IpProtocol: f.str("IpProtocol"), FromPort: f.int32("FromPort"), ToPort: f.int32("ToPort")}
	if _, ok := m["FromPort"]; !ok {
		p.FromPort, p.ToPort = -1, -1
	}
	var errs []error
	for _, r := range f.structs("IpRanges") {
		rf := newFields("IpRange", r, "CidrIp", "Description")
		p.IpRanges = append(p.IpRanges, &pb.IpRange{CidrIp: rf.str("CidrIp"), Description: rf.str("Description")})
		errs = append(errs, rf.err)
	}
	for _, r := range f.structs("Ipv6Ranges") {
		rf := newFields("Ipv6Range", r, "CidrIpv6", "Description")
		p.Ipv6Ranges = append(p.Ipv6Ranges, &pb.Ipv6Range{CidrIpv6: rf.str("CidrIpv6"), Description: rf.str("Description")})
		errs = append(errs, rf.err)
	}
	for _, r := range f.structs("PrefixListIds") {
		rf := newFields("PrefixListId", r, "PrefixListId", "Description")
		p.PrefixListIds = append(p.PrefixListIds, &pb.PrefixListId{PrefixListId: rf.str("PrefixListId"), Description: rf.str("Description")})
		errs = append(errs, rf.err)
	}
	for _, g := range f.structs("UserIdGroupPairs") {
		gf := newFields("UserIdGroupPair", g, "GroupId", "UserId", "Description")
		p.UserIdGroupPairs = append(p.UserIdGroupPairs, &pb.UserIdGroupPair{GroupId: gf.str("GroupId"), UserId: gf.str("UserId"),
			Description: gf.str("Description")})
		errs = append(errs, gf.err)
	}
	for _, err := range append(errs, f.err) {
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}
