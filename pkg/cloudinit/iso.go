package cloudinit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
)

// genisoimage is the ISO writer this package drives.
var genisoimage = "genisoimage"

// BuildSeedISO writes the NoCloud seed to path atomically: an ISO 9660
// volume labelled "cidata" with Rock Ridge and Joliet names, holding the
// files meta-data and user-data.
func BuildSeedISO(ctx context.Context, path string, md MetaData, userData []byte) error {
	if len(userData) > MaxUserData {
		return fmt.Errorf("seed %s: user-data is %d bytes, limit is %d", path, len(userData), MaxUserData)
	}
	if err := md.Validate(); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	stage, err := os.MkdirTemp("", "ec2lab-seed-*")
	if err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	defer os.RemoveAll(stage)
	files := map[string][]byte{"meta-data": RenderMetaData(md), "user-data": userData}
	for name, data := range files {
		if err := fsmode.WriteFile(filepath.Join(stage, name), data, fsmode.File); err != nil {
			return fmt.Errorf("seed %s: %w", path, err)
		}
	}
	// The seed holds user data: private before genisoimage writes it (it
	// truncates the file and keeps its mode); libvirt hands it to QEMU.
	tmp := tempName(path)
	if err := fsmode.Reserve(tmp, fsmode.File); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	defer os.Remove(tmp)
	if err := writeISO(ctx, tmp, stage); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	return nil
}

func writeISO(ctx context.Context, out, dir string) error {
	cmd := exec.CommandContext(ctx, genisoimage, "-quiet", "-output", out,
		"-volid", "cidata", "-joliet", "-rock", "-input-charset", "utf-8", dir)
	// Dies with the agent: a genisoimage outliving a killed agent would
	// write its temp file after the restarted agent's Recover.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("genisoimage: %w: %s", err, strings.TrimSpace(string(msg)))
	}
	return nil
}

// tempName is a unique sibling of path, so the final rename stays on one
// filesystem.
func tempName(path string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-"+hex.EncodeToString(b[:]))
}
