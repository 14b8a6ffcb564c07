package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/storage"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestExportImportAcrossRegions moves the tiny AMI between two independent
// regions with the ec2ctl binary: region A exports it as a bundle directory
// (flattened disk, kernel, initrd, manifest with matching sha256s), region B
// refuses a copy with one byte of the disk changed and leaves nothing in
// its pool, imports the real bundle and boots an instance from it.
func TestExportImportAcrossRegions(t *testing.T) {
	requireHost(t)
	n := rand.Intn(1 << 16)
	prefixA, prefixB := fmt.Sprintf("e2exa%04x-", n), fmt.Sprintf("e2exb%04x-", n)
	a := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", prefixA)
	b := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", prefixB)
	t.Cleanup(func() { cleanupInstances(b, prefixB) })
	tiny := tinyAMI(t, a)
	work := t.TempDir()
	bundle := filepath.Join(work, "tiny-bundle")

	out := a.ec2ctlOK(t, "export-image", "--image-id", tiny, "--bundle", bundle, "--output", "json")
	var res struct{ BundlePath, ManifestSha256 string }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.BundlePath != bundle {
		t.Fatalf("export-image printed %q (%v), want BundlePath %s", out, err, bundle)
	}
	checkBundle(t, bundle, res.ManifestSha256)
	if left, _ := filepath.Glob(filepath.Join(work, ".*")); len(left) > 0 {
		t.Errorf("export left temp files next to the bundle: %v", left)
	}

	t.Run("refusals", func(t *testing.T) {
		for _, tt := range []struct {
			image, bundle, want string
			extra               []string
		}{
			{tiny, bundle, "InvalidParameterValue", nil},                                      // the target exists
			{"ami-0123456789abcdef0", filepath.Join(work, "x"), "InvalidAMIID.NotFound", nil}, // no such image
			{tiny, filepath.Join(work, "dry"), "DryRunOperation", []string{"--dry-run"}},
		} {
			args := append([]string{"export-image", "--image-id", tt.image, "--bundle", tt.bundle}, tt.extra...)
			_, errOut, code := a.ec2ctl(t, args...)
			if code != 254 || !strings.Contains(errOut, "An error occurred ("+tt.want+") when calling the ExportImage operation") {
				t.Errorf("%v: exit %d, %q; want 254 and %s", args, code, errOut, tt.want)
			}
		}
		if names := dirNames(t, work); !slices.Equal(names, []string{"tiny-bundle"}) {
			t.Errorf("refused exports left %v next to the bundle", names)
		}
	})

	t.Run("tampered bundle", func(t *testing.T) {
		bad := filepath.Join(work, "tampered")
		if out, err := exec.Command("cp", "-a", "--sparse=always", bundle, bad).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
		flipByte(t, filepath.Join(bad, "xvda.qcow2"), 1<<20)
		pool := filepath.Join(b.DataDir, "pools", "lab-1a")
		before := dirNames(t, pool)
		_, errOut, code := b.ec2ctl(t, "import-image", "--bundle", bad, "--name", "tampered")
		if code != 254 || !strings.Contains(errOut, "An error occurred (InvalidParameterValue) when calling the RegisterImage operation") {
			t.Fatalf("import of a tampered bundle: exit %d, %q; want 254 InvalidParameterValue", code, errOut)
		}
		if after := dirNames(t, pool); !slices.Equal(before, after) {
			t.Errorf("failed import changed B's pool: before %v, after %v", before, after)
		}
		if got := b.ec2ctlOK(t, "describe-images", "--filters", "Name=name,Values=tampered", "--query", "length(Images)", "--output", "text"); strings.TrimSpace(got) != "0" {
			t.Errorf("tampered image registered anyway: %q", got)
		}
	})

	ami := strings.TrimSpace(b.ec2ctlOK(t, "import-image", "--bundle", bundle, "--name", "moved-tiny", "--query", "ImageId", "--output", "text"))
	img, err := b.Client.DescribeImages(context.Background(), &v1.DescribeImagesRequest{ImageIds: []string{ami}})
	if err != nil || len(img.GetImages()) != 1 || img.GetImages()[0].GetState() != "available" {
		t.Fatalf("imported %q: %v %v", ami, img, err)
	}
	id := strings.TrimSpace(b.ec2ctlOK(t, "run-instances", "--image-id", ami, "--instance-type", "t3.nano",
		"--query", "Instances[0].InstanceId", "--output", "text"))
	b.ec2ctlOK(t, "wait", "instance-running", "--instance-ids", id)
	marker := "EC2LAB-BOOT-OK instance-id=" + id + " boot=1"
	deadline := time.Now().Add(2 * time.Minute)
	for console := ""; !strings.Contains(console, marker); {
		if time.Now().After(deadline) {
			t.Fatalf("console of %s never showed %q; got:\n%s", id, marker, tail(console, 3000))
		}
		time.Sleep(time.Second)
		console, _, _ = b.ec2ctl(t, "get-console-output", "--instance-id", id, "--output", "text")
	}
}

// checkBundle verifies the manifest's sha256 and every file it names
// against their bytes, and that the disk is a standalone qcow2.
func checkBundle(t *testing.T, dir, manifestSum string) {
	t.Helper()
	if got, err := storage.FileSHA256(filepath.Join(dir, "manifest.json")); err != nil || got != manifestSum {
		t.Fatalf("manifest.json sha256 %s (%v), export reported %s", got, err, manifestSum)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m controller.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.BootMode != "direct-kernel" || m.Kernel == nil || m.Initrd == nil || len(m.Devices) != 1 {
		t.Fatalf("manifest %+v: want a direct-kernel image with kernel, initrd and one disk", m)
	}
	files := map[string]string{m.Kernel.File: m.Kernel.SHA256, m.Initrd.File: m.Initrd.SHA256, m.Devices[0].File: m.Devices[0].SHA256}
	for f, want := range files {
		if got, err := storage.FileSHA256(filepath.Join(dir, f)); err != nil || got != want {
			t.Errorf("%s: sha256 %s (%v), manifest says %s", f, got, err, want)
		}
	}
	if names := dirNames(t, dir); len(names) != 4 {
		t.Errorf("bundle holds %v, want manifest.json and the 3 files it names", names)
	}
	info, err := exec.Command("qemu-img", "info", "--output", "json", filepath.Join(dir, m.Devices[0].File)).Output()
	if err != nil || !bytes.Contains(info, []byte(`"format": "qcow2"`)) || bytes.Contains(info, []byte("backing-filename")) {
		t.Errorf("exported disk is not a standalone qcow2: %v\n%s", err, info)
	}
	if m.Devices[0].SizeBytes != 512<<20 {
		t.Errorf("disk size_bytes %d, want the tiny AMI's 512 MiB", m.Devices[0].SizeBytes)
	}
}

// flipByte inverts the byte at off of path.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// ec2ctl runs the ec2ctl binary against r and returns stdout, stderr and the exit code.
func (r *region) ec2ctl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binaries(t), "ec2ctl"), args...)
	for _, kv := range os.Environ() { // only r's settings, none of the caller's
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "EC2LAB_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	endpoint := r.GRPC
	if r.CA == "" {
		endpoint = "grpc://" + r.GRPC
	}
	cmd.Env = append(cmd.Env, "AWS_SHARED_CREDENTIALS_FILE="+r.Credentials, "AWS_PROFILE=ec2lab",
		"EC2LAB_ENDPOINT="+endpoint, "AWS_CA_BUNDLE="+r.CA, "AWS_CONFIG_FILE=/dev/null")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("ec2ctl %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// ec2ctlOK is ec2ctl that fails the test unless the command succeeds.
func (r *region) ec2ctlOK(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := r.ec2ctl(t, args...)
	if code != 0 {
		t.Fatalf("ec2ctl %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}
