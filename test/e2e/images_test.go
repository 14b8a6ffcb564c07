package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// srcUserData writes a marker onto the source instance's root disk.
const srcUserData = "#!/bin/sh\necho src-marker-$INSTANCE_ID > /image-marker\nsync\necho src-marker-written\n"

// cloneUserData runs at every boot of an instance from the new image: it
// shows the marker, writes the instance's own file once, and lists /.
const cloneUserData = "#cloud-boothook\n#!/bin/sh\necho \"sees-marker: $(cat /image-marker)\"\n" +
	"[ -e /own-$INSTANCE_ID ] || echo $INSTANCE_ID > /own-$INSTANCE_ID\nsync\necho \"ls-root: $(ls / | tr '\\n' ' ')\"\n"

// TestCreateImageAndLaunchMany images a real guest with CreateImage (clean
// stop, snapshot, restart), launches three instances from the new AMI that
// each see the source's file and only their own, checks the shared layers
// never change, deregisters the AMI under the running instances, and
// covers launch-time root overrides and CreateImage's validation.
func TestCreateImageAndLaunchMany(t *testing.T) {
	requireHost(t)
	prefix := fmt.Sprintf("e2eimg%04x-", rand.Intn(1<<16))
	r := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", prefix)
	t.Cleanup(func() { cleanupInstances(r, prefix) })
	ctx := context.Background()
	tiny := tinyAMI(t, r)
	pool := filepath.Join(r.DataDir, "pools", "lab-1a")

	src := runInstances(t, r, &v1.RunInstancesRequest{ImageId: tiny, InstanceType: "t3.nano", UserData: []byte(srcUserData)})[0]
	f := false
	big := runInstances(t, r, &v1.RunInstancesRequest{ImageId: tiny, InstanceType: "t3.nano",
		UserData: []byte("#!/bin/sh\necho \"vda-sectors $(cat /sys/block/vda/size)\"\n"),
		BlockDeviceMappings: []*v1.BlockDeviceMapping{{DeviceName: "/dev/xvda",
			Ebs: &v1.EbsBlockDevice{VolumeSize: 2, VolumeType: "gp2", DeleteOnTermination: &f}}}})[0]
	wantCode(t, "CreateImage of a pending instance", "IncorrectInstanceState",
		createImage(r, &v1.CreateImageRequest{InstanceId: big, Name: "too-early"}))
	r.waitState(t, "running", src, big)
	r.waitConsole(t, src, "src-marker-written")

	t.Run("launch overrides", func(t *testing.T) { launchOverrides(t, r, big) })
	t.Run("validation", func(t *testing.T) { createImageValidation(t, r, src, big) })

	ami, snaps := createImageWithReboot(t, r, src)
	layers := layerSums(t, pool)
	clones, firstBoot := launchClones(t, r, ami, src)
	reportExtraDisk(t, r, pool, clones, snaps)

	t.Run("deregister under running instances", func(t *testing.T) {
		if _, err := r.Client.DeregisterImage(ctx, &v1.DeregisterImageRequest{ImageId: ami}); err != nil {
			t.Fatalf("DeregisterImage: %v", err)
		}
		out, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, img := range out.GetImages() {
			if img.GetImageId() == ami {
				t.Errorf("deregistered %s still listed", ami)
			}
		}
		r.waitState(t, "running", clones...)
		for _, id := range snaps {
			if s := r.describeSnapshot(t, id); s.GetState() != "completed" {
				t.Errorf("snapshot %s of the deregistered image: state %s", id, s.GetState())
			}
		}
		if _, err := r.Client.StopInstances(ctx, &v1.StopInstancesRequest{InstanceIds: clones}); err != nil {
			t.Fatalf("StopInstances: %v", err)
		}
		r.waitState(t, "stopped", clones...)
		if _, err := r.Client.StartInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: clones}); err != nil {
			t.Fatalf("StartInstances: %v", err)
		}
		r.waitState(t, "running", clones...)
		for _, id := range clones {
			checkClone(t, r, id, src, clones, firstBoot[id]+1)
		}
	})

	t.Run("base layers unchanged", func(t *testing.T) {
		after := layerSums(t, pool)
		for name, sum := range layers {
			if after[name] != sum {
				t.Errorf("layer %s changed: sha256 %s before, %q after", name, sum, after[name])
			}
		}
		t.Logf("%d read-only layers/boot files byte-identical after 3 launches, writes, stop/start", len(layers))
	})

	t.Run("no reboot", func(t *testing.T) { createImageNoReboot(t, r, src) })
}

// runInstances launches req (count 1 unless set) and returns the IDs.
func runInstances(t *testing.T, r *region, req *v1.RunInstancesRequest) []string {
	t.Helper()
	if req.MinCount == 0 {
		req.MinCount, req.MaxCount = 1, 1
	}
	res, err := r.Client.RunInstances(context.Background(), req)
	if err != nil {
		t.Fatalf("RunInstances from %s: %v", req.ImageId, err)
	}
	var out []string
	for _, in := range res.GetInstances() {
		out = append(out, in.GetInstanceId())
	}
	return out
}

func createImage(r *region, req *v1.CreateImageRequest) error {
	_, err := r.Client.CreateImage(context.Background(), req)
	return err
}

func wantCode(t *testing.T, what, code string, err error) {
	t.Helper()
	if got := ec2err.Code(errgrpc.ToNative(err)); got != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// launchOverrides checks a root grown to 2 GiB, of type gp2, kept on
// terminate.
func launchOverrides(t *testing.T, r *region, id string) {
	ctx := context.Background()
	r.waitConsole(t, id, fmt.Sprintf("vda-sectors %d", (2<<30)/512))
	in := r.waitState(t, "running", id)[0]
	vol := in.GetBlockDeviceMappings()[0].GetVolumeId()
	if v := r.describeVolume(t, vol); v.GetSize() != 2 || v.GetVolumeType() != "gp2" {
		t.Errorf("root volume %s: size %d type %s, want 2 gp2", vol, v.GetSize(), v.GetVolumeType())
	}
	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", id)
	r.waitVolume(t, vol, "available")
	if _, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: vol}); err != nil {
		t.Errorf("DeleteVolume of the kept root: %v", err)
	}
}

func createImageValidation(t *testing.T, r *region, src, terminated string) {
	cases := []struct {
		what, code string
		req        *v1.CreateImageRequest
	}{
		{"unknown instance", "InvalidInstanceID.NotFound", &v1.CreateImageRequest{InstanceId: "i-0123456789abcdef0", Name: "nope"}},
		{"terminated instance", "IncorrectInstanceState", &v1.CreateImageRequest{InstanceId: terminated, Name: "late"}},
		{"name too short", "InvalidAMIName.Malformed", &v1.CreateImageRequest{InstanceId: src, Name: "ab"}},
		{"bad character", "InvalidAMIName.Malformed", &v1.CreateImageRequest{InstanceId: src, Name: "bad*name"}},
		{"duplicate name", "InvalidAMIName.Duplicate", &v1.CreateImageRequest{InstanceId: src, Name: "tiny"}},
		{"dry run", "DryRunOperation", &v1.CreateImageRequest{InstanceId: src, Name: "dry-run", DryRun: true}},
	}
	for _, c := range cases {
		wantCode(t, c.what, c.code, createImage(r, c.req))
	}
	r.waitState(t, "running", src) // none of them touched it
}
