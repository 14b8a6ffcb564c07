package ctl

import (
	"strings"
	"testing"
	"unicode"

	"github.com/ec2lab/ec2lab/pkg/ec2query"
)

// kebabCase turns an EC2 action name into the AWS CLI's verb name, as
// botocore's xform_name does: DescribeInstances -> describe-instances,
// GetConsoleOutput -> get-console-output, DescribeVpcClassicLinkDnsSupport
// -> describe-vpc-classic-link-dns-support.
func kebabCase(action string) string {
	r := []rune(action)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

func TestKebabCase(t *testing.T) {
	for in, want := range map[string]string{
		"DescribeInstances":                      "describe-instances",
		"GetConsoleOutput":                       "get-console-output",
		"DescribeVpcClassicLinkDnsSupport":       "describe-vpc-classic-link-dns-support",
		"AssignIpv6Addresses":                    "assign-ipv6-addresses",
		"DescribeIamInstanceProfileAssociations": "describe-iam-instance-profile-associations",
	} {
		if got := kebabCase(in); got != want {
			t.Errorf("kebabCase(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestEveryQueryActionHasAVerb: every action the Query API serves has an
// ec2ctl verb of the AWS CLI's name.
func TestEveryQueryActionHasAVerb(t *testing.T) {
	root := NewRootCommand()
	var missing []string
	for _, action := range ec2query.Actions() {
		verb := kebabCase(action)
		if c, _, err := root.Find([]string{verb}); err != nil || c == root || c.Name() != verb {
			missing = append(missing, verb)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d Query API actions have no ec2ctl verb:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
