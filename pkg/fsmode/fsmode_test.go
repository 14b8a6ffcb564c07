package fsmode

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWant(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   os.FileMode
		want os.FileMode
		ok   bool
	}{
		{"volume head made by qemu-img", 0o644, 0o600, false},
		{"frozen layer of old", 0o444, 0o400, false},
		{"private head", 0o600, 0o600, true},
		{"private layer", 0o400, 0o400, true},
		{"group-readable file", 0o640, 0o600, false},
		{"world-writable file", 0o666, 0o600, false},
		{"dir made 0755", os.ModeDir | 0o755, 0o711, false},
		{"traversable dir", os.ModeDir | 0o711, 0o711, true},
		{"private dir", os.ModeDir | 0o700, 0o700, true},
		{"group-listable dir", os.ModeDir | 0o750, 0o710, false},
		{"world-writable dir", os.ModeDir | 0o777, 0o711, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Want(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Want(%v) = %#o, %v; want %#o, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// withUmask runs f under umask u (process-wide: these tests are not parallel).
func withUmask(u int, f func()) {
	old := syscall.Umask(u)
	defer syscall.Umask(old)
	f()
}

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestModesIgnoreTheUmask: directories and files get exactly their mode,
// whether the umask would have opened (0) or closed (077) them.
func TestModesIgnoreTheUmask(t *testing.T) {
	for _, umask := range []int{0, 0o022, 0o077} {
		base := t.TempDir()
		withUmask(umask, func() {
			dir := filepath.Join(base, "a", "b")
			if err := MkdirAll(dir, Dir); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{filepath.Join(base, "a"), dir} {
				if got := perm(t, d); got != Dir {
					t.Errorf("umask %#o: %s is %#o, want %#o", umask, d, got, Dir)
				}
			}
			if err := Reserve(filepath.Join(dir, "head"), File); err != nil {
				t.Fatal(err)
			}
			if err := WriteFile(filepath.Join(dir, "seed"), []byte("user data"), File); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"head", "seed"} {
				if got := perm(t, filepath.Join(dir, f)); got != File {
					t.Errorf("umask %#o: %s is %#o, want %#o", umask, f, got, File)
				}
			}
		})
	}
}

// TestWriteFileClosesAnOpenFile: rewriting a file that was 0644 leaves it 0600.
func TestWriteFileClosesAnOpenFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), File); err != nil {
		t.Fatal(err)
	}
	if got := perm(t, p); got != File {
		t.Errorf("mode %#o, want %#o", got, File)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q", b)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestTightenFixesTooOpenModes: a tree as an older ec2lab left it (0755
// dirs, 0644 heads, 0444 layers) is fixed, and a second pass finds nothing.
func TestTightenFixesTooOpenModes(t *testing.T) {
	root := t.TempDir()
	tree := map[string]os.FileMode{
		"pools/lab-1a":                 os.ModeDir | 0o755,
		"pools/lab-1a/vol-1.qcow2":     0o644,
		"pools/lab-1a/snap-1.qcow2":    0o444,
		"agent/seeds":                  os.ModeDir | 0o755,
		"agent/seeds/i-1.iso":          0o644,
		"agent/imds":                   os.ModeDir | 0o700,
		"agent/imds/i-1.json":          0o600,
		"state.db":                     0o600,
		"images/export-1/disk-1.qcow2": 0o640,
	}
	want := map[string]os.FileMode{
		"pools/lab-1a": 0o711, "pools/lab-1a/vol-1.qcow2": 0o600, "pools/lab-1a/snap-1.qcow2": 0o400,
		"agent/seeds": 0o711, "agent/seeds/i-1.iso": 0o600, "agent/imds": 0o700, "agent/imds/i-1.json": 0o600,
		"state.db": 0o600, "images/export-1/disk-1.qcow2": 0o600,
	}
	for p, m := range tree {
		full := filepath.Join(root, p)
		if m.IsDir() {
			if err := os.MkdirAll(full, 0o700); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte("tenant"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(full, m.Perm()); err != nil {
			t.Fatal(err)
		}
	}
	fixed, err := Tighten(context.Background(), quiet, DefaultOwners(), root, filepath.Join(root, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	if fixed < 6 {
		t.Errorf("fixed %d, want at least the 6 too-open entries", fixed)
	}
	for p, m := range want {
		if got := perm(t, filepath.Join(root, p)); got != m {
			t.Errorf("%s: %#o, want %#o", p, got, m)
		}
	}
	if again, err := Tighten(context.Background(), quiet, DefaultOwners(), root); err != nil || again != 0 {
		t.Errorf("second pass fixed %d (err %v), want 0", again, err)
	}
}

// TestTightenRefusesForeignOwners: a pool dir or file owned by another
// non-root user is refused, naming it; QEMU's user may own files only.
func TestTightenRefusesForeignOwners(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	const other, qemu = 4242, 4343
	owners := Owners{Dirs: map[uint32]bool{0: true}, Files: map[uint32]bool{qemu: true}}
	for _, tc := range []struct {
		name    string
		chown   string
		uid     int
		refused bool
	}{
		{"pool dir of another user", "pool", other, true},
		{"file of another user", "pool/vol.qcow2", other, true},
		{"file left to QEMU's user by libvirt", "pool/vol.qcow2", qemu, false},
		{"dir of QEMU's user", "pool", qemu, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.Mkdir(filepath.Join(root, "pool"), 0o711); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "pool", "vol.qcow2"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(root, tc.chown)
			if err := os.Chown(target, tc.uid, tc.uid); err != nil {
				t.Fatal(err)
			}
			_, err := Tighten(context.Background(), quiet, owners, root)
			if refused := errors.Is(err, ErrRefused); refused != tc.refused {
				t.Fatalf("err = %v, want refused=%v", err, tc.refused)
			}
			if tc.refused && !strings.Contains(err.Error(), target) {
				t.Errorf("error %q does not name %s", err, target)
			}
		})
	}
}

// TestTightenFollowsALinkedRoot: a pool directory may be a link to another
// disk; the tree behind it is checked (and fixed), not refused.
func TestTightenFollowsALinkedRoot(t *testing.T) {
	disk, dir := t.TempDir(), t.TempDir()
	vol := filepath.Join(disk, "vol-1.qcow2")
	if err := os.WriteFile(vol, []byte("tenant"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(vol, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "lab-1a")
	if err := os.Symlink(disk, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Tighten(context.Background(), quiet, DefaultOwners(), link); err != nil {
		t.Fatalf("a linked pool root: %v", err)
	}
	if got := perm(t, vol); got != 0o600 {
		t.Errorf("volume behind the link: %#o, want 0600", got)
	}
}
