package controller

import (
	"path/filepath"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// inImageDirs resolves path (symbolic links included) and checks that it
// lies inside one of the configured ImageDirs: API callers name files on
// the controller's host, and must reach no other. A path that does not
// exist yet (an export target) is judged by its parent directory.
func (s *Service) inImageDirs(path string) (string, error) {
	refuse := func() (string, error) {
		return "", ec2err.New(ec2err.InvalidParameterValue,
			"%s is not inside an image directory of this region (ec2d --image-dir: %s)", path, strings.Join(s.cfg.ImageDirs, ", "))
	}
	if !filepath.IsAbs(path) {
		return refuse()
	}
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		parent, perr := filepath.EvalSymlinks(filepath.Dir(path))
		if perr != nil {
			return refuse()
		}
		resolved = filepath.Join(parent, filepath.Base(path))
	}
	for _, dir := range s.cfg.ImageDirs {
		root, err := filepath.EvalSymlinks(dir)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(root, resolved); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return resolved, nil
		}
	}
	return refuse()
}
