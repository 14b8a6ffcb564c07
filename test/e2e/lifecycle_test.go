package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestInstanceLifecycle drives one real guest through the whole life of an
// instance via ec2d's gRPC API: run from the tiny AMI with user-data, see
// the boot marker and the script's output on the console, stop gracefully,
// start (the once-per-instance script does not run again, the file it wrote
// is still on the root disk), power off from inside the guest (stopped,
// instance-initiated), terminate, and nothing is left in libvirt. Before
// the stop, libvirtd is restarted under the running guest: the guest keeps
// running and everything after goes through the agent's new connection.
func TestInstanceLifecycle(t *testing.T) {
	requireHost(t)
	prefix := fmt.Sprintf("e2e%04x-", rand.Intn(1<<16))
	r := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", prefix)
	ctx := context.Background()

	imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"},
		Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
	if err != nil || len(imgs.GetImages()) != 1 {
		t.Fatalf("tiny AMI not registered: %v %v\n%s", imgs, err, r.log.String())
	}
	ami := imgs.GetImages()[0].GetImageId()

	userData := "#!/bin/sh\necho e2e-was-here > /e2e-marker\necho \"user-data says $(cat /e2e-marker)\"\n"
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano",
		MinCount: 1, MaxCount: 1, UserData: []byte(userData),
		TagSpecifications: []*v1.TagSpecification{{ResourceType: "instance", Tags: []*v1.Tag{{Key: "Name", Value: "e2e"}}}}})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	in := res.GetInstances()[0]
	id := in.GetInstanceId()
	if in.GetState().GetName() != "pending" || in.GetState().GetCode() != 0 {
		t.Fatalf("RunInstances returned state %v, want pending/0", in.GetState())
	}
	running := r.waitState(t, "running", id)
	if got := running[0].GetDomainType(); got != "qemu" && got != "kvm" {
		t.Errorf("domain type %q", got)
	}
	r.waitConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id+" boot=1", "user-data says e2e-was-here", "root /dev/vda rw ok")
	if doms := virshDomains(t, prefix); len(doms) != 1 || doms[0] != prefix+id {
		t.Fatalf("libvirt domains %v, want [%s]", doms, prefix+id)
	}

	t.Run("filters", func(t *testing.T) {
		out, err := r.Client.DescribeInstances(ctx, &v1.DescribeInstancesRequest{Filters: []*v1.Filter{
			{Name: "tag:Name", Values: []string{"e2e"}}, {Name: "instance-state-name", Values: []string{"running"}}}})
		if err != nil || len(out.GetReservations()) != 1 {
			t.Fatalf("filtered describe: %v %v", out, err)
		}
	})

	t.Run("aws cli", func(t *testing.T) {
		out := r.awsCLI(t, "describe-instances", "--filters", "Name=instance-state-name,Values=running",
			"--query", "Reservations[].Instances[].InstanceId", "--output", "text")
		if strings.TrimSpace(out) != id {
			t.Errorf("aws describe-instances printed %q, want %s", out, id)
		}
		out = r.awsCLI(t, "get-console-output", "--instance-id", id, "--output", "text")
		if !strings.Contains(out, "EC2LAB-BOOT-OK instance-id="+id) {
			t.Errorf("aws get-console-output lacks the boot marker:\n%s", tail(out, 1500))
		}
	})

	t.Run("bad input changes nothing", func(t *testing.T) {
		_, err := r.Client.StartInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}})
		if err != nil {
			t.Fatalf("start of a running instance must be a no-op: %v", err)
		}
		_, err = r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id, "i-0123456789abcdef0"}})
		if ec2err.Code(errgrpc.ToNative(err)) != "InvalidInstanceID.NotFound" {
			t.Fatalf("terminate with a bad ID: %v", err)
		}
		r.waitState(t, "running", id)
		_, err = r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.bogus", MinCount: 1, MaxCount: 1})
		if ec2err.Code(errgrpc.ToNative(err)) != "InvalidParameterValue" {
			t.Fatalf("bad instance type: %v", err)
		}
	})

	// The stop, start and terminate below then go through the agent's new
	// libvirtd connection.
	t.Run("guest and agent survive a libvirtd restart", func(t *testing.T) {
		qemuPID := domainPID(t, prefix+id)
		restartLibvirtd(t)
		if got := domainPID(t, prefix+id); got != qemuPID {
			t.Errorf("guest's QEMU pid %d after the libvirtd restart, was %d", got, qemuPID)
		}
		r.waitLog(t, "libvirtd connection restored")
		r.waitState(t, "running", id)
	})

	if _, err := r.Client.StopInstances(ctx, &v1.StopInstancesRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("StopInstances: %v", err)
	}
	r.waitState(t, "stopped", id)
	r.waitConsole(t, id, "power button, shutting down")

	if _, err := r.Client.StartInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("StartInstances: %v", err)
	}
	r.waitState(t, "running", id)
	out := r.waitConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id+" boot=2", "already ran for "+id)
	if n := strings.Count(out, "user-data says e2e-was-here"); n != 1 {
		t.Errorf("the once-per-instance script ran %d times over two boots; console:\n%s", n, tail(out, 2000))
	}

	// The guest powers itself off: only libvirt's event, over the agent's
	// connection made after the libvirtd restart, tells ec2d, and the
	// instance is stopped as on EC2.
	_, _, _ = r.guestExec(id, "poweroff -f", 30*time.Second) // the console ends with the guest
	stopped := r.waitState(t, "stopped", id)
	if got := stopped[0].GetStateReason().GetCode(); got != "Client.InstanceInitiatedShutdown" {
		t.Errorf("state reason after the guest's poweroff: %q, want Client.InstanceInitiatedShutdown", got)
	}
	r.waitLog(t, "guest powered off")
	if line := grepLines(r.log.String(), "guest powered off"); !strings.Contains(line, id) || !strings.Contains(line, "seen_by=event") {
		t.Errorf("the poweroff was not seen through libvirt's event: %q", line)
	}

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	term := r.waitState(t, "terminated", id)
	if term[0].GetState().GetCode() != 48 {
		t.Errorf("terminated code %d", term[0].GetState().GetCode())
	}
	if doms := virshDomains(t, prefix); len(doms) != 0 {
		t.Errorf("domains left after terminate: %v", doms)
	}
	vols, _ := filepath.Glob(filepath.Join(r.DataDir, "pools", "lab-1a", "vol-*"))
	if len(vols) != 0 {
		t.Errorf("root volume files left after terminate (DeleteOnTermination): %v", vols)
	}
	if _, err := os.Stat(r.Credentials); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(r.Credentials); fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials mode %v, want 0600", fi.Mode().Perm())
	}
}
