package instancetypes

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseOverrides(t *testing.T) {
	tiny := Type{Name: "lab.tiny", Family: General, VCPUs: 1, MemoryMiB: 128, Architectures: []string{"x86_64"}}
	disk := Type{Name: "lab.disk", Family: Storage, VCPUs: 2, MemoryMiB: 512, InstanceStoreDisks: 2,
		InstanceStoreGB: 20, InstanceStoreType: HDD, Architectures: []string{"x86_64"}}
	tests := []struct {
		name    string
		doc     string
		want    []Type
		wantErr string
	}{
		{name: "yaml list", doc: "- name: lab.tiny\n  vcpus: 1\n  memory_mib: 128\n", want: []Type{tiny}},
		{name: "yaml object", doc: "instance_types:\n- name: lab.disk\n  family: storage\n  vcpus: 2\n  memory_mib: 512\n" +
			"  instance_store_disks: 2\n  instance_store_gb: 20\n  instance_store_type: hdd\n", want: []Type{disk}},
		{name: "json list", doc: `[{"name":"lab.tiny","vcpus":1,"memory_mib":128}]`, want: []Type{tiny}},
		{name: "json snake case flags", doc: `[{"name":"lab.pin","vcpus":2,"memory_mib":256,"dedicated_cpu":true,"hugepages":true,"burstable":true,"baseline_percent":15,"gpus":1,"gpu_name":"X"}]`,
			want: []Type{{Name: "lab.pin", Family: General, VCPUs: 2, MemoryMiB: 256, DedicatedCPU: true, Hugepages: true,
				Burstable: true, BaselinePercent: 15, GPUs: 1, GPUName: "X", Architectures: []string{"x86_64"}}}},
		{name: "empty", doc: "  \n", want: nil},
		{name: "typo field", doc: "- name: lab.tiny\n  vcpu: 1\n  memory_mib: 128\n", wantErr: "unknown field"},
		{name: "invalid type", doc: "- name: lab.tiny\n  vcpus: 0\n  memory_mib: 128\n", wantErr: "entry 1"},
		{name: "scalar", doc: "hello", wantErr: "want a list"},
		{name: "bad yaml", doc: "- name: [", wantErr: "parse instance type overrides"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOverrides([]byte(tt.doc))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseOverridesIntoCatalog(t *testing.T) {
	ov, err := ParseOverrides([]byte("- {name: lab.tiny, vcpus: 1, memory_mib: 128}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Default().With(ov)
	if err != nil {
		t.Fatal(err)
	}
	if ty, ok := c.Get("lab.tiny"); !ok || ty.MemoryMiB != 128 {
		t.Fatalf("lab.tiny = %+v %v", ty, ok)
	}
}
