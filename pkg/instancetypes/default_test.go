package instancetypes

import (
	"reflect"
	"testing"
)

func TestDefaultFigures(t *testing.T) {
	c := Default()
	tests := []struct {
		name   string
		family Family
		vcpus  int
		mib    int64
	}{
		{"t3.nano", General, 2, 512},
		{"t3.micro", General, 2, 1024},
		{"t3.small", General, 2, 2048},
		{"t3.medium", General, 2, 4096},
		{"t3.large", General, 2, 8192},
		{"t3.xlarge", General, 4, 16384},
		{"t3.2xlarge", General, 8, 32768},
		{"m5.large", General, 2, 8192},
		{"m5.xlarge", General, 4, 16384},
		{"m5.2xlarge", General, 8, 32768},
		{"m5.4xlarge", General, 16, 65536},
		{"c5.large", Compute, 2, 4096},
		{"c5.xlarge", Compute, 4, 8192},
		{"c5.2xlarge", Compute, 8, 16384},
		{"c5.4xlarge", Compute, 16, 32768},
		{"r5.large", Memory, 2, 16384},
		{"r5.xlarge", Memory, 4, 32768},
		{"r5.2xlarge", Memory, 8, 65536},
		{"r5.4xlarge", Memory, 16, 131072},
		{"x1.16xlarge", Memory, 64, 999424},
		{"i3.large", Storage, 2, 15616},
		{"i3.xlarge", Storage, 4, 31232},
		{"i3.2xlarge", Storage, 8, 62464},
		{"d2.xlarge", Storage, 4, 31232},
		{"g4dn.xlarge", Accelerated, 4, 16384},
		{"p3.2xlarge", Accelerated, 8, 62464},
		{"inf1.xlarge", Accelerated, 4, 8192},
	}
	if c.Len() != len(tests) {
		t.Errorf("Default has %d types, want %d", c.Len(), len(tests))
	}
	for _, tt := range tests {
		got, ok := c.Get(tt.name)
		if !ok {
			t.Errorf("Get(%q) missing", tt.name)
			continue
		}
		if got.Family != tt.family || got.VCPUs != tt.vcpus || got.MemoryMiB != tt.mib {
			t.Errorf("%s = %s %d vCPU %d MiB, want %s %d vCPU %d MiB", tt.name,
				got.Family, got.VCPUs, got.MemoryMiB, tt.family, tt.vcpus, tt.mib)
		}
		if !reflect.DeepEqual(got.Architectures, []string{"x86_64"}) {
			t.Errorf("%s architectures = %v", tt.name, got.Architectures)
		}
	}
}

func TestDefaultTraits(t *testing.T) {
	c := Default()
	baselines := map[string]int{"t3.nano": 5, "t3.micro": 10, "t3.small": 20, "t3.medium": 20,
		"t3.large": 30, "t3.xlarge": 40, "t3.2xlarge": 40}
	for _, ty := range c.List() {
		wantBase, burst := baselines[ty.Name]
		if ty.Burstable != burst || ty.BaselinePercent != wantBase {
			t.Errorf("%s burstable=%v baseline=%d, want %v %d", ty.Name, ty.Burstable, ty.BaselinePercent, burst, wantBase)
		}
		if want := ty.Series() == "c5"; ty.DedicatedCPU != want {
			t.Errorf("%s DedicatedCPU=%v, want %v", ty.Name, ty.DedicatedCPU, want)
		}
		if want := ty.Series() == "r5" || ty.Series() == "x1"; ty.Hugepages != want {
			t.Errorf("%s Hugepages=%v, want %v", ty.Name, ty.Hugepages, want)
		}
	}
}

func TestDefaultInstanceStoreAndGPU(t *testing.T) {
	tests := []struct {
		name    string
		disks   int
		totalGB int64
		diskGB  int64
		media   string
		gpus    int
		gpuName string
	}{
		{"i3.large", 1, 475, 475, SSD, 0, ""},
		{"i3.xlarge", 1, 950, 950, SSD, 0, ""},
		{"i3.2xlarge", 1, 1900, 1900, SSD, 0, ""},
		{"d2.xlarge", 3, 6144, 2048, HDD, 0, ""},
		{"x1.16xlarge", 1, 1920, 1920, SSD, 0, ""},
		{"g4dn.xlarge", 1, 125, 125, SSD, 1, GPUNvidiaT4},
		{"p3.2xlarge", 0, 0, 0, "", 1, GPUNvidiaV100},
		{"m5.large", 0, 0, 0, "", 0, ""},
		{"inf1.xlarge", 0, 0, 0, "", 0, ""},
	}
	c := Default()
	for _, tt := range tests {
		ty, _ := c.Get(tt.name)
		if ty.InstanceStoreDisks != tt.disks || ty.InstanceStoreGB != tt.totalGB ||
			ty.InstanceStoreDiskGB() != tt.diskGB || ty.InstanceStoreType != tt.media {
			t.Errorf("%s store = %dx%d GB (total %d) %q, want %dx%d (total %d) %q", tt.name,
				ty.InstanceStoreDisks, ty.InstanceStoreDiskGB(), ty.InstanceStoreGB, ty.InstanceStoreType,
				tt.disks, tt.diskGB, tt.totalGB, tt.media)
		}
		if ty.GPUs != tt.gpus || ty.GPUName != tt.gpuName {
			t.Errorf("%s GPUs = %d %q, want %d %q", tt.name, ty.GPUs, ty.GPUName, tt.gpus, tt.gpuName)
		}
	}
}
