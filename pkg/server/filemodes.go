package server

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// tenantDirs are the trees that hold tenant data: the data dir (state
// store, keys, default pools and images) and every zone pool and embedded
// agent directory the config puts elsewhere.
func tenantDirs(dataDir string, cfg Config) []string {
	roots := []string{dataDir}
	add := func(d string) {
		for _, r := range roots {
			if d == r || strings.HasPrefix(d, r+string(filepath.Separator)) {
				return
			}
		}
		roots = append(roots, d)
	}
	for _, z := range cfg.AvailabilityZones {
		add(z.Pool)
	}
	for _, a := range cfg.EmbeddedAgents {
		add(a.LocalPool)
		add(a.StateDir)
	}
	return roots
}

// tightenFileModes fixes every tenant file and directory that is more open
// than fsmode allows (an older ec2lab made them 0644/0755) and refuses to
// start on one it cannot fix.
func tightenFileModes(ctx context.Context, dataDir string, cfg Config, log *slog.Logger) error {
	if _, err := fsmode.Tighten(ctx, log, fsmode.DefaultOwners(), tenantDirs(dataDir, cfg)...); err != nil {
		return fmt.Errorf("tenant file modes: %w", err)
	}
	return nil
}
