package server

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/throttle"
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

// TestLoadConfigQuotasAndThrottling: the quotas and throttling sections
// are read from the region config; an unknown quota or bucket class, or
// an empty bucket, is refused when the file is loaded.
func TestLoadConfigQuotasAndThrottling(t *testing.T) {
	const zone = "region: lab-1\navailability_zones:\n  - {name: lab-1a, pool: /tmp/p}\n"
	for _, tc := range []struct {
		name, body, errWith string
	}{
		{"both", "quotas:\n  defaults: {vpcs_per_region: 10}\n  accounts:\n    \"000000000002\": {gp3_storage_tib: 1}\n" +
			"throttling:\n  buckets: {mutating: {size: 20, refill: 2}}\n  accounts:\n    \"000000000002\": {non_mutating: {size: 5, refill: 1}}\n", ""},
		{"unknown quota", "quotas:\n  defaults: {vpcs: 10}\n", "unknown quota"},
		{"unknown class", "throttling:\n  buckets: {describe: {size: 1, refill: 1}}\n", "unknown class"},
		{"empty bucket", "throttling:\n  buckets: {mutating: {size: 0, refill: 1}}\n", "size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "region.yaml")
			if err := os.WriteFile(path, []byte(zone+tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(path)
			if tc.errWith != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errWith) {
					t.Errorf("err %v, want one saying %q", err, tc.errWith)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Quotas.Defaults["vpcs_per_region"] != 10 || c.Quotas.Accounts["000000000002"]["gp3_storage_tib"] != 1 ||
				c.Throttling.Buckets[throttle.Mutating] != (throttle.Bucket{Size: 20, Refill: 2}) ||
				c.Throttling.Accounts["000000000002"][throttle.NonMutating] != (throttle.Bucket{Size: 5, Refill: 1}) {
				t.Errorf("parsed %+v %+v", c.Quotas, c.Throttling)
			}
		})
	}
}
