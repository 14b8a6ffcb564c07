package controller

import (
	"os"
	"path/filepath"
	"testing"
)

// TestInImageDirs: API callers reach files inside the image directories
// only; symbolic links are followed before judging, and a directory whose
// name merely starts like one is outside.
func TestInImageDirs(t *testing.T) {
	base := t.TempDir()
	imgs, other := filepath.Join(base, "imgs"), filepath.Join(base, "imgs2")
	for _, d := range []string{imgs, other, filepath.Join(imgs, "bundle")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(imgs, "disk.qcow2"), filepath.Join(other, "secret")} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(other, "secret"), filepath.Join(imgs, "bundle", "root.qcow2")); err != nil {
		t.Fatal(err)
	}
	s := &Service{cfg: Config{ImageDirs: []string{imgs}}}
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{filepath.Join(imgs, "disk.qcow2"), true},
		{filepath.Join(imgs, "bundle"), true},
		{filepath.Join(imgs, "new-export"), true},            // does not exist yet: judged by its parent
		{filepath.Join(imgs, "bundle", "root.qcow2"), false}, // a link to outside
		{filepath.Join(other, "secret"), false},
		{filepath.Join(imgs, "..", "imgs2", "secret"), false},
		{"/etc/shadow", false},
		{"disk.qcow2", false}, // relative
	} {
		if _, err := s.inImageDirs(tc.path); (err == nil) != tc.ok {
			t.Errorf("inImageDirs(%s) = %v, want allowed %v", tc.path, err, tc.ok)
		}
	}
}
