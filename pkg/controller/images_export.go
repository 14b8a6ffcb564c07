package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// ExportImage writes one of the caller's images as a portable bundle
// directory at dir (on the controller's host, inside the caller's image
// area: see imageAreas; a relative dir is relative to it), in the format RegisterBundle
// imports: every disk's chain flattened into a standalone qcow2, the kernel
// and initrd of a direct-kernel image, and a manifest.json with the sha256
// of each file. The bundle is built in a temp directory next to dir and
// renamed into place, so dir either holds a whole bundle or does not exist.
// It returns the bundle's absolute path and the manifest's sha256.
func (s *Service) ExportImage(ctx context.Context, imageID, dir string, dryRun bool) (string, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", "", err
	}
	img, err := s.exportableImage(ctx, acct, imageID)
	if err != nil {
		return "", "", err
	}
	if dir == "" {
		return "", "", ec2err.New(ec2err.MissingParameter, "The request must contain the parameter BundlePath")
	}
	target, err := s.exportLocation(ctx, dir)
	if err != nil {
		return "", "", err
	}
	if target, err = exportTarget(target); err != nil {
		return "", "", err
	}
	if dryRun {
		return "", "", DryRun()
	}
	tmp, err := os.MkdirTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-export-")
	if err != nil {
		return "", "", fmt.Errorf("export %s: %w", imageID, err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	sum, err := s.writeBundle(ctx, img, tmp)
	if err != nil {
		return "", "", fmt.Errorf("export %s: %w", imageID, err)
	}
	// rename(2) would replace an empty directory: look again just before.
	if _, err := os.Lstat(target); err == nil {
		return "", "", ec2err.New(ec2err.InvalidParameterValue, "bundle path %s already exists", target)
	}
	if err := os.Rename(tmp, target); err != nil {
		return "", "", fmt.Errorf("export %s: %w", imageID, err)
	}
	s.log.Info("image exported", "image", img.ID, "bundle", target, "devices", len(img.Devices))
	return target, sum, nil
}

// exportableImage returns an available image the caller owns; shared or
// public images of other accounts are not exportable.
func (s *Service) exportableImage(ctx context.Context, acct, id string) (Image, error) {
	if id == "" {
		return Image{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ImageId")
	}
	if !ids.Valid(ids.Image, id) {
		return Image{}, ec2err.New(ec2err.InvalidAMIIDMalformed, "Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || img.Owner != acct || img.State == "deregistered" {
		return Image{}, imageNotFound(id)
	}
	if img.State != "available" {
		return Image{}, ec2err.New(ec2err.IncorrectState, "Image %s is %s, not available", id, img.State)
	}
	return img, nil
}

// exportTarget checks the resolved bundle path: absolute, new, in an
// existing directory.
func exportTarget(dir string) (string, error) {
	if !filepath.IsAbs(dir) {
		return "", ec2err.New(ec2err.InvalidParameterValue, "bundle path %q must be an absolute path on the controller's host", dir)
	}
	target := filepath.Clean(dir)
	if _, err := os.Lstat(target); err == nil {
		return "", ec2err.New(ec2err.InvalidParameterValue, "bundle path %s already exists", target)
	}
	if fi, err := os.Stat(filepath.Dir(target)); err != nil || !fi.IsDir() {
		return "", ec2err.New(ec2err.InvalidParameterValue, "bundle path %s: parent directory does not exist", target)
	}
	return target, nil
}

// writeBundle writes the disks, boot files and manifest.json of img into
// dir and returns the manifest's sha256.
func (s *Service) writeBundle(ctx context.Context, img Image, dir string) (string, error) {
	m := Manifest{Schema: 1, Name: img.Name, Description: img.Description, Architecture: img.Architecture,
		BootMode: img.BootMode, VirtualizationType: "hvm", KernelCmdline: img.Cmdline, RootDeviceName: img.RootDeviceName}
	for i, d := range img.Devices {
		md, err := s.exportDisk(ctx, d, dir, diskFileName(d.DeviceName, i))
		if err != nil {
			return "", err
		}
		m.Devices = append(m.Devices, md)
	}
	if img.BootMode == "direct-kernel" {
		pool, ok := s.Pool(img.AZ)
		if !ok {
			return "", fmt.Errorf("image %s: no local pool for %s", img.ID, img.AZ)
		}
		var err error
		if m.Kernel, err = exportFile(pool.Path(img.Kernel), dir, "vmlinuz"); err != nil {
			return "", err
		}
		if m.Initrd, err = exportFile(pool.Path(img.Initrd), dir, "initrd"); err != nil {
			return "", err
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	b = append(b, '\n')
	if err := writeSynced(filepath.Join(dir, "manifest.json"), b); err != nil {
		return "", fmt.Errorf("write manifest.json: %w", err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// diskFileName names a disk in the bundle after its device: /dev/xvda → xvda.qcow2.
func diskFileName(device string, i int) string {
	base := filepath.Base(device)
	if base == "" || base == "." || base == "/" || strings.ContainsAny(base, `\`) {
		return fmt.Sprintf("disk%d.qcow2", i)
	}
	return base + ".qcow2"
}

// exportDisk flattens the chain of a device's snapshot into dir/file.
func (s *Service) exportDisk(ctx context.Context, d ImageDevice, dir, file string) (ManifestDevice, error) {
	snap, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+d.SnapshotID)
	if err != nil {
		return ManifestDevice{}, fmt.Errorf("device %s: snapshot %s: %w", d.DeviceName, d.SnapshotID, err)
	}
	if snap.Encrypted {
		return ManifestDevice{}, ec2err.New(ec2err.UnsupportedOperation, "snapshot %s is encrypted; encrypted images cannot be exported", snap.ID)
	}
	pool, ok := s.Pool(snap.AZ)
	if !ok {
		return ManifestDevice{}, fmt.Errorf("snapshot %s: no local pool for %s", snap.ID, snap.AZ)
	}
	info, err := pool.Info(ctx, snap.Layer)
	if err != nil {
		return ManifestDevice{}, fmt.Errorf("snapshot %s: %w", snap.ID, err)
	}
	dst := filepath.Join(dir, file)
	if err := pool.Export(ctx, snap.Layer, dst, nil); err != nil {
		return ManifestDevice{}, fmt.Errorf("snapshot %s: %w", snap.ID, err)
	}
	sum, err := fileSHA256(dst)
	if err != nil {
		return ManifestDevice{}, fmt.Errorf("snapshot %s: %w", snap.ID, err)
	}
	return ManifestDevice{DeviceName: d.DeviceName, File: file, Format: "qcow2", SizeBytes: info.VirtualSize,
		SHA256: sum, VolumeType: d.VolumeType, DeleteOnTermination: d.DeleteOnTermination}, nil
}

// exportFile copies src to dir/name and returns its manifest entry.
func exportFile(src, dir, name string) (*ManifestFile, error) {
	in, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	defer in.Close()
	out, err := fsmode.Create(filepath.Join(dir, name), fsmode.File)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	defer out.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(out, h), in); err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	if err := out.Sync(); err != nil {
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	return &ManifestFile{File: name, SHA256: hex.EncodeToString(h.Sum(nil))}, out.Close()
}

func writeSynced(path string, b []byte) error {
	f, err := fsmode.Create(path, fsmode.File)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}
