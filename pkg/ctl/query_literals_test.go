package ctl

import (
	"strings"
	"testing"
)

func TestElideLiteralQuotes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Reservations[].Instances[?State.Name==`running`]", "Reservations[].Instances[?State.Name==`\"running\"`]"},
		{"InstanceTypes[?InstanceType==`c5.large`]", "InstanceTypes[?InstanceType==`\"c5.large\"`]"},
		{"a[?n==`5`]", "a[?n==`5`]"},
		{"a[?b==`true`]", "a[?b==`true`]"},
		{"`{\"a\": [1, 2]}`", "`{\"a\": [1, 2]}`"},
		{"`\"quoted\"`", "`\"quoted\"`"},
		{"`  spaced`", "`\"spaced\"`"},
		{"`a\\`b`", "`\"a\\`b\"`"},
		{"a[?k=='x`y']", "a[?k=='x`y']"},
		{"\"a`b\".c", "\"a`b\".c"},
		{"a[?k=='it\\'s'] | [?v==`on`]", "a[?k=='it\\'s'] | [?v==`\"on\"`]"},
		{"a[?k==`unterminated", "a[?k==`unterminated"},
		{"`a\"b`", "`a\"b`"}, // not JSON either way: the parser reports it
	}
	for _, tt := range tests {
		if got := elideLiteralQuotes(tt.in); got != tt.want {
			t.Errorf("elideLiteralQuotes(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestQueryLiterals: backtick literals in --query, as the AWS CLI takes
// them, select what the user asked for.
func TestQueryLiterals(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"describe-instances", "--query", "Reservations[].Instances[?State.Name==`running`].InstanceId[]"},
			"i-0123456789abcdef0\n"},
		{[]string{"describe-instances", "--query", "Reservations[].Instances[?State.Code==`80`].InstanceId[]"},
			"i-0fedcba9876543210\n"},
		{[]string{"describe-instance-types", "--query", "InstanceTypes[?InstanceType==`g4dn.xlarge`].VCpuInfo.DefaultVCpus"},
			"4\n"},
		{[]string{"describe-instance-types", "--query", "InstanceTypes[?BurstablePerformanceSupported==`true`].InstanceType"},
			"t3.micro\n"},
		{[]string{"describe-instances", "--query", "`{\"a\": [1, 2]}`.a[1]"}, "2\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := h.run(append(tt.args, "--output", "text")...)
			if code != 0 || out != tt.want {
				t.Errorf("exit %d (%s), printed %q, want %q", code, errOut, out, tt.want)
			}
		})
	}
	_, errOut, code := h.run("describe-instances", "--query", "Reservations[?a==`unterminated")
	if code != ExitUsage || !strings.Contains(errOut, "--query") {
		t.Errorf("unterminated literal: exit %d, %s", code, errOut)
	}
}

// TestQueryLiteralsMatchAWSCLI: the same queries through the AWS CLI
// print the same.
func TestQueryLiteralsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-instances", "--query", "Reservations[].Instances[?State.Name==`running`].InstanceId"},
		{"describe-instances", "--query", "Reservations[].Instances[?State.Name==`stopped`].[InstanceId, State.Code]"},
		{"describe-instances", "--query", "Reservations[].Instances[].Tags[?Value==` web`].Key"},
		{"describe-instances", "--query", "Reservations[].Instances[?KeyName=='lab'].InstanceId"},
		{"describe-instances", "--query", "Reservations[].Instances[?AmiLaunchIndex==`0`].InstanceId"},
		{"describe-instances", "--query", "length(Reservations[].Instances[?State.Code>`20`][])"},
		{"describe-instances", "--query", "`{\"a\": [1, true, null]}`"},
		{"describe-instance-types", "--query", "InstanceTypes[?InstanceType==`t3.micro`].InstanceType"},
		{"describe-instance-types", "--query", "InstanceTypes[?BurstablePerformanceSupported==`true`].InstanceType"},
		{"describe-volumes", "--query", "Volumes[?Size>`4`].VolumeId"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareWithAWSCLI(t, h, aws, args, false) })
	}
}
