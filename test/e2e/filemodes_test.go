package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestTenantFilesPrivate launches a real guest with user data, attaches a
// volume and snapshots it live, then, while the guest runs and again after
// it stopped, tries to read every file and list every directory under the
// data dir (pools, seeds, state store, keys) as user nobody: none may
// succeed, yet the guest boots, runs its user data and uses its volume. A
// file left 0644 in the pool before ec2d started is 0600 after.
func TestTenantFilesPrivate(t *testing.T) {
	requireHost(t)
	hvtest.RequireTool(t, "setpriv")
	dataDir := hvtest.ScratchDir(t)
	stray := filepath.Join(dataDir, "pools", "lab-1a", "vol-0stray.qcow2")
	if err := os.MkdirAll(filepath.Dir(stray), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, []byte("left by an older ec2lab"), 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("e2efm%04x-", rand.Intn(1<<16))
	r := startRegion(t, dataDir, "--domain-prefix", prefix)
	if fi, err := os.Stat(stray); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stray 0644 file after start: %v %v, want 0600", fi.Mode(), err)
	}
	ctx := context.Background()
	imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"},
		Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
	if err != nil || len(imgs.GetImages()) != 1 {
		t.Fatalf("tiny AMI: %v %v", imgs, err)
	}
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: imgs.GetImages()[0].GetImageId(),
		InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
		UserData: []byte("#!/bin/sh\necho \"private user-data ran\"\n")})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	id := res.GetInstances()[0].GetInstanceId()
	r.waitState(t, "running", id)
	r.waitConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id, "private user-data ran", "root /dev/vda rw ok")

	vol, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1})
	if err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	r.waitVolume(t, vol.GetVolumeId(), "available")
	r.attach(t, vol.GetVolumeId(), id, "/dev/sdf")
	dev := r.guestDisk(t, id, vol.GetVolumeId())
	r.writePattern(t, id, dev, 'p', 0)
	want := r.guestSum(t, id, dev, 0)
	r.snapshot(t, vol.GetVolumeId(), "private")
	r.writePattern(t, id, dev, 'q', 1) // the new head takes writes
	if got := r.guestSum(t, id, dev, 0); got != want {
		t.Errorf("volume data after the live snapshot: sha256 %s, want %s", got, want)
	}

	t.Run("running", func(t *testing.T) { requireNoneReadable(t, dataDir) })
	if _, err := r.Client.StopInstances(ctx, &v1.StopInstancesRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("StopInstances: %v", err)
	}
	r.waitState(t, "stopped", id)
	t.Run("stopped", func(t *testing.T) { requireNoneReadable(t, dataDir) })
	// terminated, so that ec2d's shutdown leaves no bridge or DHCP server
	// of a stopped instance to the tests after this one
	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", id)
}

// requireNoneReadable fails t for every file under root that user nobody
// can read and every directory it can list, and checks that the walk saw
// the tenant data it is about (volume heads, layers, seeds, the store).
func requireNoneReadable(t *testing.T, root string) {
	t.Helper()
	var files, dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			dirs = append(dirs, p)
		case d.Type().IsRegular():
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(files, "\n")
	for _, must := range []string{"/pools/lab-1a/vol-", "/pools/lab-1a/snap-", "/agent/seeds/i-", "/state.db", "/master.key"} {
		if !strings.Contains(all, must) {
			t.Errorf("no file matching %s under %s: the check would prove nothing", must, root)
		}
	}
	// One shell as nobody prints what it could open.
	script := `for f; do if [ -d "$f" ]; then ls "$f" >/dev/null 2>&1 && echo "listable: $f"; ` +
		`else head -c1 "$f" >/dev/null 2>&1 && echo "readable: $f"; fi; done; true`
	args := append([]string{"--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", script, "sh"}, append(files, dirs...)...)
	out, err := exec.Command("setpriv", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("setpriv: %v\n%s", err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("user nobody can open tenant data:\n%s", s)
	}
	t.Logf("%d files and %d directories checked as nobody", len(files), len(dirs))
}
