package ctl

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// checkGolden compares got with testdata/name.golden (-update rewrites it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s mismatch\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestGoldenOutputs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"describe-instances.json", []string{"describe-instances", "--output", "json"}, 0},
		{"describe-instances.yaml", []string{"describe-instances", "--output", "yaml"}, 0},
		{"describe-instances.table", []string{"describe-instances", "--output", "table"}, 0},
		{"describe-instances.text", []string{"describe-instances", "--output", "text"}, 0},
		{"run-instances.json", []string{"run-instances", "--image-id", "ami-0123456789abcdef0", "--output", "json"}, 0},
		{"run-instances.text", []string{"run-instances", "--image-id", "ami-0123456789abcdef0", "--output", "text"}, 0},
		{"describe-volumes.json", []string{"describe-volumes", "--output", "json"}, 0},
		{"describe-volumes.yaml", []string{"describe-volumes", "--output", "yaml"}, 0},
		{"describe-volumes.table", []string{"describe-volumes", "--output", "table"}, 0},
		{"describe-volumes.text", []string{"describe-volumes", "--output", "text"}, 0},
		{"get-console-output.json", []string{"get-console-output", "--instance-id", "i-0123456789abcdef0", "--output", "json"}, 0},
		{"get-console-output.text", []string{"get-console-output", "--instance-id", "i-0123456789abcdef0", "--output", "text"}, 0},
		{"get-console-output.table", []string{"get-console-output", "--instance-id", "i-0123456789abcdef0", "--output", "table"}, 0},
		{"error-not-found", []string{"describe-instances", "--instance-ids", "i-00000000000000000", "--output", "json"}, ExitService},
		{"error-dry-run", []string{"run-instances", "--image-id", "ami-1", "--dry-run"}, ExitService},
		{"modify-instance-metadata-options.json", []string{"modify-instance-metadata-options", "--instance-id", "i-0123456789abcdef0",
			"--http-tokens", "required", "--http-put-response-hop-limit", "2", "--output", "json"}, 0},
		{"modify-instance-metadata-options.text", []string{"modify-instance-metadata-options", "--instance-id", "i-0123456789abcdef0",
			"--http-endpoint", "disabled", "--output", "text"}, 0},
		{"error-metadata-options-invalid", []string{"modify-instance-metadata-options", "--instance-id", "i-0123456789abcdef0",
			"--http-tokens", "bogus"}, ExitService},
		{"error-metadata-options-usage", []string{"modify-instance-metadata-options", "--http-tokens", "required"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			got := out
			if tt.code != 0 {
				got = errOut
			}
			checkGolden(t, tt.name, got)
		})
	}
}

func TestDefaultOutputFollowsTTY(t *testing.T) {
	for _, tty := range []bool{false, true} {
		h := newHarness(t)
		h.tty = tty
		out, _, _ := h.run("describe-regions")
		isTable := strings.HasPrefix(out, "---")
		if out != "" && isTable != tty {
			t.Errorf("tty=%v: output %q", tty, out)
		}
	}
}
