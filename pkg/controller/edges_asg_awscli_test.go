package controller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ctl"
)

// asgTools runs the AWS CLI (`aws autoscaling`, Query API) and ec2ctl
// (`ec2ctl autoscaling`, gRPC) as one account against e's listeners.
type asgTools struct {
	t      *testing.T
	e      *edges
	acct   string
	awsBin string
}

// newASGTools skips under -short (a Python process per command) and
// where the AWS CLI is missing, except under CI=true where that fails.
func newASGTools(t *testing.T, e *edges, acct string) *asgTools {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: runs the AWS CLI")
	}
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the AWS CLI is required under CI: %v", err)
		}
		t.Skipf("the AWS CLI is not installed: %v", err)
	}
	return &asgTools{t: t, e: e, acct: acct, awsBin: bin}
}

// aws runs `aws autoscaling args... --output json`; it must succeed.
func (a *asgTools) aws(args ...string) string {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.awsBin, append(append([]string{"autoscaling"}, args...), "--endpoint-url", a.e.url, "--output", "json")...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIA"+a.acct, "AWS_SECRET_ACCESS_KEY=secret-"+a.acct,
		"AWS_DEFAULT_REGION=lab-1", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "PYTHONDONTWRITEBYTECODE=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		a.t.Fatalf("aws autoscaling %v: %v\n%s", args, err, errOut.String())
	}
	return out.String()
}

// ec2ctl runs `ec2ctl autoscaling args... --output json`; it must succeed.
func (a *asgTools) ec2ctl(args ...string) string {
	a.t.Helper()
	env := map[string]string{"HOME": a.t.TempDir(), "AWS_ACCESS_KEY_ID": "AKIA" + a.acct, "AWS_SECRET_ACCESS_KEY": "secret-" + a.acct,
		"AWS_REGION": "lab-1", "EC2LAB_ENDPOINT": "grpc://edge:1"}
	var out, errOut bytes.Buffer
	root := ctl.NewRootCommand(ctl.WithIO(strings.NewReader(""), &out, &errOut),
		ctl.WithEnv(func(k string) string { return env[k] }), ctl.WithDialer(a.e.dial))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code := ctl.Run(ctx, root, append(append([]string{"autoscaling"}, args...), "--output", "json")); code != 0 {
		a.t.Fatalf("ec2ctl autoscaling %v: exit %d\n%s", args, code, errOut.String())
	}
	return out.String()
}

// groupKeys are the members of a group as the AWS CLI prints them over
// ec2lab, in order.
var groupKeys = []string{"AutoScalingGroupName", "AutoScalingGroupARN", "LaunchTemplate", "MinSize", "MaxSize", "DesiredCapacity",
	"DefaultCooldown", "AvailabilityZones", "LoadBalancerNames", "TargetGroupARNs", "HealthCheckType", "HealthCheckGracePeriod",
	"Instances", "CreatedTime", "SuspendedProcesses", "VPCZoneIdentifier", "EnabledMetrics", "Tags", "TerminationPolicies",
	"NewInstancesProtectedFromScaleIn", "ServiceLinkedRoleARN"}

// TestAutoScalingThroughTheAWSCLI: the real AWS CLI makes, reads, scales
// and deletes a group on ec2d's HTTP listener against a real controller,
// and ec2ctl, on the gRPC listener, prints the same documents.
func TestAutoScalingThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	tools := newASGTools(t, e, rig.Acct1)
	ctx := context.Background()
	c := e.sdk[rig.Acct1]
	if _, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String(imageOf(t, c, rig.Instance)), InstanceType: "lab.tiny"}}); err != nil {
		t.Fatal(err)
	}
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subs.Subnets) < 2 {
		t.Fatalf("DescribeSubnets: %+v %v", subs, err)
	}
	var ids []string
	for _, sn := range subs.Subnets {
		ids = append(ids, aws.ToString(sn.SubnetId))
	}
	if out := tools.aws("create-auto-scaling-group", "--auto-scaling-group-name", "web", "--launch-template", "LaunchTemplateName=web,Version=$Latest",
		"--min-size", "1", "--max-size", "4", "--desired-capacity", "2", "--vpc-zone-identifier", strings.Join(ids, ","),
		"--tags", "Key=team,Value=lab,PropagateAtLaunch=true"); out != "" {
		t.Errorf("create printed %q", out)
	}
	rig.ReconcileGroups()

	awsOut := tools.aws("describe-auto-scaling-groups")
	var doc struct {
		AutoScalingGroups []struct {
			AutoScalingGroupName string
			DesiredCapacity      int
			Instances            []struct {
				InstanceID     string `json:"InstanceId"`
				LifecycleState string
			}
			Tags              []struct{ Key, Value string }
			VPCZoneIdentifier string
		}
	}
	if err := json.Unmarshal([]byte(awsOut), &doc); err != nil || len(doc.AutoScalingGroups) != 1 {
		t.Fatalf("describe: %v\n%s", err, awsOut)
	}
	g := doc.AutoScalingGroups[0]
	if g.AutoScalingGroupName != "web" || g.DesiredCapacity != 2 || len(g.Instances) != 2 || len(g.Tags) != 1 ||
		g.VPCZoneIdentifier != strings.Join(ids, ",") {
		t.Errorf("group: %+v", g)
	}
	if got := memberOrder(t, awsOut); strings.Join(got, " ") != strings.Join(groupKeys, " ") {
		t.Errorf("members:\n got %v\nwant %v", got, groupKeys)
	}
	if got := tools.ec2ctl("describe-auto-scaling-groups"); got != awsOut {
		t.Errorf("ec2ctl printed:\n%s\naws printed:\n%s", got, awsOut)
	}
	for _, args := range [][]string{{"describe-auto-scaling-instances"}, {"describe-scaling-activities", "--auto-scaling-group-name", "web"}} {
		if got, want := tools.ec2ctl(args...), tools.aws(args...); got != want {
			t.Errorf("%v: ec2ctl printed:\n%s\naws printed:\n%s", args, got, want)
		}
	}

	tools.aws("set-desired-capacity", "--auto-scaling-group-name", "web", "--desired-capacity", "3")
	if out := tools.ec2ctl("describe-auto-scaling-groups", "--query", "AutoScalingGroups[0].DesiredCapacity"); strings.TrimSpace(out) != "3" {
		t.Errorf("desired after set-desired-capacity: %s", out)
	}
	tools.ec2ctl("set-desired-capacity", "--auto-scaling-group-name", "web", "--desired-capacity", "1")
	if out := tools.aws("describe-auto-scaling-groups", "--query", "AutoScalingGroups[0].DesiredCapacity"); strings.TrimSpace(out) != "1" {
		t.Errorf("desired after ec2ctl set-desired-capacity: %s", out)
	}
	tools.aws("delete-auto-scaling-group", "--auto-scaling-group-name", "web", "--force-delete")
	if out := tools.ec2ctl("describe-auto-scaling-groups", "--query", "AutoScalingGroups[0].Status"); strings.TrimSpace(out) != `"Delete in progress"` {
		t.Errorf("status after delete: %s", out)
	}
}

// memberOrder is the member names of the first group of a printed
// DescribeAutoScalingGroups, in order.
func memberOrder(t *testing.T, out string) []string {
	t.Helper()
	var doc struct{ AutoScalingGroups []json.RawMessage }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.AutoScalingGroups) == 0 {
		t.Fatalf("%v\n%s", err, out)
	}
	dec := json.NewDecoder(bytes.NewReader(doc.AutoScalingGroups[0]))
	var keys []string
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
