package server

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// dataDirTrees are the directories ec2d and its embedded agents make in
// the data dir; everything in them is tenant data.
var dataDirTrees = []string{"pools", "local", "agent", "images"}

// dataDirFiles are the files ec2d keeps at the top of the data dir.
var dataDirFiles = []string{"state.db", "master.key", "credentials"}

// tenantTrees are the trees that hold nothing but tenant data: the data
// dir's own (dataDirTrees) and every zone pool and embedded agent
// directory the config names. The data dir itself is not walked: an
// operator may point it at a directory holding other things.
func tenantTrees(dataDir string, cfg Config) []string {
	var roots []string
	add := func(d string) {
		for _, r := range roots {
			if d == r || strings.HasPrefix(d, r+string(filepath.Separator)) {
				return
			}
		}
		roots = append(roots, d)
	}
	for _, d := range dataDirTrees {
		add(filepath.Join(dataDir, d))
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
// than fsmode allows (an older ec2lab made them 0644/0755): the data dir
// and its own files, and the tenant trees. It refuses to start on one it
// cannot fix.
func tightenFileModes(ctx context.Context, dataDir string, cfg Config, log *slog.Logger) error {
	owners := fsmode.DefaultOwners()
	top := []string{dataDir}
	for _, f := range dataDirFiles {
		top = append(top, filepath.Join(dataDir, f))
	}
	n, err := fsmode.TightenPaths(log, owners, top...)
	if err != nil {
		return fmt.Errorf("tenant file modes: %w", err)
	}
	if _, err := fsmode.Tighten(ctx, log, owners, tenantTrees(dataDir, cfg)...); err != nil {
		return fmt.Errorf("tenant file modes: %w", err)
	}
	if n > 0 {
		log.Warn("tightened file modes in the data dir", "fixed", n, "dir", dataDir)
	}
	return nil
}
