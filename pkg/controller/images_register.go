package controller

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// RegisterRequest is RegisterImage: an AMI from an image bundle directory
// or a single disk image file (Location, on the controller's host), or
// from existing snapshots (Devices), as EC2 registers EBS-backed AMIs.
type RegisterRequest struct {
	Location, Name, Description string
	// Architecture, RootDeviceName and BootMode override a bundle's
	// manifest and describe a disk file or snapshots (defaults x86_64,
	// /dev/xvda, bios).
	Architecture, RootDeviceName, BootMode string
	Devices                                []RegisterDevice
	Tags                                   []Tag
	DryRun                                 bool
}

// RegisterDevice is one block device mapping of RegisterImage.
type RegisterDevice struct {
	DeviceName, SnapshotID, VolumeType string
	SizeGiB                            int32
	// DeleteOnTermination nil: true for the root device, false otherwise.
	DeleteOnTermination *bool
}

// RegisterImage registers an AMI (see RegisterRequest).
func (s *Service) RegisterImage(ctx context.Context, req RegisterRequest) (Image, error) {
	acct, err := account(ctx)
	if err != nil {
		return Image{}, err
	}
	if err := checkBootMode(&req.BootMode); err != nil {
		return Image{}, err
	}
	switch {
	case req.Location != "" && len(req.Devices) > 0:
		return Image{}, ec2err.New(ec2err.InvalidParameterCombination,
			"ImageLocation and BlockDeviceMapping snapshots cannot be combined")
	case req.Location != "":
		return s.registerFiles(ctx, acct, req)
	case len(req.Devices) > 0:
		return s.registerSnapshots(ctx, acct, req)
	}
	return Image{}, ec2err.New(ec2err.MissingParameter,
		"RegisterImage needs ImageLocation (a bundle directory or disk image on the controller) or a BlockDeviceMapping with a snapshot")
}

// checkBootMode accepts EC2's BootMode values and ec2lab's, in ec2lab's
// spelling.
func checkBootMode(mode *string) error {
	switch *mode {
	case "", "bios", "uefi":
	case "legacy-bios":
		*mode = "bios"
	case "uefi-preferred":
		*mode = "uefi"
	default:
		return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for BootMode (legacy-bios, uefi or uefi-preferred)", *mode)
	}
	return nil
}

// registerFiles imports a bundle directory, or one disk image file as the
// root device of a bios/uefi image.
func (s *Service) registerFiles(ctx context.Context, acct string, req RegisterRequest) (Image, error) {
	loc, err := s.imageLocation(ctx, req.Location)
	if err != nil {
		return Image{}, err
	}
	fi, err := os.Stat(loc)
	if err != nil {
		return Image{}, fmt.Errorf("image location %s: %w", req.Location, err)
	}
	var m Manifest
	dir := loc
	if fi.IsDir() {
		if m, err = readManifest(dir); err != nil {
			return Image{}, err
		}
		if req.RootDeviceName != "" && req.RootDeviceName != m.RootDeviceName {
			return Image{}, ec2err.New(ec2err.InvalidParameterCombination,
				"image bundle %s names its own root device %s; RootDeviceName applies to a disk image file", req.Location, m.RootDeviceName)
		}
		if err := s.bundleFilesInImageDirs(ctx, dir, m); err != nil {
			return Image{}, err
		}
	} else {
		if req.Name == "" {
			return Image{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Name")
		}
		dir = filepath.Dir(loc)
		m = Manifest{BootMode: "bios", Devices: []ManifestDevice{{DeviceName: "/dev/xvda", File: filepath.Base(loc),
			Format: formatByExtension(loc)}}}
	}
	if req.Architecture != "" {
		m.Architecture = req.Architecture
	}
	if req.BootMode != "" {
		if m.BootMode == "direct-kernel" {
			return Image{}, ec2err.New(ec2err.InvalidParameterCombination, "image bundle %s boots a kernel directly; BootMode %s does not apply", dir, req.BootMode)
		}
		m.BootMode = req.BootMode
	}
	if req.RootDeviceName != "" && !fi.IsDir() {
		m.Devices[0].DeviceName, m.RootDeviceName = req.RootDeviceName, req.RootDeviceName
	}
	if err := checkArchitecture(m.Architecture); err != nil {
		return Image{}, err
	}
	if req.DryRun {
		return Image{}, DryRun()
	}
	return s.registerManifest(ctx, acct, dir, req.Location, m, req.Name, req.Description, req.Tags)
}

// bundleFilesInImageDirs checks that every file m names in dir, followed
// through symbolic links, stays inside the caller's image areas, and that
// each disk's format is one ec2lab imports.
func (s *Service) bundleFilesInImageDirs(ctx context.Context, dir string, m Manifest) error {
	names := []string{}
	for _, d := range m.Devices {
		if err := checkDiskFormat(d.Format); err != nil {
			return ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: %s: %v", dir, d.File, err)
		}
		names = append(names, d.File)
	}
	for _, f := range []*ManifestFile{m.Kernel, m.Initrd} {
		if f != nil {
			names = append(names, f.File)
		}
	}
	for _, n := range names {
		p, err := bundleFile(dir, n)
		if err != nil {
			return err
		}
		if _, err := s.imageLocation(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// formatByExtension is the format a disk file's name claims: .qcow2 or
// .raw, "" (probed from the content) for any other name.
func formatByExtension(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".qcow2":
		return "qcow2"
	case ".raw":
		return "raw"
	}
	return ""
}

// checkDiskFormat accepts the disk formats a manifest may name.
func checkDiskFormat(format string) error {
	switch format {
	case "", "qcow2", "raw":
		return nil
	}
	return fmt.Errorf("format %q is not supported (qcow2 or raw)", format)
}

func checkArchitecture(arch string) error {
	switch arch {
	case "", "x86_64", "arm64":
		return nil
	}
	return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for Architecture (x86_64 or arm64)", arch)
}

// registerSnapshots records an AMI over the caller's completed snapshots;
// no data is copied (launches overlay the snapshot layers).
func (s *Service) registerSnapshots(ctx context.Context, acct string, req RegisterRequest) (Image, error) {
	if err := s.checkImageName(ctx, acct, req.Name); err != nil {
		return Image{}, err
	}
	if err := checkArchitecture(req.Architecture); err != nil {
		return Image{}, err
	}
	img := Image{ID: ids.New(ids.Image), Owner: acct, Name: req.Name, Description: req.Description, State: "available",
		Architecture: firstNonEmpty(req.Architecture, "x86_64"), BootMode: firstNonEmpty(req.BootMode, "bios"),
		RootDeviceName: firstNonEmpty(req.RootDeviceName, "/dev/xvda"), CreationDate: s.now().UTC(), Tags: req.Tags}
	seen := map[string]bool{}
	for _, d := range req.Devices {
		dev, az, err := s.registerDevice(ctx, acct, img.RootDeviceName, d)
		if err != nil {
			return Image{}, err
		}
		if seen[dev.DeviceName] {
			return Image{}, ec2err.New(ec2err.InvalidParameterValue, "device name %s is mapped twice", dev.DeviceName)
		}
		seen[dev.DeviceName] = true
		if dev.DeviceName == img.RootDeviceName {
			img.AZ = az // launches find the layers in the root snapshot's pool
		}
		img.Devices = append(img.Devices, dev)
	}
	if img.AZ == "" {
		return Image{}, ec2err.New(ec2err.InvalidParameterValue,
			"the root device %s has no snapshot in the block device mappings", img.RootDeviceName)
	}
	if err := validateTags(req.Tags); err != nil {
		return Image{}, err
	}
	if req.DryRun {
		return Image{}, DryRun()
	}
	release, err := s.admit(ctx, acct, QuotaImages, "", 1, s.countImages(acct))
	if err != nil {
		return Image{}, err
	}
	defer release()
	if err := put(ctx, s.st, prefixImage+img.ID, img); err != nil {
		return Image{}, fmt.Errorf("register image %s: %w", req.Name, err)
	}
	s.log.Info("image registered from snapshots", "image", img.ID, "name", req.Name, "devices", len(img.Devices))
	return img, nil
}

// registerDevice checks one snapshot mapping: the caller's own completed
// snapshot, a size no smaller than it.
func (s *Service) registerDevice(ctx context.Context, acct, root string, d RegisterDevice) (ImageDevice, string, error) {
	if d.DeviceName == "" {
		return ImageDevice{}, "", ec2err.New(ec2err.MissingParameter, "a block device mapping needs DeviceName")
	}
	if d.SnapshotID == "" {
		return ImageDevice{}, "", ec2err.New(ec2err.InvalidParameterValue,
			"block device mapping %s has no snapshot (ec2lab registers EBS snapshots only)", d.DeviceName)
	}
	snap, err := s.visibleSnapshot(ctx, acct, d.SnapshotID)
	if err != nil {
		return ImageDevice{}, "", err
	}
	if snap.Owner != acct { // a shared snapshot stays its owner's to delete: an image needs the caller's own
		return ImageDevice{}, "", ec2err.New(ec2err.OperationNotPermitted,
			"Snapshot %s belongs to another account: copy it (CopySnapshot) and register the copy", d.SnapshotID)
	}
	size, err := volumeSizeFrom(snap, d.SizeGiB)
	if err != nil {
		return ImageDevice{}, "", err
	}
	typ := firstNonEmpty(d.VolumeType, "gp3")
	if _, ok := volumeRules[typ]; !ok {
		return ImageDevice{}, "", ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for VolumeType", typ)
	}
	dot := d.DeviceName == root
	if d.DeleteOnTermination != nil {
		dot = *d.DeleteOnTermination
	}
	return ImageDevice{DeviceName: d.DeviceName, SnapshotID: snap.ID, SizeGiB: size,
		VolumeType: typ, DeleteOnTermination: dot}, snap.AZ, nil
}
