package controller

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

func TestExportTarget(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, wantCode, want string
	}{
		{filepath.Join(dir, "new") + "/", "", filepath.Join(dir, "new")},
		{"", ec2err.InvalidParameterValue, ""}, // ExportImage itself answers MissingParameter
		{"relative/bundle", ec2err.InvalidParameterValue, ""},
		{filepath.Join(dir, "taken"), ec2err.InvalidParameterValue, ""},
		{filepath.Join(dir, "no-parent", "b"), ec2err.InvalidParameterValue, ""},
	}
	for _, tt := range tests {
		got, err := exportTarget(tt.path)
		var e *ec2err.Error
		switch {
		case tt.wantCode == "" && (err != nil || got != tt.want):
			t.Errorf("exportTarget(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
		case tt.wantCode != "" && (!errors.As(err, &e) || e.Code != tt.wantCode):
			t.Errorf("exportTarget(%q) error %v, want %s", tt.path, err, tt.wantCode)
		}
	}
}

func TestDiskFileName(t *testing.T) {
	tests := []struct {
		device string
		want   string
	}{
		{"/dev/xvda", "xvda.qcow2"},
		{"/dev/sdf", "sdf.qcow2"},
		{"", "disk2.qcow2"},
		{"/", "disk2.qcow2"},
	}
	for _, tt := range tests {
		if got := diskFileName(tt.device, 2); got != tt.want {
			t.Errorf("diskFileName(%q) = %q, want %q", tt.device, got, tt.want)
		}
	}
}
