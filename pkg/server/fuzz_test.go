package server

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// FuzzLoadConfig: any region config file is refused with an error naming
// the problem or loads to a config that, written back as YAML, loads the
// same (nothing is lost or invented between the file and the server).
func FuzzLoadConfig(f *testing.F) {
	f.Add("region: lab-1\navailability_zones:\n  - {name: lab-1a, pool: /tmp/p}\nembedded_agents:\n" +
		"  - {vtep: 10.251.0.1, host_id: h-1, availability_zone: lab-1a, domain_prefix: x-, local_pool: /tmp/l, state_dir: /tmp/s}\n")
	f.Add("region: lab-1\nquotas: {max_instances: 4}\nthrottling: {mutating: {rate: 2, burst: 4}}\n")
	f.Add("region: [\n")
	f.Add("unknown_key: 1\n")
	f.Add("region: lab-1\nregion: lab-2\n")
	f.Add("&a [*a]\n")
	f.Fuzz(func(t *testing.T, body string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "region.yaml")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("LoadConfig(%q): empty error", body)
			}
			return
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("LoadConfig(%q) = %+v, which does not marshal: %v", body, c, err)
		}
		again := filepath.Join(dir, "again.yaml")
		if err := os.WriteFile(again, out, 0o600); err != nil {
			t.Fatal(err)
		}
		c2, err := LoadConfig(again)
		if err != nil || !reflect.DeepEqual(c2, c) {
			t.Fatalf("config %q loads as %+v; written back as %q it loads as %+v, %v", body, c, out, c2, err)
		}
	})
}
