package storage

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// requireQemuImg fails under CI=true when qemu-img/qemu-io are missing and
// skips otherwise (and always under -short).
func requireQemuImg(t testing.TB) {
	t.Helper()
	hvtest.SkipIfShort(t, "qemu-img and qemu-io")
	for _, tool := range []string{"qemu-img", "qemu-io"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI: %v", tool, err)
			}
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
}

func newTestPool(t testing.TB) *Pool {
	t.Helper()
	requireQemuImg(t)
	p, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustCreate(t testing.TB, p *Pool, name string, size int64, opt CreateOptions) {
	t.Helper()
	if err := p.Create(context.Background(), name, size, opt); err != nil {
		t.Fatal(err)
	}
}

// ioArgs names an image for qemu-io: a plain file, or image-opts with a
// key applied to the first `encLayers` layers of the chain.
func ioArgs(path string, key string, encLayers []bool) []string {
	if key == "" {
		return []string{"-f", "qcow2", path}
	}
	opts := []string{"driver=qcow2", "file.filename=" + path}
	for i, enc := range encLayers {
		if enc {
			opts = append(opts, strings.Repeat("backing.", i)+"encrypt.key-secret=sec0")
		}
	}
	return []string{"--object", "secret,id=sec0,data=" + key, "--image-opts", strings.Join(opts, ",")}
}

// qemuIO runs one qemu-io command (e.g. "write -P 0xab 0 1M") and fails
// the test if it fails or a pattern does not verify.
func qemuIO(t testing.TB, cmd string, image ...string) {
	t.Helper()
	if out, err := tryQemuIO(cmd, image...); err != nil {
		t.Fatalf("qemu-io %q on %v: %v\n%s", cmd, image, err, out)
	}
}

func tryQemuIO(cmd string, image ...string) (string, error) {
	args := append([]string{"-c", cmd}, image...)
	if strings.HasPrefix(cmd, "read") {
		args = append([]string{"-r", "-U"}, args...)
	}
	out, err := exec.Command("qemu-io", args...).CombinedOutput()
	if err == nil && bytes.Contains(out, []byte("failed")) {
		err = os.ErrInvalid
	}
	return string(out), err
}
