package ctl

import (
	"strings"
	"testing"
)

// TestAccountVerbsMatchAWSCLI: describe-account-attributes prints what the
// AWS CLI prints through the Query API over the same fake, errors included
// (describe-instance-credit-specifications has its own tests).
func TestAccountVerbsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-account-attributes"},
		{"describe-account-attributes", "--attribute-names", "default-vpc"},
		{"describe-account-attributes", "--attribute-names", "max-instances"},
		{"describe-account-attributes", "--attribute-names", "nope"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { matchAWSCLI(t, h, aws, args) })
	}
	// A read-only DryRun: the Query API answers it once the caller is
	// authenticated; ec2ctl makes its (authenticated) read first.
	for _, args := range [][]string{
		{"describe-account-attributes", "--dry-run"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareWithAWSCLI(t, h, aws, args, false) })
	}
}

// TestAccountVerbs checks the documents themselves (also under -short).
func TestAccountVerbs(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"describe-account-attributes", "--query", "AccountAttributes[].AttributeName", "--output", "text"}, 0,
			"supported-platforms\tdefault-vpc\tmax-instances\n"},
		{[]string{"describe-account-attributes", "--attribute-names", "default-vpc", "--query",
			"AccountAttributes[0].AttributeValues[0].AttributeValue", "--output", "text"}, 0, sampleVpcID + "\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := h.run(tt.args...)
			if code != tt.code || out != tt.want {
				t.Errorf("exit %d (%s), printed %q; want %d, %q", code, errOut, out, tt.code, tt.want)
			}
		})
	}
}
