package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// TestReadmeTour runs the README's tour, command for command, against a
// real all-in-one ec2d: the only edits are the endpoints and the
// credentials path of this test's region.
func TestReadmeTour(t *testing.T) {
	requireHost(t)
	script := readmeTour(t)
	r := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", fmt.Sprintf("tour%04x-", rand.Intn(1<<16)))
	script = strings.NewReplacer("127.0.0.1:7700", r.GRPC, "127.0.0.1:7780", r.HTTP,
		"$PWD/var/credentials", r.Credentials).Replace(script)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+binaries(t)+":"+os.Getenv("PATH"), "AWS_CONFIG_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README tour failed: %v\n%s\nec2d log tail:\n%s", err, out, tail(r.log.String(), 3000))
	}
	for _, want := range []string{"hello from user-data", "DescribeInstances", `"Reservations"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tour output lacks %q:\n%s", want, out)
		}
	}
}

// readmeTour returns the shell block of the README's "## Tour" section.
func readmeTour(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## Tour")
	if i < 0 {
		t.Fatal("README has no ## Tour section")
	}
	s = s[i:]
	start := strings.Index(s, "```sh\n")
	end := strings.Index(s[start+6:], "```")
	if start < 0 || end < 0 {
		t.Fatal("README tour has no ```sh block")
	}
	return s[start+6 : start+6+end]
}
