package server

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadConfigVTEP: an embedded agent's vtep is parsed with the config;
// a bad address is refused there; none leaves the zero address.
func TestLoadConfigVTEP(t *testing.T) {
	for _, tc := range []struct {
		vtep string
		want netip.Addr
		err  bool
	}{
		{"", netip.Addr{}, false},
		{"vtep: 10.251.0.1, ", netip.MustParseAddr("10.251.0.1"), false},
		{"vtep: bogus, ", netip.Addr{}, true},
	} {
		path := filepath.Join(t.TempDir(), "region.yaml")
		body := "region: lab-1\navailability_zones:\n  - {name: lab-1a, pool: /tmp/p}\nembedded_agents:\n" +
			"  - {" + tc.vtep + "host_id: h-1, availability_zone: lab-1a, domain_prefix: x-, local_pool: /tmp/l, state_dir: /tmp/s}\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if tc.err {
			if err == nil || !strings.Contains(err.Error(), "bogus") {
				t.Errorf("%q: err %v, want a parse error naming the value", tc.vtep, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.vtep, err)
		}
		if got := c.EmbeddedAgents[0].VTEP; got != tc.want {
			t.Errorf("%q: vtep %v, want %v", tc.vtep, got, tc.want)
		}
	}
}
