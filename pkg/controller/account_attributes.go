package controller

import (
	"context"
	"slices"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// AccountAttribute is one answer of DescribeAccountAttributes.
type AccountAttribute struct {
	Name   string
	Values []string
}

// accountAttributeNames are the attributes ec2lab answers, in EC2's order.
var accountAttributeNames = []string{"supported-platforms", "default-vpc", "max-instances", "max-elastic-ips", "vpc-max-elastic-ips"}

// unansweredAttributeNames are EC2's attributes of what ec2lab does not
// limit (security groups per interface).
var unansweredAttributeNames = []string{"vpc-max-security-groups-per-interface"}

// AccountAttributes answers DescribeAccountAttributes from the account's
// state: VPC is the only platform, default-vpc is its default VPC (made on
// first use, as DescribeVpcs does) or "none", and max-instances is its
// running On-Demand vCPU quota (every instance type has at least one
// vCPU); max-elastic-ips and vpc-max-elastic-ips are its Elastic IP
// quota (every address is a VPC one). names empty: all of them.
func (s *Service) AccountAttributes(ctx context.Context, names []string) ([]AccountAttribute, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		switch {
		case slices.Contains(accountAttributeNames, n):
		case slices.Contains(unansweredAttributeNames, n):
			return nil, ec2err.New(ec2err.UnsupportedOperation, "The account attribute %s is not served: ec2lab has no quota of that name", n)
		default:
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter attributeName is invalid", clipValue(n))
		}
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, err
	}
	defaultVPC := "none"
	if v, ok, err := s.defaultVPC(ctx, acct); err != nil {
		return nil, err
	} else if ok {
		defaultVPC = v.ID
	}
	values := map[string]string{"supported-platforms": "VPC", "default-vpc": defaultVPC,
		"max-instances": strconv.FormatInt(s.Quota(acct, QuotaVCPUs), 10)}
	values["max-elastic-ips"] = strconv.FormatInt(s.Quota(acct, QuotaElasticIPs), 10)
	values["vpc-max-elastic-ips"] = values["max-elastic-ips"]
	var out []AccountAttribute
	for _, n := range accountAttributeNames {
		if len(names) == 0 || slices.Contains(names, n) {
			out = append(out, AccountAttribute{Name: n, Values: []string{values[n]}})
		}
	}
	return out, nil
}

// clipValue keeps a caller's value short enough to echo in a message.
func clipValue(v string) string {
	if len(v) > 64 {
		return v[:64] + "..."
	}
	return v
}
