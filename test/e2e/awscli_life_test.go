package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// TestAWSCLILife drives ec2lab with the unmodified AWS CLI only, through
// the life of two instances, a volume, a snapshot and an image, using the
// CLI's own waiters.
func TestAWSCLILife(t *testing.T) {
	requireHost(t)
	prefix := fmt.Sprintf("cli%04x-", rand.Intn(1<<16))
	r := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", prefix)
	ud := filepath.Join(t.TempDir(), "ud.sh")
	if err := os.WriteFile(ud, []byte("#!/bin/sh\necho cli-user-data-ran\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ami := strings.TrimSpace(r.awsCLI(t, "describe-images", "--owners", "self", "--filters", "Name=name,Values=tiny",
		"--query", "Images[0].ImageId", "--output", "text"))
	var run struct {
		Instances []struct {
			InstanceID string `json:"InstanceId"`
		}
	}
	jsonOut(t, r.awsCLI(t, "run-instances", "--image-id", ami, "--instance-type", "t3.nano", "--count", "2",
		"--user-data", "file://"+ud, "--tag-specifications", "ResourceType=instance,Tags=[{Key=suite,Value=cli}]"), &run)
	if len(run.Instances) != 2 {
		t.Fatalf("run-instances --count 2 gave %d instances", len(run.Instances))
	}
	a, b := run.Instances[0].InstanceID, run.Instances[1].InstanceID
	r.awsCLI(t, "wait", "instance-running", "--instance-ids", a, b)
	got := strings.Fields(r.awsCLI(t, "describe-instances", "--filters", "Name=tag:suite,Values=cli",
		"Name=instance-state-name,Values=running", "--query", "Reservations[].Instances[].InstanceId", "--output", "text"))
	if len(got) != 2 {
		t.Fatalf("describe-instances --filters found %v", got)
	}
	r.waitConsole(t, a, "cli-user-data-ran")
	if out := r.awsCLI(t, "get-console-output", "--instance-id", a, "--output", "text"); !strings.Contains(out, "EC2LAB-BOOT-OK instance-id="+a) {
		t.Fatalf("get-console-output --output text lacks the boot marker:\n%s", tail(out, 1500))
	}

	vol := strings.TrimSpace(r.awsCLI(t, "create-volume", "--availability-zone", "lab-1a", "--size", "1",
		"--volume-type", "gp3", "--query", "VolumeId", "--output", "text"))
	r.awsCLI(t, "wait", "volume-available", "--volume-ids", vol)
	r.awsCLI(t, "attach-volume", "--volume-id", vol, "--instance-id", b, "--device", "/dev/sdf")
	r.awsCLI(t, "wait", "volume-in-use", "--volume-ids", vol)
	snap := strings.TrimSpace(r.awsCLI(t, "create-snapshot", "--volume-id", vol, "--query", "SnapshotId", "--output", "text"))
	r.awsCLI(t, "wait", "snapshot-completed", "--snapshot-ids", snap)

	r.awsCLI(t, "stop-instances", "--instance-ids", a)
	r.awsCLI(t, "wait", "instance-stopped", "--instance-ids", a)
	img := strings.TrimSpace(r.awsCLI(t, "create-image", "--instance-id", a, "--name", "cli-image", "--query", "ImageId", "--output", "text"))
	r.awsCLI(t, "wait", "image-available", "--image-ids", img)

	r.awsCLI(t, "terminate-instances", "--instance-ids", a, b)
	r.awsCLI(t, "wait", "instance-terminated", "--instance-ids", a, b)
	if doms := virshDomains(t, prefix); len(doms) != 0 {
		t.Errorf("domains left: %v", doms)
	}
}

func jsonOut(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("parse %q: %v", tail(s, 500), err)
	}
}
