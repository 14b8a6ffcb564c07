package ctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/auth"
)

func TestQuery(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"describe-instances", "--query", "Reservations[].Instances[].InstanceId", "--output", "text"},
			"i-0123456789abcdef0\ti-0fedcba9876543210\n"},
		{[]string{"describe-instances", "--query", "Reservations[].Instances[].InstanceId", "--output", "json"},
			"[\n    \"i-0123456789abcdef0\",\n    \"i-0fedcba9876543210\"\n]\n"},
		{[]string{"create-key-pair", "--key-name", "k", "--query", "KeyMaterial", "--output", "text"}, testPEM + "\n"},
		{[]string{"describe-instances", "--query", "Reservations[].Instances[?State.Name=='stopped'][].InstanceId | [0]", "--output", "text"},
			"i-0fedcba9876543210\n"},
		{[]string{"describe-volumes", "--query", "Volumes[?Size > `4`].VolumeId", "--output", "json"},
			"[\n    \"vol-0aaaaaaaaaaaaaaa1\"\n]\n"},
		{[]string{"describe-instances", "--query", "Reservations[0].Instances[0].State", "--output", "json"},
			"{\n    \"Code\": 16,\n    \"Name\": \"running\"\n}\n"},
		{[]string{"describe-instances", "--query", "Reservations[0].Nope", "--output", "json"}, "null\n"},
	}
	for _, tt := range tests {
		h := newHarness(t)
		out, errOut, code := h.run(tt.args...)
		if code != 0 || out != tt.want {
			t.Errorf("%q: exit %d, stdout %q (stderr %q), want %q", tt.args, code, out, errOut, tt.want)
		}
	}
	h := newHarness(t)
	if _, errOut, code := h.run("describe-instances", "--query", "Reservations[", "--output", "json"); code != ExitUsage {
		t.Errorf("bad query: exit %d (%s), want %d", code, errOut, ExitUsage)
	}
}

func TestRunInstancesRequest(t *testing.T) {
	dir := t.TempDir()
	ud := filepath.Join(dir, "cloud-init.yaml")
	if err := os.WriteFile(ud, []byte("#cloud-config\nhostname: web\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	_, errOut, code := h.run("run-instances", "--image-id", "ami-0123456789abcdef0", "--instance-type", "t3.small",
		"--count", "2:3", "--key-name", "lab", "--user-data", "file://"+ud,
		"--placement", "AvailabilityZone=lab-1b,GroupName=g",
		"--block-device-mappings", `[{"DeviceName":"/dev/sdf","Ebs":{"VolumeSize":2}}]`,
		"--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=web}]", "ResourceType=volume,Tags=[{Key=k,Value=v}]",
		"--client-token", "tok-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := h.fake.lastRun
	switch {
	case r.MinCount != 2 || r.MaxCount != 3:
		t.Errorf("count %d:%d", r.MinCount, r.MaxCount)
	case string(r.UserData) != "#cloud-config\nhostname: web\n":
		t.Errorf("user data %q (must be raw, not base64)", r.UserData)
	case r.Placement.GetAvailabilityZone() != "lab-1b" || r.Placement.GetGroupName() != "g":
		t.Errorf("placement %v", r.Placement)
	case len(r.BlockDeviceMappings) != 1 || r.BlockDeviceMappings[0].GetEbs().GetVolumeSize() != 2:
		t.Errorf("block device mappings %v", r.BlockDeviceMappings)
	case len(r.TagSpecifications) != 2 || r.TagSpecifications[1].GetTags()[0].GetKey() != "k":
		t.Errorf("tag specifications %v", r.TagSpecifications)
	case r.ImageId != "ami-0123456789abcdef0" || r.InstanceType != "t3.small" || r.KeyName != "lab" || r.ClientToken != "tok-1":
		t.Errorf("request %v", r)
	}
}

func TestPagination(t *testing.T) {
	h := newHarness(t)
	h.fake.pageSize = 1
	out, _, code := h.run("describe-instances", "--query", "Reservations[].ReservationId", "--output", "text")
	if code != 0 || out != "r-0123456789abcdef0\tr-0fedcba9876543210\n" {
		t.Fatalf("all pages: exit %d, %q", code, out)
	}
	out, _, _ = h.run("describe-instances", "--max-items", "1", "--query", "[Reservations[].ReservationId, NextToken]", "--output", "json")
	if !strings.Contains(out, "r-0123456789abcdef0") || strings.Contains(out, "r-0fedcba9876543210") || strings.Contains(out, "null") {
		t.Fatalf("--max-items 1: %s", out)
	}
	token := strings.Trim(strings.Fields(out)[len(strings.Fields(out))-2], `",`)
	out, _, _ = h.run("describe-instances", "--starting-token", token, "--query", "Reservations[].ReservationId", "--output", "text")
	if out != "r-0fedcba9876543210\n" {
		t.Fatalf("--starting-token %s: %q", token, out)
	}
	out, _, _ = h.run("describe-instances", "--max-results", "1", "--query", "[length(Reservations), NextToken]", "--output", "text")
	if out != "1\t1\n" {
		t.Fatalf("--max-results 1 makes one call and prints the service token: %q", out)
	}
}

func TestListFlagsTakeSeveralValues(t *testing.T) {
	h := newHarness(t)
	out, errOut, code := h.run("stop-instances", "--instance-ids", "i-1", "i-2", "i-3,i-4", "--output", "text",
		"--query", "StoppingInstances[].InstanceId")
	if code != 0 || out != "i-1\ti-2\ti-3\ti-4\n" {
		t.Fatalf("exit %d, %q (%s)", code, out, errOut)
	}
	out, _, _ = h.run("describe-instances", "--filters", "Name=instance-state-name,Values=stopped", "Name=tag:Name,Values=web",
		"--query", "Reservations[].Instances[].InstanceId", "--output", "text")
	if out != "i-0fedcba9876543210\n" {
		t.Fatalf("filters: %q", out)
	}
}

func TestConsoleOutputText(t *testing.T) {
	h := newHarness(t)
	out, _, code := h.run("get-console-output", "--instance-id", "i-1", "--latest", "--output", "text")
	if code != 0 || out != "Booting Linux\r\nlogin: " {
		t.Fatalf("exit %d, %q", code, out)
	}
}

func TestDebugNeverPrintsSecrets(t *testing.T) {
	h := newHarness(t)
	_, errOut, code := h.run("run-instances", "--image-id", "ami-1", "--user-data", "password=hunter2", "--debug", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "/ec2lab.v1.Compute/RunInstances") || !strings.Contains(errOut, `"imageId":"ami-1"`) {
		t.Errorf("debug output lacks method or request: %s", errOut)
	}
	for _, secret := range []string{"sekrit-value", "hunter2"} {
		if strings.Contains(errOut, secret) {
			t.Errorf("debug output shows %q: %s", secret, errOut)
		}
	}
}

func TestConnectionFailure(t *testing.T) {
	var out, errOut strings.Builder
	root := NewRootCommand(WithIO(strings.NewReader(""), &out, &errOut),
		WithEnv(func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] }))
	code := Run(t.Context(), root, []string{"describe-regions", "--endpoint-url", "http://127.0.0.1:1"})
	if code != ExitOther || !strings.Contains(errOut.String(), `Could not connect to the endpoint URL: "http://127.0.0.1:1"`) {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestUsageErrors(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"describe-instances", "--bogus"},
		{"run-instances", "--count", "3:1"},
		{"run-instances", "--placement", "Zone=x"},
		{"describe-instances", "--output", "xml"},
		{"start-instances"},
	} {
		if _, errOut, code := h.run(args...); code != ExitUsage {
			t.Errorf("%q: exit %d (%s), want %d", args, code, errOut, ExitUsage)
		}
	}
}

func TestCallsAreSignedWithTheKey(t *testing.T) {
	h := newHarness(t)
	h.env["AWS_REGION"] = "lab-7"
	if _, errOut, code := h.run("describe-instances", "--output", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	md := h.fake.lastMD
	get := func(k string) string {
		if v := md.Get(k); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	const method = "/ec2lab.v1.Compute/DescribeInstances"
	body, err := auth.MessageHash(h.fake.lastDescribe)
	if err != nil {
		t.Fatal(err)
	}
	if get(auth.MDAccessKey) != "AKIDTEST" || get(auth.MDNonce) == "" ||
		get(auth.MDSignature) != auth.RPCSignature("sekrit-value", method, get(auth.MDDate), "AKIDTEST", get(auth.MDNonce), body) {
		t.Errorf("call not signed with the configured key: %v", md)
	}
	if get(RegionMetadata) != "lab-7" {
		t.Errorf("region metadata %q", get(RegionMetadata))
	}
	for k, v := range md {
		if strings.Contains(strings.Join(v, ","), "sekrit-value") {
			t.Errorf("metadata %s carries the secret", k)
		}
	}
}
