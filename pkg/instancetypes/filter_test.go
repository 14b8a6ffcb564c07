package instancetypes

import (
	"errors"
	"reflect"
	"testing"
)

func TestFilter(t *testing.T) {
	c := Default()
	tests := []struct {
		name    string
		names   []string
		filters map[string][]string
		want    []string
	}{
		{name: "by names keeps list order", names: []string{"m5.large", "t3.micro", "t3.micro"}, want: []string{"t3.micro", "m5.large"}},
		{name: "wildcard star", filters: map[string][]string{"instance-type": {"c5.*"}},
			want: []string{"c5.large", "c5.xlarge", "c5.2xlarge", "c5.4xlarge"}},
		{name: "wildcard question mark", filters: map[string][]string{"instance-type": {"?3.large"}},
			want: []string{"t3.large", "i3.large"}},
		{name: "values ORed", filters: map[string][]string{"instance-type": {"t3.nano", "p3.*"}},
			want: []string{"t3.nano", "p3.2xlarge"}},
		{name: "filters ANDed", filters: map[string][]string{"vcpu-info.default-vcpus": {"2"}, "memory-info.size-in-mib": {"8192"}},
			want: []string{"m5.large", "t3.large"}},
		{name: "burstable", filters: map[string][]string{"burstable-performance-supported": {"true"}, "vcpu-info.default-vcpus": {"4", "8"}},
			want: []string{"t3.xlarge", "t3.2xlarge"}},
		{name: "instance storage", filters: map[string][]string{"instance-storage-supported": {"true"}},
			want: []string{"x1.16xlarge", "i3.large", "d2.xlarge", "i3.xlarge", "i3.2xlarge", "g4dn.xlarge"}},
		{name: "architecture", names: []string{"t3.nano"}, filters: map[string][]string{"processor-info.supported-architecture": {"x86_*"}},
			want: []string{"t3.nano"}},
		{name: "architecture no match", filters: map[string][]string{"processor-info.supported-architecture": {"arm64"}}, want: nil},
		{name: "names and filter", names: []string{"t3.nano", "c5.large"}, filters: map[string][]string{"instance-type": {"c*"}},
			want: []string{"c5.large"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Filter(tt.names, tt.filters)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(names(got), tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("got %v, want %v", names(got), tt.want)
			}
		})
	}
}

func TestFilterAllWhenEmpty(t *testing.T) {
	got, err := Default().Filter(nil, nil)
	if err != nil || len(got) != Default().Len() {
		t.Fatalf("got %d types, err %v", len(got), err)
	}
}

func TestFilterErrors(t *testing.T) {
	c := Default()
	_, err := c.Filter([]string{"t3.micro", "t3.huge", "z9.big"}, nil)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !reflect.DeepEqual(nf.Names, []string{"t3.huge", "z9.big"}) {
		t.Fatalf("err = %v", err)
	}
	if want := "The following supplied instance types do not exist: [t3.huge, z9.big]"; err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
	_, err = c.Filter(nil, map[string][]string{"hypervisor-type": {"kvm"}})
	var fe *FilterError
	if !errors.As(err, &fe) || fe.Name != "hypervisor-type" {
		t.Fatalf("err = %v", err)
	}
}

func TestWildcard(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"t3.micro", "t3.micro", true},
		{"t3.micro", "t3.micros", false},
		{"t3.*", "t3.micro", true},
		{"*", "", true},
		{"*.large", "m5.large", true},
		{"*.large", "m5.xlarge", false},
		{"*large", "m5.xlarge", true},
		{"t?.nano", "t3.nano", true},
		{"t?.nano", "t.nano", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{`t3\*`, "t3*", true},
		{`t3\*`, "t3.micro", false},
		{`a\?`, "ab", false},
		{"é?", "éa", true},
	}
	for _, tt := range tests {
		if got := Wildcard(tt.p, tt.s); got != tt.want {
			t.Errorf("Wildcard(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}
