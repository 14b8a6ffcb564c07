package e2e

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// awsCLI runs the preinstalled, unmodified AWS CLI against the region's
// EC2 Query API with the credentials file ec2d wrote; it fails t when the
// command fails.
func (r *region) awsCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := r.awsCLIResult(t, args...)
	if code != 0 {
		t.Fatalf("aws %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// awsCLIResult is awsCLI for commands that may fail: stdout, stderr and
// the exit status.
func (r *region) awsCLIResult(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws CLI missing (CI=true: failing, not skipping)")
		}
		t.Skip("aws CLI missing")
	}
	full := append([]string{"--endpoint-url", "http://" + r.HTTP, "--region", "lab-1", "--profile", "ec2lab", "--output", "json", "ec2"}, args...)
	cmd := exec.Command("aws", full...)
	cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+r.Credentials, "AWS_CONFIG_FILE=/dev/null")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	return "", "", -1
}
