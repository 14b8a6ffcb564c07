package e2e

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// TestEc2ctlLife drives one real guest with the built ec2ctl binary only,
// through the life of an instance, a volume, a snapshot and an image,
// using ec2ctl's waiters, every output format, and the exit codes and
// messages of service errors, hopeless waits and unreachable endpoints.
func TestEc2ctlLife(t *testing.T) {
	requireHost(t)
	n := rand.Intn(1 << 16)
	prefix, name := fmt.Sprintf("ctl%04x-", n), fmt.Sprintf("ctl-life-%04x", n)
	r := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", prefix)
	t.Cleanup(func() { cleanupInstances(r, prefix) })
	ud := filepath.Join(t.TempDir(), "ud.sh")
	if err := os.WriteFile(ud, []byte("#!/bin/sh\necho ctl-user-data-ran\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ami := r.ctlText(t, "describe-images", "--owners", "self", "--filters", "Name=name,Values=tiny",
		"--query", "Images[0].ImageId")

	id := r.ctlText(t, "run-instances", "--image-id", ami, "--instance-type", "t3.nano", "--count", "1",
		"--user-data", "file://"+ud, "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value="+name+"}]",
		"--query", "Instances[0].InstanceId")
	if !strings.HasPrefix(id, "i-") {
		t.Fatalf("run-instances --query printed %q, want an instance ID", id)
	}
	r.ec2ctlOK(t, "wait", "instance-running", "--instance-ids", id)
	r.checkDescribeOutputs(t, id, name)
	r.waitCtlConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id+" boot=1", "ctl-user-data-ran")

	vol := r.ctlText(t, "create-volume", "--availability-zone", "lab-1a", "--size", "1", "--query", "VolumeId")
	r.ec2ctlOK(t, "wait", "volume-available", "--volume-ids", vol)
	t.Run("hopeless wait runs out of attempts", func(t *testing.T) {
		start := time.Now()
		_, errOut, code := r.ec2ctl(t, "wait", "volume-in-use", "--volume-ids", vol, "--max-attempts", "2", "--delay", "0.2")
		if code != 255 || !strings.Contains(errOut, "Waiter VolumeInUse failed: Max attempts exceeded") {
			t.Errorf("wait volume-in-use on an available volume: exit %d, %q; want 255 and Max attempts exceeded", code, errOut)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("2 attempts 0.2 s apart took %v", d)
		}
	})
	r.ec2ctlOK(t, "attach-volume", "--volume-id", vol, "--instance-id", id, "--device", "/dev/sdf")
	r.ec2ctlOK(t, "wait", "volume-in-use", "--volume-ids", vol)
	if got := r.ctlText(t, "describe-volumes", "--volume-ids", vol, "--query", "Volumes[0].Attachments[0].[InstanceId,Device,State]"); strings.Join(strings.Fields(got), " ") != id+" /dev/sdf attached" {
		t.Errorf("attachment of %s: %q, want %s /dev/sdf attached", vol, got, id)
	}

	snap := r.ctlText(t, "create-snapshot", "--volume-id", vol, "--description", name, "--query", "SnapshotId")
	r.ec2ctlOK(t, "wait", "snapshot-completed", "--snapshot-ids", snap)
	if got := r.ctlText(t, "describe-snapshots", "--owner-ids", "self", "--query",
		"Snapshots[?SnapshotId=='"+snap+"'].[VolumeId,State,VolumeSize]"); strings.Join(strings.Fields(got), " ") != vol+" completed 1" {
		t.Errorf("describe-snapshots --owner-ids self: %q, want %s completed 1", got, vol)
	}

	img := r.ctlText(t, "create-image", "--instance-id", id, "--name", name, "--no-reboot", "--query", "ImageId")
	r.ec2ctlOK(t, "wait", "image-available", "--image-ids", img)
	if got := r.ctlText(t, "describe-images", "--owners", "self", "--filters", "Name=name,Values="+name,
		"--query", "Images[].[ImageId,State]"); strings.Join(strings.Fields(got), " ") != img+" available" {
		t.Errorf("describe-images --filters name: %q, want %s available", got, img)
	}
	if st := r.ctlText(t, "describe-instances", "--instance-ids", id, "--query", "Reservations[0].Instances[0].State.Name"); st != "running" {
		t.Errorf("create-image --no-reboot left the instance %s", st)
	}

	r.ec2ctlOK(t, "detach-volume", "--volume-id", vol)
	r.ec2ctlOK(t, "wait", "volume-available", "--volume-ids", vol)
	r.ec2ctlOK(t, "delete-volume", "--volume-id", vol)
	if _, errOut, code := r.ec2ctl(t, "describe-volumes", "--volume-ids", vol); code != 254 || !strings.Contains(errOut, "(InvalidVolume.NotFound)") {
		t.Errorf("describe of the deleted volume: exit %d, %q; want 254 InvalidVolume.NotFound", code, errOut)
	}

	r.ec2ctlOK(t, "stop-instances", "--instance-ids", id)
	r.ec2ctlOK(t, "wait", "instance-stopped", "--instance-ids", id)
	r.ec2ctlOK(t, "start-instances", "--instance-ids", id)
	r.ec2ctlOK(t, "wait", "instance-running", "--instance-ids", id)
	r.waitCtlConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id+" boot=2")
	r.ec2ctlOK(t, "terminate-instances", "--instance-ids", id)
	r.ec2ctlOK(t, "wait", "instance-terminated", "--instance-ids", id)
	if doms := virshDomains(t, prefix); len(doms) != 0 {
		t.Errorf("domains left after terminate: %v", doms)
	}

	t.Run("error exits", func(t *testing.T) { r.checkErrorExits(t, ami, id) })
}

// checkDescribeOutputs looks at the running instance through
// describe-instances in every output format.
func (r *region) checkDescribeOutputs(t *testing.T, id, name string) {
	t.Helper()
	filter := "Name=tag:Name,Values=" + name
	var doc struct {
		Reservations []struct {
			Instances []struct {
				InstanceID string `json:"InstanceId"`
				State      struct{ Name string }
				Placement  struct{ AvailabilityZone string }
				Tags       []struct{ Key, Value string }
			}
		}
	}
	jsonOut(t, r.ec2ctlOK(t, "describe-instances", "--filters", filter, "--output", "json"), &doc)
	if len(doc.Reservations) != 1 || len(doc.Reservations[0].Instances) != 1 {
		t.Fatalf("describe-instances --filters %s: %+v, want one instance", filter, doc)
	}
	in := doc.Reservations[0].Instances[0]
	if in.InstanceID != id || in.State.Name != "running" || in.Placement.AvailabilityZone != "lab-1a" {
		t.Errorf("describe-instances: %+v, want %s running in lab-1a", in, id)
	}
	if len(in.Tags) != 1 || in.Tags[0].Key != "Name" || in.Tags[0].Value != name {
		t.Errorf("tags %+v, want Name=%s", in.Tags, name)
	}
	for _, tt := range []struct{ output, want string }{
		{"table", "DescribeInstances"}, {"text", "RESERVATIONS"}, {"yaml", "Reservations:"},
	} {
		out := r.ec2ctlOK(t, "describe-instances", "--filters", filter, "--output", tt.output)
		if !strings.Contains(out, id) || !strings.Contains(out, tt.want) || !strings.Contains(out, "lab-1a") {
			t.Errorf("describe-instances --output %s lacks %s, %q or the zone:\n%s", tt.output, id, tt.want, tail(out, 2000))
		}
	}
}

// checkErrorExits runs commands that must fail, after the instance id
// has been terminated.
func (r *region) checkErrorExits(t *testing.T, ami, id string) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"describe-instances", "--instance-ids", "i-0000000000000000f"}, 254,
			"An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: "},
		{[]string{"run-instances", "--image-id", ami, "--instance-type", "t3.bogus"}, 254,
			"An error occurred (InvalidParameterValue) when calling the RunInstances operation: "},
		{[]string{"wait", "instance-stopped", "--instance-ids", id}, 255,
			"Waiter InstanceStopped failed: Waiter encountered a terminal failure state: "},
		{[]string{"describe-instances", "--endpoint-url", "127.0.0.1:1"}, 255,
			`Could not connect to the endpoint URL: "127.0.0.1:1"`},
		{[]string{"describe-instances", "--output", "xml"}, 252, "xml"},
		{[]string{"wait", "instance-runing", "--instance-ids", id}, 252, `unknown command "instance-runing" for "ec2ctl wait"`},
		{[]string{"describe-instances", "--profile", "nope"}, 253, "The config profile (nope) could not be found"},
	} {
		start := time.Now()
		out, errOut, code := r.ec2ctl(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("ec2ctl %s: exit %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, errOut, tt.code, tt.want)
		}
		if out != "" {
			t.Errorf("ec2ctl %s printed on stdout: %q", strings.Join(tt.args, " "), out)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("ec2ctl %s took %v to fail", strings.Join(tt.args, " "), d)
		}
	}
	if got := r.ctlText(t, "describe-instances", "--filters", "Name=instance-type,Values=t3.bogus",
		"--query", "length(Reservations)"); got != "0" {
		t.Errorf("the refused run-instances launched something: %s reservations", got)
	}
}

// ctlText runs ec2ctl with --output text and returns its trimmed stdout.
func (r *region) ctlText(t *testing.T, args ...string) string {
	t.Helper()
	return strings.TrimSpace(r.ec2ctlOK(t, append(args, "--output", "text")...))
}

// waitCtlConsole polls `ec2ctl get-console-output --output text` until it
// shows every needle. The deadline allows for a loaded 2-core host.
func (r *region) waitCtlConsole(t *testing.T, id string, needles ...string) {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	var out string
	for time.Now().Before(deadline) {
		out, _, _ = r.ec2ctl(t, "get-console-output", "--instance-id", id, "--output", "text")
		all := true
		for _, nd := range needles {
			all = all && strings.Contains(out, nd)
		}
		if all {
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("ec2ctl get-console-output of %s never showed %q; got:\n%s", id, needles, tail(out, 3000))
}
