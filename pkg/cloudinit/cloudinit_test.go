package cloudinit

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// requireISOTools fails under CI=true when genisoimage/isoinfo are missing
// and skips otherwise (and always under -short).
func requireISOTools(t *testing.T) {
	t.Helper()
	hvtest.SkipIfShort(t, "genisoimage and isoinfo")
	for _, tool := range []string{"genisoimage", "isoinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI: %v", tool, err)
			}
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
}

func isoinfo(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("isoinfo", args...).Output()
	if err != nil {
		t.Fatalf("isoinfo %v: %v", args, err)
	}
	return string(out)
}

func TestBuildSeedISO(t *testing.T) {
	requireISOTools(t)
	iso := filepath.Join(t.TempDir(), "seed.iso")
	md := MetaData{InstanceID: "i-0123456789abcdef0", Hostname: "ip-10-0-0-5", PublicKeys: []string{"ssh-ed25519 AAAA test"}}
	user := []byte("#cloud-config\nruncmd:\n  - echo hi\n")
	if err := BuildSeedISO(context.Background(), iso, md, user); err != nil {
		t.Fatal(err)
	}
	if d := isoinfo(t, "-d", "-i", iso); !strings.Contains(d, "Volume id: cidata\n") {
		t.Fatalf("volume label is not cidata:\n%s", d)
	}
	for _, ext := range []string{"-R", "-J"} {
		names := strings.Fields(isoinfo(t, ext, "-f", "-i", iso))
		slices.Sort(names)
		if want := []string{"/meta-data", "/user-data"}; !slices.Equal(names, want) {
			t.Fatalf("%s names = %v, want %v", ext, names, want)
		}
	}
	files := map[string][]byte{"/meta-data": RenderMetaData(md), "/user-data": user}
	for name, want := range files {
		if got := isoinfo(t, "-R", "-i", iso, "-x", name); got != string(want) {
			t.Fatalf("%s = %q, want %q", name, got, want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(iso), ".tmp-*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestBuildSeedISORejects(t *testing.T) {
	requireISOTools(t)
	ok := MetaData{InstanceID: "i-1"}
	tests := []struct {
		name string
		md   MetaData
		user []byte
	}{
		{"oversize user-data", ok, bytes.Repeat([]byte("x"), MaxUserData+1)},
		{"no instance id", MetaData{}, nil},
		{"newline in instance id", MetaData{InstanceID: "i-1\nlocal-hostname: evil"}, nil},
		{"newline in hostname", MetaData{InstanceID: "i-1", Hostname: "a\nb"}, nil},
		{"newline in key", MetaData{InstanceID: "i-1", PublicKeys: []string{"ssh-rsa A\n- ssh-rsa B"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iso := filepath.Join(t.TempDir(), "seed.iso")
			if err := BuildSeedISO(context.Background(), iso, tt.md, tt.user); err == nil {
				t.Fatal("accepted")
			}
			if _, err := os.Stat(iso); !os.IsNotExist(err) {
				t.Fatalf("refused seed left a file: %v", err)
			}
		})
	}
	iso := filepath.Join(t.TempDir(), "seed.iso")
	if err := BuildSeedISO(context.Background(), iso, ok, bytes.Repeat([]byte("x"), MaxUserData)); err != nil {
		t.Fatalf("user-data of exactly 16 KiB: %v", err)
	}
}

func TestRenderMetaDataIsYAMLSafe(t *testing.T) {
	tests := []struct {
		name string
		md   MetaData
		want map[string]any
	}{
		{
			name: "full",
			md: MetaData{InstanceID: "i-1", Hostname: "web-1", AvailabilityZone: "lab-1a", Region: "lab-1",
				InstanceType: "t3.micro", ImageID: "ami-1", PublicKeys: []string{"ssh-ed25519 AAAA a@b", "ssh-rsa BBBB c"}},
			want: map[string]any{"instance-id": "i-1", "local-hostname": "web-1", "availability-zone": "lab-1a",
				"region": "lab-1", "instance-type": "t3.micro", "image-id": "ami-1",
				"public-keys": []any{"ssh-ed25519 AAAA a@b", "ssh-rsa BBBB c"}},
		},
		{
			name: "hostile values stay values",
			md:   MetaData{InstanceID: "i-1", Hostname: `"x": y # {z} [a] 'b' & *c !d`, PublicKeys: []string{"- yes: no"}},
			want: map[string]any{"instance-id": "i-1", "local-hostname": `"x": y # {z} [a] 'b' & *c !d`,
				"public-keys": []any{"- yes: no"}},
		},
		{
			name: "yes and numbers stay strings",
			md:   MetaData{InstanceID: "0123", Hostname: "yes"},
			want: map[string]any{"instance-id": "0123", "local-hostname": "yes"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			if err := yaml.Unmarshal(RenderMetaData(tt.md), &got); err != nil {
				t.Fatalf("not YAML: %v\n%s", err, RenderMetaData(tt.md))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parsed = %v, want %v", got, tt.want)
			}
		})
	}
}
