package ctl

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/asgquery"
	"github.com/ec2lab/ec2lab/pkg/auth"
)

// newAutoScalingCLI is newAWSCLI for `aws autoscaling`: the Query API of
// Auto Scaling over the harness's fake groups.
func newAutoScalingCLI(t *testing.T, h *harness) *awsCLI {
	t.Helper()
	c := newAWSCLI(t, h) // skips under -short and without the AWS CLI
	keys := auth.StaticKeys{"AKIDTEST": {AccessKeyID: "AKIDTEST", SecretAccessKey: "sekrit-value", AccountID: "000000000001"}}
	srv := httptest.NewServer(asgquery.NewHandler(asgquery.Options{Groups: h.groups, Keys: keys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	return &awsCLI{t: t, bin: c.bin, srv: srv, service: "autoscaling"}
}

// TestAutoScalingVerbsMatchAWSCLI runs each command line through `ec2ctl
// autoscaling` (gRPC) and `aws autoscaling` (Query API) against the same
// fake groups: both must make the same call, exit alike and print the same
// JSON, key for key and in order, or the same error.
func TestAutoScalingVerbsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAutoScalingCLI(t, h)
	for _, args := range [][]string{
		{"create-auto-scaling-group", "--auto-scaling-group-name", "api", "--launch-template", "LaunchTemplateId=lt-0123456789abcdef0,Version=$Latest",
			"--min-size", "1", "--max-size", "3", "--desired-capacity", "2", "--vpc-zone-identifier", sampleSubnetID + ",subnet-0fedcba9876543210",
			"--tags", "Key=team,Value=lab,PropagateAtLaunch=true", "Key=env,Value=dev", "--termination-policies", "NewestInstance", "Default",
			"--health-check-grace-period", "0"},
		{"create-auto-scaling-group", "--auto-scaling-group-name", "web", "--launch-template", `{"LaunchTemplateName":"web"}`,
			"--min-size", "0", "--max-size", "1", "--availability-zones", "lab-1a", "lab-1b", "--default-cooldown", "60", "--health-check-type", "EC2"},
		{"update-auto-scaling-group", "--auto-scaling-group-name", "web", "--max-size", "6", "--vpc-zone-identifier", sampleSubnetID},
		{"update-auto-scaling-group", "--auto-scaling-group-name", "web", "--launch-template", "LaunchTemplateName=web,Version=3"},
		{"describe-auto-scaling-groups"},
		{"describe-auto-scaling-groups", "--auto-scaling-group-names", "web", "--no-include-instances"},
		{"describe-auto-scaling-groups", "--auto-scaling-group-names", "nope"},
		{"describe-auto-scaling-groups", "--max-records", "10"},
		{"set-desired-capacity", "--auto-scaling-group-name", "web", "--desired-capacity", "3"},
		{"set-desired-capacity", "--auto-scaling-group-name", "web", "--desired-capacity", "9"},
		{"set-desired-capacity", "--auto-scaling-group-name", "web", "--desired-capacity", "0", "--no-honor-cooldown"},
		{"describe-auto-scaling-instances"},
		{"describe-auto-scaling-instances", "--instance-ids", "i-0123456789abcdef0"},
		{"terminate-instance-in-auto-scaling-group", "--instance-id", "i-0123456789abcdef0", "--should-decrement-desired-capacity"},
		{"terminate-instance-in-auto-scaling-group", "--instance-id", "i-0123456789abcdef0", "--no-should-decrement-desired-capacity"},
		{"describe-scaling-activities", "--auto-scaling-group-name", "web"},
		{"delete-auto-scaling-group", "--auto-scaling-group-name", "web"},
		{"delete-auto-scaling-group", "--auto-scaling-group-name", "web", "--force-delete"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			h.groups.reset()
			awsOut, awsErr, awsCode := aws.run(args...)
			awsCall := h.groups.lastCall()
			h.groups.reset()
			out, errOut, code := h.run(append([]string{"autoscaling"}, append(args, "--output", "json")...)...)
			if awsCode == 255 && code == ExitService {
				awsCode = ExitService // AWS CLI v1 exits 255 on a service error; ec2ctl, as v2, 254
			}
			if code != awsCode {
				t.Fatalf("ec2ctl exit %d (%s), aws exit %d (%s)", code, errOut, awsCode, awsErr)
			}
			if got := h.groups.lastCall(); got != awsCall {
				t.Errorf("ec2ctl called\n%s\naws called\n%s", got, awsCall)
			}
			if strings.TrimSpace(errOut) != strings.TrimSpace(awsErr) {
				t.Errorf("ec2ctl stderr:\n%s\naws stderr:\n%s", errOut, awsErr)
			}
			if got, want := awsShaped(t, out), awsShaped(t, awsOut); !reflect.DeepEqual(got, want) {
				t.Errorf("ec2ctl printed:\n%s\naws printed:\n%s", out, awsOut)
			}
		})
	}
}

// TestAutoScalingGolden: the documents of the describe verbs, in each
// output format, and the refusals made before anything is sent.
func TestAutoScalingGolden(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"describe-auto-scaling-groups.json", []string{"describe-auto-scaling-groups", "--output", "json"}, 0},
		{"describe-auto-scaling-groups.table", []string{"describe-auto-scaling-groups", "--output", "table"}, 0},
		{"describe-auto-scaling-instances.text", []string{"describe-auto-scaling-instances", "--output", "text"}, 0},
		{"describe-scaling-activities.yaml", []string{"describe-scaling-activities", "--output", "yaml"}, 0},
		{"terminate-instance-in-auto-scaling-group.json", []string{"terminate-instance-in-auto-scaling-group",
			"--instance-id", "i-0123456789abcdef1", "--no-should-decrement-desired-capacity", "--output", "json"}, 0},
		{"error-asg-decrement-missing", []string{"terminate-instance-in-auto-scaling-group", "--instance-id", "i-1"}, ExitUsage},
		{"error-asg-required", []string{"create-auto-scaling-group", "--auto-scaling-group-name", "web"}, ExitUsage},
		{"error-asg-both-forms", []string{"delete-auto-scaling-group", "--auto-scaling-group-name", "web", "--force-delete", "--no-force-delete"}, ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.groups.reset()
			out, errOut, code := h.run(append([]string{"autoscaling"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errOut)
			}
			if tc.code == ExitUsage && h.groups.lastCall() != "" {
				t.Errorf("sent %s", h.groups.lastCall())
			}
			checkGolden(t, "autoscaling-"+tc.name, out+errOut)
		})
	}
}

// TestAutoScalingRequests: what each option becomes in the call.
func TestAutoScalingRequests(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create-auto-scaling-group", "--auto-scaling-group-name", "api", "--launch-template", "LaunchTemplateId=lt-1,Version=$Default",
			"--min-size", "0", "--max-size", "2", "--vpc-zone-identifier", "subnet-1"},
			"create name=api zones=[] policies=[] tags=[] template={ID:lt-1 Name: Version:$Default} min=0 max=2 subnets=subnet-1"},
		{[]string{"update-auto-scaling-group", "--auto-scaling-group-name", "api", "--desired-capacity", "0", "--health-check-type", "EC2"},
			"update name=api zones=[] policies=[] tags=[] desired=0 health=EC2"},
		{[]string{"describe-auto-scaling-groups", "--page-size", "5"}, "describe-groups [] {MaxResults:5 NextToken:}"},
		{[]string{"describe-scaling-activities", "--activity-ids", "a-1", "a-2", "--max-records", "7"},
			"describe-activities  [a-1 a-2] {MaxResults:7 NextToken:}"},
		{[]string{"delete-auto-scaling-group", "--cli-input-json", `{"AutoScalingGroupName":"api","ForceDelete":true}`}, "delete api force=true"},
	} {
		h.groups.reset()
		if _, errOut, code := h.run(append([]string{"autoscaling"}, tc.args...)...); code != 0 {
			t.Errorf("%v: exit %d: %s", tc.args, code, errOut)
		}
		if got := h.groups.lastCall(); got != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
}
