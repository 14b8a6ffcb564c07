package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// awsCLI runs the preinstalled, unmodified AWS CLI against the region's
// EC2 Query API with the credentials file ec2d wrote.
func (r *region) awsCLI(t *testing.T, args ...string) string {
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
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
