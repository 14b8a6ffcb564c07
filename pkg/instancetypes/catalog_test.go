package instancetypes

import (
	"strings"
	"testing"
)

func names(ts []Type) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func TestListOrder(t *testing.T) {
	list := Default().List()
	for i := 1; i < len(list); i++ {
		a, b := list[i-1], list[i]
		fa, fb := familyOrder[a.Family], familyOrder[b.Family]
		if fa > fb || (fa == fb && (a.VCPUs > b.VCPUs || (a.VCPUs == b.VCPUs && a.MemoryMiB > b.MemoryMiB))) {
			t.Errorf("List: %s (%s %d/%d) before %s (%s %d/%d)", a.Name, a.Family, a.VCPUs, a.MemoryMiB,
				b.Name, b.Family, b.VCPUs, b.MemoryMiB)
		}
	}
	if list[0].Name != "t3.nano" || list[len(list)-1].Family != Accelerated {
		t.Errorf("List = %v", names(list))
	}
}

func TestGetReturnsCopy(t *testing.T) {
	c := Default()
	ty, _ := c.Get("t3.micro")
	ty.Architectures[0] = "arm64"
	again, _ := c.Get("t3.micro")
	if again.Architectures[0] != "x86_64" {
		t.Fatalf("caller changed the catalog: %v", again.Architectures)
	}
	if _, ok := c.Get("t3.huge"); ok {
		t.Fatal("Get(t3.huge) found a type")
	}
}

func TestWith(t *testing.T) {
	base := Default()
	tests := []struct {
		name      string
		overrides []Type
		wantErr   string
		check     func(t *testing.T, c *Catalog)
	}{
		{
			name:      "adds a homelab type with defaults",
			overrides: []Type{{Name: "lab.tiny", VCPUs: 1, MemoryMiB: 128}},
			check: func(t *testing.T, c *Catalog) {
				ty, ok := c.Get("lab.tiny")
				if !ok || ty.Family != General || ty.Architectures[0] != "x86_64" {
					t.Errorf("lab.tiny = %+v, %v", ty, ok)
				}
				if c.Len() != base.Len()+1 || c.List()[0].Name != "lab.tiny" {
					t.Errorf("List = %v", names(c.List()))
				}
			},
		},
		{
			name:      "replaces a built-in type entirely",
			overrides: []Type{{Name: "t3.micro", VCPUs: 1, MemoryMiB: 256}},
			check: func(t *testing.T, c *Catalog) {
				ty, _ := c.Get("t3.micro")
				if ty.VCPUs != 1 || ty.MemoryMiB != 256 || ty.Burstable {
					t.Errorf("t3.micro = %+v", ty)
				}
				if c.Len() != base.Len() {
					t.Errorf("Len = %d, want %d", c.Len(), base.Len())
				}
			},
		},
		{name: "bad name shape", overrides: []Type{{Name: "tiny", VCPUs: 1, MemoryMiB: 128}}, wantErr: "family.size"},
		{name: "upper case name", overrides: []Type{{Name: "Lab.Tiny", VCPUs: 1, MemoryMiB: 128}}, wantErr: "family.size"},
		{name: "zero vcpus", overrides: []Type{{Name: "lab.tiny", MemoryMiB: 128}}, wantErr: "vcpus must be > 0"},
		{name: "zero memory", overrides: []Type{{Name: "lab.tiny", VCPUs: 1}}, wantErr: "memory_mib must be > 0"},
		{name: "unknown family", overrides: []Type{{Name: "lab.tiny", VCPUs: 1, MemoryMiB: 1, Family: "huge"}}, wantErr: "unknown family"},
		{name: "store without type", overrides: []Type{{Name: "lab.disk", VCPUs: 1, MemoryMiB: 1, InstanceStoreDisks: 1, InstanceStoreGB: 10}}, wantErr: "ssd or hdd"},
		{name: "duplicate", overrides: []Type{{Name: "lab.a", VCPUs: 1, MemoryMiB: 1}, {Name: "lab.a", VCPUs: 2, MemoryMiB: 1}}, wantErr: "defined twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := base.With(tt.overrides)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("With err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("With: %v", err)
			}
			tt.check(t, c)
			if base.Len() != Default().Len() {
				t.Error("With changed the receiver")
			}
		})
	}
}

func TestSmallest(t *testing.T) {
	tiny := Type{Name: "lab.tiny", Family: General, VCPUs: 1, MemoryMiB: 256}
	withTiny, err := Default().With([]Type{tiny})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *Catalog
		f    Family
		want string
	}{
		{"built-in general", Default(), General, "t3.nano"},
		{"built-in compute", Default(), Compute, "c5.large"},
		{"override is smaller", withTiny, General, "lab.tiny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.Smallest(tt.f)
			if !ok || got.Name != tt.want {
				t.Errorf("Smallest(%s) = %q, %v; want %q", tt.f, got.Name, ok, tt.want)
			}
		})
	}
	empty, err := newCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := empty.Smallest(General); ok {
		t.Error("empty catalog has a smallest type")
	}
}
