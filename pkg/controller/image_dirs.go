package controller

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// imageAreas are the directories an API caller may read image bundles and
// disk files from and export bundles into: its own area DIR/ACCOUNT-ID
// under each configured ImageDirs entry, or, for the region's admin key
// (the operator), the image directories themselves. Another account's area
// is never the caller's: that is what keeps one account from registering
// another's exported disks.
func (s *Service) imageAreas(ctx context.Context) ([]string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	if k, ok := auth.FromContext(ctx); ok && k.Admin {
		return s.cfg.ImageDirs, nil
	}
	areas := make([]string, 0, len(s.cfg.ImageDirs))
	for _, dir := range s.cfg.ImageDirs {
		areas = append(areas, filepath.Join(dir, acct))
	}
	return areas, nil
}

// makeImageAreas creates the caller's areas (0700) under the image
// directories that exist, so an export has somewhere to go.
func (s *Service) makeImageAreas(areas []string) error {
	for _, a := range areas {
		if fi, err := os.Stat(filepath.Dir(a)); err != nil || !fi.IsDir() {
			continue
		}
		if err := fsmode.MkdirAll(a, fsmode.PrivateDir); err != nil {
			return fmt.Errorf("image area: %w", err)
		}
	}
	return nil
}

// imageLocation resolves an image location named by an API caller (a
// bundle directory or disk file to read) inside the caller's areas: a
// relative path is relative to the first area, symbolic links are followed
// before judging, and the result must exist. Outside, missing and
// unreadable all answer the same error, so a caller learns nothing about
// files it may not see.
func (s *Service) imageLocation(ctx context.Context, path string) (string, error) {
	areas, err := s.imageAreas(ctx)
	if err != nil {
		return "", err
	}
	resolved, ok := resolveIn(areas, path, false)
	if !ok {
		return "", unusableLocation(path, areas)
	}
	if _, err := os.Stat(resolved); err != nil {
		return "", unusableLocation(path, areas)
	}
	return resolved, nil
}

// exportLocation resolves a bundle path to create as imageLocation does,
// judging a path that does not exist yet by its parent directory.
func (s *Service) exportLocation(ctx context.Context, path string) (string, error) {
	areas, err := s.imageAreas(ctx)
	if err != nil {
		return "", err
	}
	if k, ok := auth.FromContext(ctx); !ok || !k.Admin {
		if err := s.makeImageAreas(areas); err != nil {
			return "", err
		}
	}
	resolved, ok := resolveIn(areas, path, true)
	if !ok {
		return "", unusableLocation(path, areas)
	}
	return resolved, nil
}

// unusableLocation is the one answer for a location the caller cannot use.
func unusableLocation(path string, areas []string) error {
	return ec2err.New(ec2err.InvalidParameterValue,
		"%s is not inside an image directory of this region that you can use, or cannot be read (yours: %s)",
		path, strings.Join(areas, ", "))
}

// resolveIn makes path absolute against areas[0], resolves symbolic links
// (a missing path, when allowMissing, by its parent) and reports whether
// the result lies inside one of areas.
func resolveIn(areas []string, path string, allowMissing bool) (string, bool) {
	if path == "" || len(areas) == 0 {
		return "", false
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(areas[0], path)
	}
	path = filepath.Clean(path)
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		if !allowMissing {
			return "", false
		}
		parent, perr := filepath.EvalSymlinks(filepath.Dir(path))
		if perr != nil {
			return "", false
		}
		resolved = filepath.Join(parent, filepath.Base(path))
	}
	for _, dir := range areas {
		root, err := filepath.EvalSymlinks(dir)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(root, resolved); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return resolved, true
		}
	}
	return "", false
}
