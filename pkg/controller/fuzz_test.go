package controller

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// fuzzList is a sorted list of distinct names built from fuzz bytes.
func fuzzList(names string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range strings.Split(names, ",") {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// FuzzNextToken: any NextToken either fails with InvalidParameterValue or
// yields a page inside the list (never an out-of-range index) of at most
// MaxResults items, and following the tokens from the start visits every
// item once, in order.
func FuzzNextToken(f *testing.F) {
	f.Add("a,b,c,d", "", 2)
	f.Add("i-1,i-2,i-3", base64.RawURLEncoding.EncodeToString([]byte("i-2")), 1)
	f.Add("x", "!!", 5)
	f.Add("a,b", base64.RawURLEncoding.EncodeToString([]byte("zzz")), 0)
	f.Add("", "AA", -3)
	f.Fuzz(func(t *testing.T, names, token string, max int) {
		list := fuzzList(names)
		p := Page{MaxResults: max, NextToken: token}
		page, _, err := paginate(list, p)
		if err != nil {
			checkCode(t, "paginate", err, ec2err.InvalidParameterValue)
		} else if max > 0 && len(page) > max {
			t.Fatalf("paginate(%q, %+v): %d items, MaxResults %d", list, p, len(page), max)
		}
		start, stop, _, err := pageBounds(list, p)
		if err != nil {
			checkCode(t, "pageBounds", err, ec2err.InvalidParameterValue)
		} else if start < 0 || start > stop || stop > len(list) || (max > 0 && stop-start > max) {
			t.Fatalf("pageBounds(%q, %+v) = [%d:%d]", list, p, start, stop)
		}
		if max <= 0 {
			return
		}
		var walked, bounded []string
		for tok, n := "", 0; n == 0 || tok != ""; n++ {
			if n > len(list)+1 {
				t.Fatalf("paginate over %q with MaxResults %d does not end", list, max)
			}
			var pg []string
			if pg, tok, err = paginate(list, Page{MaxResults: max, NextToken: tok}); err != nil {
				t.Fatalf("paginate with its own token: %v", err)
			}
			walked = append(walked, pg...)
		}
		for tok, n := "", 0; n == 0 || tok != ""; n++ {
			if n > len(list)+1 {
				t.Fatalf("pageBounds over %q with MaxResults %d does not end", list, max)
			}
			var s, e int
			if s, e, tok, err = pageBounds(list, Page{MaxResults: max, NextToken: tok}); err != nil {
				t.Fatalf("pageBounds with its own token: %v", err)
			}
			bounded = append(bounded, list[s:e]...)
		}
		if !slices.Equal(walked, list) || !slices.Equal(bounded, list) {
			t.Fatalf("pages of %q (MaxResults %d): paginate %q, pageBounds %q", list, max, walked, bounded)
		}
	})
}

func checkCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if e, ok := ec2err.As(err); !ok || e.Code != code {
		t.Fatalf("%s: error %v, want code %s", what, err, code)
	}
}

// FuzzReadManifest: any manifest.json is refused with InvalidParameterValue
// or yields at least one device and a known boot mode, and no file it
// names resolves outside the bundle.
func FuzzReadManifest(f *testing.F) {
	f.Add(`{"schema":1,"name":"tiny","boot_mode":"bios","block_device_mappings":[{"device_name":"/dev/sda1","file":"disk.qcow2","format":"qcow2","size_bytes":1048576,"sha256":"00"}]}`)
	f.Add(`{"boot_mode":"direct-kernel","kernel":{"file":"vmlinuz"},"initrd":{"file":"../initrd"},"block_device_mappings":[{"file":"/etc/passwd"}]}`)
	f.Add(`{"boot_mode":"direct-kernel","block_device_mappings":[{}]}`)
	f.Add(`{"block_device_mappings":[]}`)
	f.Add(`{"boot_mode":"pxe","block_device_mappings":[{"file":".."}]}`)
	f.Add(`[1,2`)
	f.Fuzz(func(t *testing.T, manifest string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := readManifest(dir)
		if err != nil {
			checkCode(t, "readManifest", err, ec2err.InvalidParameterValue)
			return
		}
		if len(m.Devices) == 0 || !slices.Contains([]string{"", "bios", "uefi", "direct-kernel"}, m.BootMode) {
			t.Fatalf("readManifest accepted %q as %+v", manifest, m)
		}
		names := []string{}
		for _, d := range m.Devices {
			names = append(names, d.File)
		}
		for _, f := range []*ManifestFile{m.Kernel, m.Initrd} {
			if f != nil {
				names = append(names, f.File)
			}
		}
		for _, n := range names {
			p, err := bundleFile(dir, n)
			if err != nil {
				checkCode(t, "bundleFile", err, ec2err.InvalidParameterValue)
				continue
			}
			if filepath.Dir(p) != dir {
				t.Fatalf("bundle file %q resolves to %s, outside %s", n, p, dir)
			}
		}
	})
}
