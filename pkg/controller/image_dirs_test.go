package controller

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// imageDirsRig is an image directory holding account 1's exported bundle
// and disk, account 2's area with links into account 1's, an operator
// file at the top and a secret outside.
type imageDirsRig struct {
	imgs, bundleA, diskA, areaB, shared, secret string
}

func newImageDirsRig(t *testing.T) imageDirsRig {
	t.Helper()
	base := t.TempDir()
	imgs := filepath.Join(base, "imgs")
	r := imageDirsRig{imgs: imgs, bundleA: filepath.Join(imgs, acct1, "bundle"), diskA: filepath.Join(imgs, acct1, "disk.qcow2"),
		areaB: filepath.Join(imgs, acct2), shared: filepath.Join(imgs, "shared.qcow2"), secret: filepath.Join(base, "imgs2", "secret")}
	for _, d := range []string{r.bundleA, r.areaB, filepath.Dir(r.secret)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	manifest := `{"schema":1,"name":"a","block_device_mappings":[{"device_name":"/dev/xvda","file":"root.qcow2","format":"qcow2"}]}`
	files := map[string]string{filepath.Join(r.bundleA, "manifest.json"): manifest, filepath.Join(r.bundleA, "root.qcow2"): "x",
		r.diskA: "x", filepath.Join(r.areaB, "own.qcow2"): "x", r.shared: "x", r.secret: "x"}
	for f, body := range files {
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"to-a": r.bundleA, "to-a-rel": filepath.Join("..", acct1, "bundle"), "to-secret": r.secret}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(r.areaB, name)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestImageLocation: an account reads image locations inside its own area
// DIR/ACCOUNT only, whichever way it names another's (absolute path,
// relative path with .., a symbolic link), and what it may not see answers
// exactly as what does not exist. The admin key keeps the operator's view
// of the whole image directory.
func TestImageLocation(t *testing.T) {
	r := newImageDirsRig(t)
	s := &Service{cfg: Config{ImageDirs: []string{r.imgs}}}
	admin := auth.WithKey(context.Background(), auth.Key{AccessKeyID: "AKIAADMIN", AccountID: acct1, Admin: true})
	a, b := ctxFor(acct1), ctxFor(acct2)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		path string
		want string // the resolved path, "" = refused
	}{
		{"A's own bundle", a, r.bundleA, r.bundleA},
		{"A's own disk, relative", a, "disk.qcow2", r.diskA},
		{"B's own disk, absolute", b, filepath.Join(r.areaB, "own.qcow2"), filepath.Join(r.areaB, "own.qcow2")},
		{"B's own disk, relative", b, "own.qcow2", filepath.Join(r.areaB, "own.qcow2")},
		{"B names A's bundle", b, r.bundleA, ""},
		{"B names A's bundle through ..", b, filepath.Join("..", acct1, "bundle"), ""},
		{"B names A's disk through .. in an absolute path", b, filepath.Join(r.areaB, "..", acct1, "disk.qcow2"), ""},
		{"B's link to A's bundle", b, filepath.Join(r.areaB, "to-a"), ""},
		{"B's relative link to A's bundle", b, "to-a-rel", ""},
		{"B's link outside", b, "to-secret", ""},
		{"B names the operator's file", b, r.shared, ""},
		{"B names its own area's parent", b, "..", ""},
		{"missing in B's area", b, "nope.qcow2", ""},
		{"outside every area", b, "/etc/shadow", ""},
		{"empty", b, "", ""},
		{"admin reads the operator's file", admin, r.shared, r.shared},
		{"admin reads A's area too", admin, r.diskA, r.diskA},
		{"admin still refused outside", admin, r.secret, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.imageLocation(tc.ctx, tc.path)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("imageLocation(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
				}
				return
			}
			if errCode(err) != ec2err.InvalidParameterValue {
				t.Fatalf("imageLocation(%q) = %q, %v; want InvalidParameterValue", tc.path, got, err)
			}
			// the message names the caller's path and area, never what lies there
			msg := strings.ReplaceAll(err.Error(), tc.path, "PATH")
			_, missing := s.imageLocation(tc.ctx, "no-such-file")
			if want := strings.ReplaceAll(missing.Error(), "no-such-file", "PATH"); tc.path != "" && msg != want {
				t.Errorf("refusal %q differs from a missing file's %q", msg, want)
			}
		})
	}
}

// TestRegisterImageOtherAccountsExport reproduces issue #17's finding:
// account B registers account A's exported bundle from the shared image
// directory. It is refused with the error a nonexistent path gets, and
// records nothing; a bundle naming a format ec2lab does not import is
// refused before any file is read.
func TestRegisterImageOtherAccountsExport(t *testing.T) {
	r := newImageDirsRig(t)
	rig := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	rig.svc.cfg.ImageDirs = []string{r.imgs}
	b := ctxFor(acct2)
	before, _, _ := rig.svc.DescribeImages(b, nil, []string{"self"}, nil, nil, Page{})

	_, missing := rig.svc.RegisterImage(b, RegisterRequest{Name: "stolen", Location: filepath.Join(r.imgs, acct1, "nothing")})
	for _, loc := range []string{r.bundleA, filepath.Join("..", acct1, "bundle"), "to-a", r.diskA} {
		_, err := rig.svc.RegisterImage(b, RegisterRequest{Name: "stolen", Location: loc})
		if errCode(err) != ec2err.InvalidParameterValue {
			t.Errorf("B's RegisterImage(%s) = %v, want InvalidParameterValue", loc, err)
			continue
		}
		if got, want := strings.ReplaceAll(err.Error(), loc, "PATH"),
			strings.ReplaceAll(missing.Error(), filepath.Join(r.imgs, acct1, "nothing"), "PATH"); got != want {
			t.Errorf("B's RegisterImage(%s) says %q; a missing path says %q", loc, got, want)
		}
	}

	vmdk := filepath.Join(r.areaB, "vmdk-bundle")
	if err := os.Mkdir(vmdk, 0o700); err != nil {
		t.Fatal(err)
	}
	m := `{"schema":1,"name":"v","block_device_mappings":[{"device_name":"/dev/xvda","file":"root.vmdk","format":"vmdk"}]}`
	if err := os.WriteFile(filepath.Join(vmdk, "manifest.json"), []byte(m), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := rig.svc.RegisterImage(b, RegisterRequest{Location: "vmdk-bundle"}); errCode(err) != ec2err.InvalidParameterValue ||
		!strings.Contains(err.Error(), `format "vmdk" is not supported`) {
		t.Errorf("RegisterImage of a vmdk bundle = %v, want InvalidParameterValue naming the format", err)
	}

	if after, _, _ := rig.svc.DescribeImages(b, nil, []string{"self"}, nil, nil, Page{}); len(after) != len(before) {
		t.Errorf("refused registrations recorded images: %v", after)
	}
}

// TestExportLocation: an export goes into the caller's own area, made 0700
// on first use; a bundle path in another account's area, or reaching it
// through .. or a link, is refused as a path outside every area is.
func TestExportLocation(t *testing.T) {
	r := newImageDirsRig(t)
	s := &Service{cfg: Config{ImageDirs: []string{r.imgs}}}
	const acct3 = "333333333333"
	c := ctxFor(acct3)
	got, err := s.exportLocation(c, "mine")
	if want := filepath.Join(r.imgs, acct3, "mine"); err != nil || got != want {
		t.Fatalf("exportLocation(mine) = %q, %v; want %q", got, err, want)
	}
	if fi, err := os.Stat(filepath.Join(r.imgs, acct3)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("account 3's area: %v %v, want a 0700 directory", fi, err)
	}
	for _, p := range []string{filepath.Join(r.imgs, acct1, "planted"), filepath.Join("..", acct1, "planted"),
		filepath.Join(r.imgs, "top-level"), "/tmp/elsewhere"} {
		if got, err := s.exportLocation(c, p); errCode(err) != ec2err.InvalidParameterValue {
			t.Errorf("exportLocation(%s) = %q, %v; want InvalidParameterValue", p, got, err)
		}
	}
	if got, err := s.exportLocation(ctxFor(acct2), filepath.Join("to-a", "planted")); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("export through B's link into A's area = %q, %v; want InvalidParameterValue", got, err)
	}
}
