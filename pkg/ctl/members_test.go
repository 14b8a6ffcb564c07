package ctl

import (
	"strings"
	"testing"
)

// TestResponseMembers: ec2ctl prints the members of issue #16 as the AWS
// CLI names and writes them (timestamps as the CLI prints them,
// lastLaunchedTime as EC2's string).
func TestResponseMembers(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"describe-snapshots", "--query", "Snapshots[0].[StartTime,CompletionTime]"},
			`["2026-11-26T10:00:00.000Z","2026-11-26T10:02:03.456Z"]`},
		{[]string{"describe-images", "--query", "Images[0].[SourceInstanceId,DeregistrationProtection,LastLaunchedTime]"},
			`["i-0123456789abcdef0","disabled","2026-11-26T10:02:03Z"]`},
		{[]string{"describe-security-groups", "--query", "SecurityGroups[0].SecurityGroupArn"}, `"` + sampleGroupARN + `"`},
		{[]string{"create-security-group", "--group-name", "web", "--description", "web servers", "--query", "SecurityGroupArn"},
			`"` + sampleGroupARN + `"`},
		{[]string{"describe-placement-groups", "--query", "PlacementGroups[0].GroupArn"}, `"` + samplePlacementARN + `"`},
		{[]string{"create-placement-group", "--group-name", "rack-1", "--strategy", "spread", "--query", "PlacementGroup.GroupArn"},
			`"` + samplePlacementARN + `"`},
		{[]string{"describe-availability-zones", "--query", "AvailabilityZones[0].[OptInStatus,GroupName,NetworkBorderGroup]"},
			`["opt-in-not-required","lab-1-zg-1","lab-1"]`},
		{[]string{"describe-instance-types", "--query", "InstanceTypes[0].[Hypervisor,NitroEnclavesSupport,NitroTpmSupport]"},
			`["nitro","unsupported","unsupported"]`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:1], " "), func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(append(tt.args, "--output", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if got := strings.Join(strings.Fields(out), ""); got != tt.want {
				t.Errorf("%v printed %s, want %s", tt.args, got, tt.want)
			}
		})
	}
}

// TestResponseMembersMatchAWSCLI: the AWS CLI, reading the Query API's
// documents, prints the same members as ec2ctl. (The requests are not
// compared: the AWS CLI adds MaxResults=1000 to a bare describe-snapshots.)
func TestResponseMembersMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-snapshots"},
		{"describe-availability-zones"},
		{"describe-placement-groups"},
		{"create-placement-group", "--group-name", "rack-1", "--strategy", "spread"},
		{"create-security-group", "--group-name", "web", "--description", "web servers"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareWithAWSCLI(t, h, aws, args, false) })
	}
}
