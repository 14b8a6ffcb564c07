package auth

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

func TestCredentialsFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aws", "credentials")
	k1, k2, k3 := NewKey("1", false), NewKey("1", true), NewKey("2", false)
	if err := WriteCredentialsFile(path, "other", k1, ""); err != nil {
		t.Fatal(err)
	}
	if err := WriteCredentialsFile(path, "ec2lab", k2, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if err := WriteCredentialsFile(path, "ec2lab", k3, "eu-west-1"); err != nil { // replace
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stat: %v mode %v, want 0600", err, st.Mode().Perm())
	}
	cases := []struct {
		profile, akid, secret, region string
	}{
		{"ec2lab", k3.AccessKeyID, k3.SecretAccessKey, "eu-west-1"},
		{"other", k1.AccessKeyID, k1.SecretAccessKey, ""},
	}
	for _, tc := range cases {
		got, region, err := ReadCredentialsFile(path, tc.profile)
		if err != nil || got.AccessKeyID != tc.akid || got.SecretAccessKey != tc.secret || region != tc.region {
			t.Errorf("read %s = %v %q %v", tc.profile, got, region, err)
		}
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "[ec2lab]"); n != 1 {
		t.Fatalf("[ec2lab] appears %d times:\n%s", n, data)
	}
	if _, _, err := ReadCredentialsFile(path, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing profile: %v, want fs.ErrNotExist", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestReadCredentialsFileHandWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	text := "# comment\n[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key=s1\n\n" +
		"[ec2lab]\n ; note\naws_access_key_id =  AKIAEC2LAB \naws_secret_access_key= s2\nregion=us-east-1\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	k, region, err := ReadCredentialsFile(path, "ec2lab")
	if err != nil || k.AccessKeyID != "AKIAEC2LAB" || k.SecretAccessKey != "s2" || region != "us-east-1" {
		t.Fatalf("got %v %q %v", k, region, err)
	}
}

// TestCredentialsFileAWSCLI checks the real AWS CLI reads what we write.
func TestCredentialsFileAWSCLI(t *testing.T) {
	hvtest.SkipIfShort(t, "the AWS CLI (seconds a run)")
	aws, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws CLI not installed (CI=true: failing, not skipping)")
		}
		t.Skip("aws CLI not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	k := NewKey("1", false)
	if err := WriteCredentialsFile(path, "ec2lab", k, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ field, want string }{
		{"aws_access_key_id", k.AccessKeyID},
		{"aws_secret_access_key", k.SecretAccessKey},
		{"region", "us-east-1"},
	} {
		cmd := exec.Command(aws, "configure", "get", tc.field, "--profile", "ec2lab")
		cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+path,
			"AWS_CONFIG_FILE="+filepath.Join(dir, "no-config"), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != tc.want {
			t.Errorf("aws configure get %s: %q %v, want %q", tc.field, out, err, tc.want)
		}
	}
}
