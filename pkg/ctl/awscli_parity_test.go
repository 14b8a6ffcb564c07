package ctl

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
	"google.golang.org/protobuf/proto"
)

// awsCLI runs the AWS CLI against the Query API serving the harness's fake
// Compute, so that ec2ctl and `aws ec2` can be compared over the same data.
type awsCLI struct {
	t   *testing.T
	bin string
	srv *httptest.Server
	// service is the AWS CLI's command (default ec2).
	service string
}

// newAWSCLI skips under -short (a Python process per command) and where
// the AWS CLI is missing, except under CI=true where that fails.
func newAWSCLI(t *testing.T, h *harness) *awsCLI {
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
	anyKey := func(context.Context, *http.Request, []byte, time.Time) (auth.Key, error) {
		return auth.Key{AccessKeyID: "AKIDTEST", AccountID: "000000000001"}, nil
	}
	srv := httptest.NewServer(ec2query.NewHandler(ec2query.Options{Compute: h.fake, Verify: anyKey,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	return &awsCLI{t: t, bin: bin, srv: srv}
}

// run runs `aws ec2 args... --output json` and returns stdout, stderr and
// the exit code.
func (c *awsCLI) run(args ...string) (string, string, int) {
	c.t.Helper()
	return c.runWith(nil, append(args, "--endpoint-url", c.srv.URL, "--output", "json")...)
}

// runWith runs `aws ec2 args...` with env added to (and overriding) the
// test environment, which has keys, region lab-1 and no config file.
func (c *awsCLI) runWith(env []string, args ...string) (string, string, int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	service := c.service
	if service == "" {
		service = "ec2"
	}
	cmd := exec.CommandContext(ctx, c.bin, append([]string{service}, args...)...)
	cmd.Env = append(append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=sekrit-value",
		"AWS_DEFAULT_REGION=lab-1", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "PYTHONDONTWRITEBYTECODE=1"), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		c.t.Fatalf("aws %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// TestVpcVerbsMatchAWSCLI runs each command line through ec2ctl (gRPC) and
// the AWS CLI (Query API) against the same fake: both must send the same
// request, exit alike and print the same JSON, key for key and in order
// (ec2lab's own members of InstanceTypeInfo aside), or the same error.
func TestVpcVerbsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-vpcs"},
		{"describe-subnets"},
		{"describe-vpc-attribute", "--vpc-id", sampleVpcID, "--attribute", "enableDnsHostnames"},
		{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-hostnames"},
		{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--no-enable-dns-support"},
		{"modify-vpc-attribute", "--enable-network-address-usage-metrics", "Value=false", "--vpc-id", sampleVpcID},
		{"modify-vpc-attribute", "--vpc-id", sampleVpcID},
		{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID, "--cidr-block", "10.2.0.0/16"},
		{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID, "--amazon-provided-ipv6-cidr-block"},
		{"disassociate-vpc-cidr-block", "--association-id", sampleAssocID},
		{"describe-vpc-classic-link", "--vpc-ids", sampleVpcID, "--filters", "Name=tag-key,Values=Name"},
		{"describe-vpc-classic-link-dns-support", "--vpc-ids", sampleVpcID},
		{"modify-subnet-attribute", "--subnet-id", sampleSubnetID, "--map-public-ip-on-launch"},
		{"modify-subnet-attribute", "--subnet-id", sampleSubnetID, "--enable-dns64"},
		{"modify-subnet-attribute", "--subnet-id", sampleSubnetID, "--no-enable-resource-name-dns-aaaa-record-on-launch",
			"--private-dns-hostname-type-on-launch", "ip-name"},
		{"describe-instance-types"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { matchAWSCLI(t, h, aws, args) })
	}
}

// matchAWSCLI runs args through the AWS CLI and ec2ctl against h's fake:
// both must send the same request, exit alike and print the same JSON
// (or the same error).
func matchAWSCLI(t *testing.T, h *harness, aws *awsCLI, args []string) {
	t.Helper()
	compareWithAWSCLI(t, h, aws, args, true)
}

// compareWithAWSCLI is matchAWSCLI, comparing the requests only when
// sameRequest is set.
func compareWithAWSCLI(t *testing.T, h *harness, aws *awsCLI, args []string, sameRequest bool) {
	t.Helper()
	h.fake.lastReq = nil
	awsOut, awsErr, awsCode := aws.run(args...)
	awsReq := h.fake.lastReq
	h.fake.lastReq = nil
	out, errOut, code := h.run(append(args, "--output", "json")...)
	if awsCode == 255 && code == ExitService {
		awsCode = ExitService // AWS CLI v1 exits 255 on a service error; ec2ctl, as v2, 254
	}
	if code != awsCode {
		t.Fatalf("ec2ctl exit %d (%s), aws exit %d (%s)", code, errOut, awsCode, awsErr)
	}
	if sameRequest && !proto.Equal(h.fake.lastReq, awsReq) {
		t.Errorf("ec2ctl sent %v, aws sent %v", h.fake.lastReq, awsReq)
	}
	if strings.TrimSpace(errOut) != strings.TrimSpace(awsErr) {
		t.Errorf("ec2ctl stderr:\n%s\naws stderr:\n%s", errOut, awsErr)
	}
	if got, want := awsShaped(t, out), withoutQuirks(awsShaped(t, awsOut)); !reflect.DeepEqual(got, want) {
		t.Errorf("ec2ctl printed:\n%s\naws printed:\n%s", out, awsOut)
	}
}

// awsShaped decodes printed JSON keeping member order, without the
// members only ec2lab has.
func awsShaped(t *testing.T, s string) any {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var doc orderedJSON
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return withoutExtras(doc.v)
}

func withoutExtras(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, withoutExtras(e))
		}
		return out
	case []kv:
		out := make([]kv, 0, len(x))
		for _, e := range x {
			if !isEC2labExtra(e.k) {
				out = append(out, kv{e.k, withoutExtras(e.v)})
			}
		}
		return out
	}
	return v
}

// withoutQuirks drops from the AWS CLI's output what the Query API prints
// and EC2 does not: an empty tagSet on an untagged resource ("Tags": [])
// and an empty gpuInfo on a type without GPUs (encoding/xml writes the
// parents of an empty "a>b" list). ec2ctl prints neither, as EC2 does.
func withoutQuirks(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, withoutQuirks(e))
		}
		return out
	case []kv:
		out := make([]kv, 0, len(x))
		for _, e := range x {
			if isEmptySet(e, "Tags") || (e.k == "GpuInfo" && reflect.DeepEqual(e.v, []kv{{"Gpus", []any{}}})) {
				continue
			}
			out = append(out, kv{e.k, withoutQuirks(e.v)})
		}
		return out
	}
	return v
}

func isEmptySet(e kv, name string) bool {
	l, ok := e.v.([]any)
	return e.k == name && ok && len(l) == 0
}

// isEC2labExtra says whether a member name is one ec2lab adds to a shape.
func isEC2labExtra(name string) bool {
	for k := range ec2labExtras {
		if strings.HasSuffix(k, "."+name) {
			return true
		}
	}
	return false
}
