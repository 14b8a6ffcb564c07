package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/storage"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestRegisterImage registers hostile or damaged bundles: each is refused
// with InvalidParameterValue and a message naming the problem, and neither
// an AMI, a snapshot nor a pool file is left behind. Then a plain disk
// image is registered and boots by BIOS and by UEFI (registerDiskImage).
func TestRegisterImage(t *testing.T) {
	requireHost(t)
	r := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", "e2eimp-")
	ctx := context.Background()
	pool := filepath.Join(r.DataDir, "pools", "lab-1a")
	tiny := filepath.Join(repoRoot(), "images/tiny")

	cases := []struct {
		name, want string
		disk       func(t *testing.T, path string) // writes the bundle's root disk
		manifest   func(m map[string]any)          // edits the manifest after the disk's sha256 is set
	}{
		{name: "backing-passwd", want: "backing file /etc/passwd not allowed",
			disk: func(t *testing.T, p string) {
				mustRun(t, "qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", p, "64M")
			}},
		{name: "truncated", want: "corrupt",
			disk: func(t *testing.T, p string) {
				copyFileT(t, filepath.Join(tiny, "root.qcow2"), p)
				if err := os.Truncate(p, 1<<20); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "sha-mismatch", want: "sha256 mismatch",
			disk: func(t *testing.T, p string) { copyFileT(t, filepath.Join(tiny, "root.qcow2"), p) },
			manifest: func(m map[string]any) {
				bundleDev(m)["sha256"] = strings.Repeat("0", 64)
			}},
		{name: "kernel-sha-mismatch", want: "does not match the manifest", // the disk imports first, then must go
			disk: func(t *testing.T, p string) { copyFileT(t, filepath.Join(tiny, "root.qcow2"), p) },
			manifest: func(m map[string]any) {
				m["kernel"].(map[string]any)["sha256"] = strings.Repeat("1", 64)
			}},
	}
	before := poolFiles(t, pool)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := badBundle(t, tiny, c.disk, c.manifest)
			_, err := r.Client.RegisterImage(ctx, &v1.RegisterImageRequest{Name: "bad-" + c.name, BundlePath: dir})
			e, ok := ec2err.As(errgrpc.ToNative(err))
			if !ok || e.Code != ec2err.InvalidParameterValue || !strings.Contains(e.Message, c.want) {
				t.Fatalf("RegisterImage(%s) = %v, want InvalidParameterValue mentioning %q", c.name, err, c.want)
			}
			t.Logf("refused: %s", e.Message)
			imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"},
				Filters: []*v1.Filter{{Name: "name", Values: []string{"bad-" + c.name}}}})
			if err != nil || len(imgs.GetImages()) != 0 {
				t.Errorf("an image was recorded: %v %v", imgs, err)
			}
		})
	}
	if after := poolFiles(t, pool); !reflect.DeepEqual(before, after) {
		t.Errorf("pool files changed:\nbefore %v\nafter  %v", before, after)
	}
	snaps, err := r.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
	if err != nil || len(snaps.GetSnapshots()) != 1 {
		t.Errorf("want only the tiny AMI's snapshot, got %v %v", snaps, err)
	}
	t.Run("plain disk image boots by BIOS and by UEFI", func(t *testing.T) { registerDiskImage(t, r) })
}

// registerDiskImage registers images/tiny/disk.qcow2, a plain disk image
// with an MBR, a boot partition and a root partition (what a cloud image
// is), twice with the AWS CLI's register-image --image-location: with
// --boot-mode legacy-bios and uefi. One instance of each boots from its own
// disk: SeaBIOS and syslinux, OVMF and systemd-boot. A disk file whose
// backing file points outside, and a file outside the region's image
// directories, are refused first.
func registerDiskImage(t *testing.T, r *region) {
	evil := filepath.Join(t.TempDir(), "evil.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", evil, "1M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v %s", err, out)
	}
	if _, errOut, code := r.awsCLIResult(t, "register-image", "--name", "evil-disk", "--image-location", evil); code == 0 ||
		!strings.Contains(errOut, "InvalidParameterValue") {
		t.Errorf("register-image of a disk backed by /etc/passwd: exit %d, %s", code, errOut)
	}
	if _, errOut, code := r.awsCLIResult(t, "register-image", "--name", "shadow", "--image-location", "/etc/shadow"); code == 0 ||
		!strings.Contains(errOut, "not inside an image directory") {
		t.Errorf("register-image of /etc/shadow (outside the image directories): exit %d, %s", code, errOut)
	}

	disk := filepath.Join(repoRoot(), "images/tiny/disk.qcow2")
	ctx := context.Background()
	modes := []struct{ mode, console, domain string }{
		{"legacy-bios", "SYSLINUX", "<boot dev='hd'/>"},
		{"uefi", "EC2LAB-BOOT-OK", "<loader "},
	}
	ids := make([]string, len(modes))
	for i, m := range modes {
		ami := strings.TrimSpace(r.awsCLI(t, "register-image", "--name", "tiny-"+m.mode, "--image-location", disk,
			"--boot-mode", m.mode, "--query", "ImageId", "--output", "text"))
		got := strings.Fields(r.awsCLI(t, "describe-images", "--image-ids", ami, "--query",
			"Images[0].[State,BootMode,RootDeviceName,BlockDeviceMappings[0].DeviceName,BlockDeviceMappings[0].Ebs.VolumeSize]",
			"--output", "text"))
		if want := []string{"available", m.mode, "/dev/xvda", "/dev/xvda", "1"}; !reflect.DeepEqual(got, want) {
			t.Errorf("describe-images of %s: %v, want %v", ami, got, want)
		}
		res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1})
		if err != nil {
			t.Fatalf("RunInstances of the %s image: %v", m.mode, err)
		}
		ids[i] = res.GetInstances()[0].GetInstanceId()
	}
	t.Cleanup(func() { _, _ = r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}) })
	start := time.Now()
	r.waitState(t, "running", ids...)
	t.Logf("both running after %v", time.Since(start).Round(time.Second))
	for i, m := range modes {
		id := ids[i]
		r.waitConsole(t, id, m.console, "root /dev/vda2 rw ok", "EC2LAB-BOOT-OK instance-id="+id+" boot=1")
		t.Logf("%s booted after %v", m.mode, time.Since(start).Round(time.Second))
		x, err := exec.Command("virsh", "-c", "qemu:///system", "dumpxml", "e2eimp-"+id).Output()
		if err != nil {
			t.Fatal(err)
		}
		if dom := string(x); strings.Contains(dom, "<kernel>") || !strings.Contains(dom, m.domain) {
			t.Errorf("the %s image's domain boots a kernel directly or lacks %q:\n%s", m.mode, m.domain, dom)
		}
	}
	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		t.Fatal(err)
	}
	r.waitState(t, "terminated", ids...)
	t.Logf("both terminated after %v", time.Since(start).Round(time.Second))
	if doms := virshDomains(t, "e2eimp-"); len(doms) != 0 {
		t.Errorf("domains left after terminate (UEFI NVRAM must not block undefine): %v", doms)
	}
}

// badBundle copies the tiny bundle with the disk made by disk and the
// manifest's sha256 updated to it, then edited by edit.
func badBundle(t *testing.T, tiny string, disk func(*testing.T, string), edit func(map[string]any)) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"vmlinuz", "initrd"} {
		copyFileT(t, filepath.Join(tiny, f), filepath.Join(dir, f))
	}
	disk(t, filepath.Join(dir, "root.qcow2"))
	b, err := os.ReadFile(filepath.Join(tiny, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	sum, err := storage.FileSHA256(filepath.Join(dir, "root.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	bundleDev(m)["sha256"] = sum
	if edit != nil {
		edit(m)
	}
	b, _ = json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func bundleDev(m map[string]any) map[string]any {
	return m["block_device_mappings"].([]any)[0].(map[string]any)
}

func copyFileT(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// poolFiles lists a pool directory's files with their sizes.
func poolFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d", e.Name(), fi.Size()))
	}
	sort.Strings(out)
	return out
}
