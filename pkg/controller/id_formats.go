package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// idFormatResources are the resource types DescribeIdFormat reports. EC2
// moved them all to long IDs (8 → 17 hex digits) in 2018; ec2lab makes
// long IDs only, so each answers useLongIds true, for every principal.
var idFormatResources = []string{
	"bundle", "conversion-task", "customer-gateway", "dhcp-options", "elastic-ip-allocation",
	"elastic-ip-association", "export-task", "flow-log", "image", "import-task", "instance",
	"internet-gateway", "network-acl", "network-acl-association", "network-interface",
	"network-interface-attachment", "prefix-list", "reservation", "route-table",
	"route-table-association", "security-group", "snapshot", "subnet",
	"subnet-cidr-block-association", "volume", "vpc", "vpc-cidr-block-association",
	"vpc-endpoint", "vpc-peering-connection", "vpn-connection", "vpn-gateway",
}

// IDFormat is one resource type's ID format.
type IDFormat struct {
	Resource   string
	UseLongIDs bool
}

// IDFormats answers DescribeIdFormat: every resource type, or the one
// named, with long IDs.
func (s *Service) IDFormats(ctx context.Context, resource string) ([]IDFormat, error) {
	if _, err := account(ctx); err != nil {
		return nil, err
	}
	return idFormats(resource)
}

// IdentityIDFormats answers DescribeIdentityIdFormat for a principal of
// the caller's account (its root, or an IAM user or role ARN in it).
func (s *Service) IdentityIDFormats(ctx context.Context, resource, principalARN string) ([]IDFormat, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	if principalARN == "" {
		return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter PrincipalArn")
	}
	prefix := fmt.Sprintf("arn:aws:iam::%s:", acct)
	if rest, ok := strings.CutPrefix(principalARN, prefix); !ok ||
		!(rest == "root" || strings.HasPrefix(rest, "user/") || strings.HasPrefix(rest, "role/")) {
		return nil, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter PrincipalArn is invalid: expecting the ARN of your account's root, or of an IAM user or role in it", principalARN)
	}
	return idFormats(resource)
}

// AggregateIDFormats answers DescribeAggregateIdFormat: every resource
// type, and whether all use long IDs (always).
func (s *Service) AggregateIDFormats(ctx context.Context, dryRun bool) ([]IDFormat, bool, error) {
	if _, err := account(ctx); err != nil {
		return nil, false, err
	}
	if dryRun {
		return nil, false, DryRun()
	}
	all, _ := idFormats("")
	return all, true, nil
}

func idFormats(resource string) ([]IDFormat, error) {
	if resource != "" {
		if !slices.Contains(idFormatResources, resource) {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for resource. Valid values: %s",
				resource, strings.Join(idFormatResources, ", "))
		}
		return []IDFormat{{Resource: resource, UseLongIDs: true}}, nil
	}
	out := make([]IDFormat, 0, len(idFormatResources))
	for _, r := range idFormatResources {
		out = append(out, IDFormat{Resource: r, UseLongIDs: true})
	}
	return out, nil
}
