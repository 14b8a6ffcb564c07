package main

import (
	"slices"
	"strings"
	"testing"
)

func TestElasticIPPoolFlag(t *testing.T) {
	dir := t.TempDir()
	cfg, err := loadConfig(flags{allInOne: true, dataDir: dir, elasticIPPool: []string{"198.51.100.0/28", "203.0.113.1-203.0.113.3"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.ElasticIPPool, []string{"198.51.100.0/28", "203.0.113.1-203.0.113.3"}) {
		t.Errorf("elastic_ip_pool %q", cfg.ElasticIPPool)
	}
	if _, err := loadConfig(flags{allInOne: true, dataDir: dir, elasticIPPool: []string{"198.51.100.0/33"}}); err == nil ||
		!strings.Contains(err.Error(), "--elastic-ip-pool") {
		t.Errorf("a malformed --elastic-ip-pool: %v, want an error naming the flag", err)
	}
}
