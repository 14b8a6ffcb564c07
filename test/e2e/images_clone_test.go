package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/storage"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// createImageWithReboot images src the default way and checks it went
// through stopped and runs again; it returns the AMI and its snapshots.
func createImageWithReboot(t *testing.T, r *region, src string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Now()
	res, err := r.Client.CreateImage(ctx, &v1.CreateImageRequest{InstanceId: src, Name: "e2e-golden", Description: "golden image",
		TagSpecifications: []*v1.TagSpecification{{ResourceType: "image", Tags: []*v1.Tag{{Key: "Name", Value: "golden"}}},
			{ResourceType: "snapshot", Tags: []*v1.Tag{{Key: "Name", Value: "golden-root"}}}}})
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	seen := map[string]bool{}
	img := waitImage(t, r, res.GetImageId(), func() { seen[instanceState(t, r, src)] = true })
	tAvail := time.Since(t0)
	r.waitState(t, "running", src)
	tBack := time.Since(t0)
	if !seen["stopping"] && !seen["stopped"] {
		t.Errorf("CreateImage with reboot never stopped %s (states seen %v)", src, seen)
	}
	t.Logf("CreateImage: available after %v, source running again after %v (states seen %v)", tAvail.Round(time.Millisecond), tBack.Round(time.Millisecond), seen)
	// The stopped window is too short to poll: the console shows the clean
	// ACPI shutdown and the next boot.
	r.waitConsole(t, src, "ec2lab: power button, shutting down", "EC2LAB-BOOT-OK instance-id="+src+" boot=2")
	if img.GetBootMode() != "direct-kernel" || img.GetRootDeviceName() != "/dev/xvda" || len(img.GetBlockDeviceMappings()) != 1 ||
		!strings.Contains(img.GetKernelCommandLine(), "root=/dev/vda") || len(img.GetTags()) != 1 {
		t.Errorf("image manifest: %v", img)
	}
	var snaps []string
	for _, m := range img.GetBlockDeviceMappings() {
		e := m.GetEbs()
		if e.GetVolumeSize() != 1 || e.GetVolumeType() != "gp3" || !e.GetDeleteOnTermination() {
			t.Errorf("mapping %v: want 1 GiB gp3 deleted on termination", m)
		}
		s := r.describeSnapshot(t, e.GetSnapshotId())
		if s.GetState() != "completed" || len(s.GetTags()) != 1 || !strings.Contains(s.GetDescription(), src) {
			t.Errorf("snapshot %v", s)
		}
		snaps = append(snaps, s.GetSnapshotId())
	}
	return img.GetImageId(), snaps
}

// createImageNoReboot images src live: the instance never leaves running
// and does not boot again.
func createImageNoReboot(t *testing.T, r *region, src string) {
	ctx := context.Background()
	boots := strings.Count(consoleOf(t, r, src), "EC2LAB-BOOT-OK instance-id="+src)
	t0 := time.Now()
	res, err := r.Client.CreateImage(ctx, &v1.CreateImageRequest{InstanceId: src, Name: "e2e-live", NoReboot: true})
	if err != nil {
		t.Fatalf("CreateImage NoReboot: %v", err)
	}
	seen := map[string]bool{}
	img := waitImage(t, r, res.GetImageId(), func() { seen[instanceState(t, r, src)] = true })
	t.Logf("CreateImage NoReboot: available after %v, states seen %v", time.Since(t0).Round(time.Millisecond), seen)
	if len(seen) != 1 || !seen["running"] {
		t.Errorf("NoReboot: instance states %v, want only running", seen)
	}
	if n := strings.Count(consoleOf(t, r, src), "EC2LAB-BOOT-OK instance-id="+src); n != boots {
		t.Errorf("NoReboot: the instance booted again (%d boots, was %d)", n, boots)
	}
	if len(img.GetBlockDeviceMappings()) != 1 {
		t.Errorf("live image mappings: %v", img.GetBlockDeviceMappings())
	}
}

// waitImage polls an image until it is available (failing on failed),
// calling each on every round.
func waitImage(t *testing.T, r *region, id string, each func()) *v1.Image {
	t.Helper()
	var img *v1.Image
	waitFor(t, "image "+id+" to be available", func() bool {
		each()
		out, err := r.Client.DescribeImages(context.Background(), &v1.DescribeImagesRequest{ImageIds: []string{id}})
		if err != nil || len(out.GetImages()) != 1 {
			t.Fatalf("DescribeImages %s: %v %v", id, out, err)
		}
		img = out.GetImages()[0]
		if img.GetState() == "failed" {
			t.Fatalf("image %s failed: %s\n%s", id, img.GetStateReason(), tail(r.log.String(), 3000))
		}
		return img.GetState() == "available"
	})
	return img
}

func instanceState(t *testing.T, r *region, id string) string {
	out, err := r.Client.DescribeInstances(context.Background(), &v1.DescribeInstancesRequest{InstanceIds: []string{id}})
	if err != nil || len(out.GetReservations()) != 1 {
		t.Fatalf("DescribeInstances %s: %v %v", id, out, err)
	}
	return out.GetReservations()[0].GetInstances()[0].GetState().GetName()
}

func consoleOf(t *testing.T, r *region, id string) string {
	res, err := r.Client.GetConsoleOutput(context.Background(), &v1.GetConsoleOutputRequest{InstanceId: id})
	if err != nil {
		t.Fatalf("GetConsoleOutput %s: %v", id, err)
	}
	return strings.ReplaceAll(string(res.GetOutput()), "\r", "")
}

// launchClones runs three instances from ami at once and checks each;
// it returns their IDs and the boot number each first booted with.
func launchClones(t *testing.T, r *region, ami, src string) ([]string, map[string]int) {
	t.Helper()
	t0 := time.Now()
	clones := runInstances(t, r, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 3, MaxCount: 3,
		UserData: []byte(cloneUserData)})
	tCall := time.Since(t0)
	r.waitState(t, "running", clones...)
	t.Logf("3 instances from %s: RunInstances answered in %v, all running after %v", ami, tCall.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	boots := map[string]int{}
	for _, id := range clones {
		boots[id] = checkClone(t, r, id, src, clones, 0)
	}
	t.Logf("3 clones booted, saw the marker, each lists only its own file (console-checked) after %v", time.Since(t0).Round(time.Millisecond))
	return clones, boots
}

var bootRE = regexp.MustCompile(`EC2LAB-BOOT-OK instance-id=(\S+) boot=(\d+)`)

// checkClone waits for a boot (numbered at least minBoot) of id whose
// boothook printed the source's marker and an `ls /` holding id's own file
// and no other clone's; it returns the boot number.
func checkClone(t *testing.T, r *region, id, src string, clones []string, minBoot int) int {
	t.Helper()
	var boot int
	var section, out string
	deadline := time.Now().Add(2 * time.Minute)
	for !func() bool {
		out = consoleOf(t, r, id)
		m := bootRE.FindAllStringSubmatchIndex(out, -1)
		if len(m) == 0 {
			return false
		}
		last := m[len(m)-1]
		boot, _ = strconv.Atoi(out[last[4]:last[5]])
		section = out[last[1]:]
		i := strings.Index(section, "ls-root:")
		return boot >= minBoot && i >= 0 && strings.Contains(section[i:], "\n")
	}() {
		if time.Now().After(deadline) {
			t.Fatalf("console of %s never listed / at a boot >= %d:\n%s", id, minBoot, tail(out, 3000))
		}
		time.Sleep(time.Second)
	}
	if !strings.Contains(section, "sees-marker: src-marker-"+src) {
		t.Errorf("%s does not see the source's marker:\n%s", id, tail(section, 1500))
	}
	i := strings.Index(section, "ls-root:")
	ls := strings.Fields(section[i+len("ls-root:") : i+strings.Index(section[i:], "\n")])
	for _, other := range clones {
		has := hasString(ls, "own-"+other)
		if has != (other == id) {
			t.Errorf("%s (boot %d): ls / = %v; own-%s present=%v", id, boot, ls, other, has)
		}
	}
	return boot
}

func hasString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// layerSums hashes the pool's read-only files: frozen layers and boot files.
func layerSums(t *testing.T, pool string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(pool)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o222 != 0 {
			continue
		}
		sum, err := storage.FileSHA256(filepath.Join(pool, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sum
	}
	return out
}

// reportExtraDisk logs (and bounds) what the clones' heads hold on disk
// against the image's whole layer chain.
func reportExtraDisk(t *testing.T, r *region, pool string, clones, snaps []string) {
	t.Helper()
	var chain int64
	for _, id := range append(snaps, tinySnapshots(t, r)...) {
		chain += r.describeSnapshot(t, id).GetStoredBytes()
	}
	var total int64
	for _, id := range clones {
		in, err := r.Client.DescribeInstances(context.Background(), &v1.DescribeInstancesRequest{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		vol := in.GetReservations()[0].GetInstances()[0].GetBlockDeviceMappings()[0].GetVolumeId()
		n := allocated(t, pool, vol+".")
		if n >= chain {
			t.Errorf("head of %s holds %d bytes, not less than the image chain (%d): a copy, not an overlay?", vol, n, chain)
		}
		total += n
	}
	t.Logf("extra disk for 3 launches: %d KiB in heads vs %d KiB image chain (%.1f%%)", total>>10, chain>>10, 100*float64(total)/float64(max(chain, 1)))
}

func tinySnapshots(t *testing.T, r *region) []string {
	out, err := r.Client.DescribeImages(context.Background(), &v1.DescribeImagesRequest{ImageIds: []string{tinyAMI(t, r)}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range out.GetImages()[0].GetBlockDeviceMappings() {
		ids = append(ids, m.GetEbs().GetSnapshotId())
	}
	return ids
}

// allocated sums the allocated bytes of the pool files named prefix*.
func allocated(t *testing.T, pool, prefix string) int64 {
	ents, err := os.ReadDir(pool)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join(pool, e.Name()), &st); err == nil {
			n += st.Blocks * 512
		}
	}
	return n
}

// cleanupInstances terminates whatever the test left running and waits,
// so no domain of prefix outlives ec2d.
func cleanupInstances(r *region, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		out, err := r.Client.DescribeInstances(ctx, &v1.DescribeInstancesRequest{})
		if err != nil {
			return
		}
		var live []string
		for _, res := range out.GetReservations() {
			for _, in := range res.GetInstances() {
				if in.GetState().GetName() != "terminated" {
					live = append(live, in.GetInstanceId())
				}
			}
		}
		if len(live) == 0 {
			return
		}
		_, _ = r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: live})
		time.Sleep(time.Second)
	}
	fmt.Fprintf(os.Stderr, "cleanup: instances of %s still not terminated\n", prefix)
}
