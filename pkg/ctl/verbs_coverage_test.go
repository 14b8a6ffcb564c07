package ctl

import (
	"strings"
	"testing"
)

func TestKebabCase(t *testing.T) {
	for in, want := range map[string]string{
		"DescribeInstances":                      "describe-instances",
		"GetConsoleOutput":                       "get-console-output",
		"DescribeVpcClassicLinkDnsSupport":       "describe-vpc-classic-link-dns-support",
		"AssignIpv6Addresses":                    "assign-ipv6-addresses",
		"DescribeIamInstanceProfileAssociations": "describe-iam-instance-profile-associations",
	} {
		if got := kebabName(in); got != want {
			t.Errorf("kebabName(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestEveryQueryActionHasAVerb: every action the Query APIs serve has an
// ec2ctl verb of the AWS CLI's name (Auto Scaling's under `autoscaling`).
func TestEveryQueryActionHasAVerb(t *testing.T) {
	root := NewRootCommand()
	var missing []string
	for _, mf := range modelFiles {
		for _, action := range mf.actions() {
			verb := kebabName(action)
			if c, _, err := root.Find(inGroup(mf.group, verb)); err != nil || c == root || c.Name() != verb {
				missing = append(missing, strings.Join(inGroup(mf.group, verb), " "))
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d Query API actions have no ec2ctl verb:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
