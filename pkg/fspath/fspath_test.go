package fspath

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAbs(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"./var", filepath.Join(wd, "var")},
		{"var/agent/../pools", filepath.Join(wd, "var/pools")},
		{"/srv/ec2lab/", "/srv/ec2lab"},
		{"", ""},
	}
	for _, tt := range tests {
		got := tt.in
		if err := Abs(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Abs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	list := []string{"a", "/b", ""}
	if err := AbsAll(list); err != nil {
		t.Fatal(err)
	}
	if list[0] != filepath.Join(wd, "a") || list[1] != "/b" || list[2] != "" {
		t.Errorf("AbsAll = %q", list)
	}
}

func TestRequireAbs(t *testing.T) {
	for _, tt := range []struct {
		path string
		ok   bool
	}{{"/var/lib/ec2lab", true}, {"", true}, {"var/agent", false}, {"./var", false}} {
		if err := RequireAbs("state dir", tt.path); (err == nil) != tt.ok {
			t.Errorf("RequireAbs(%q) = %v, want ok=%v", tt.path, err, tt.ok)
		}
	}
}
