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
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Manifest is an image bundle's manifest.json.
type Manifest struct {
	Schema             int              `json:"schema"`
	Name               string           `json:"name"`
	Description        string           `json:"description"`
	Architecture       string           `json:"architecture"`
	BootMode           string           `json:"boot_mode"`
	VirtualizationType string           `json:"virtualization_type"`
	Kernel             *ManifestFile    `json:"kernel,omitempty"`
	Initrd             *ManifestFile    `json:"initrd,omitempty"`
	KernelCmdline      string           `json:"kernel_cmdline"`
	RootDeviceName     string           `json:"root_device_name"`
	Devices            []ManifestDevice `json:"block_device_mappings"`
}

// ManifestFile is a file of the bundle with its checksum.
type ManifestFile struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

// ManifestDevice is one disk of the bundle.
type ManifestDevice struct {
	DeviceName          string `json:"device_name"`
	File                string `json:"file"`
	Format              string `json:"format"`
	SizeBytes           int64  `json:"size_bytes"`
	SHA256              string `json:"sha256"`
	VolumeType          string `json:"volume_type"`
	DeleteOnTermination bool   `json:"delete_on_termination"`
}

// MaxImportBytes bounds the virtual size of an imported disk.
const MaxImportBytes = 2 << 40

// RegisterBundle imports an image bundle directory: each disk becomes a
// snapshot layer in the first zone's pool, the manifest becomes an AMI.
func (s *Service) RegisterBundle(ctx context.Context, dir, name, description string, tags []Tag) (Image, error) {
	acct, err := account(ctx)
	if err != nil {
		return Image{}, err
	}
	m, err := readManifest(dir)
	if err != nil {
		return Image{}, err
	}
	return s.registerManifest(ctx, acct, dir, dir, m, name, description, tags)
}

// registerManifest imports the disks (and kernel and initrd) m names in
// dir and records the AMI, with location as its ImageLocation.
func (s *Service) registerManifest(ctx context.Context, acct, dir, location string, m Manifest, name, description string, tags []Tag) (Image, error) {
	var err error
	if name == "" {
		name = m.Name
	}
	if err := s.checkImageName(ctx, acct, name); err != nil {
		return Image{}, err
	}
	release, err := s.admitImage(ctx, acct, len(m.Devices))
	if err != nil {
		return Image{}, err
	}
	defer release()
	az := s.cfg.AvailabilityZones[0].Name
	pool, _ := s.Pool(az)
	img := Image{ID: ids.New(ids.Image), Owner: acct, Name: name, Description: firstNonEmpty(description, m.Description),
		State: "available", Architecture: firstNonEmpty(m.Architecture, "x86_64"), BootMode: firstNonEmpty(m.BootMode, "bios"),
		Cmdline: m.KernelCmdline, RootDeviceName: firstNonEmpty(m.RootDeviceName, "/dev/xvda"),
		CreationDate: s.now().UTC(), Tags: tags, Location: location, AZ: az}
	var ops []store.Op
	var made []string // pool files to remove if the import fails
	defer func() {
		for _, f := range made {
			_ = os.Remove(pool.Path(f))
		}
	}()
	for _, d := range m.Devices {
		snap, err := s.importDisk(ctx, pool, dir, d, acct, img.ID)
		if err != nil {
			return Image{}, err
		}
		made = append(made, snap.Layer)
		op, _ := store.PutJSON(prefixSnapshot+snap.ID, snap, 0)
		ops = append(ops, op)
		img.Devices = append(img.Devices, ImageDevice{DeviceName: d.DeviceName, SnapshotID: snap.ID, SizeGiB: snap.SizeGiB,
			VolumeType: firstNonEmpty(d.VolumeType, "gp3"), DeleteOnTermination: d.DeleteOnTermination || d.DeviceName == img.RootDeviceName})
	}
	if img.BootMode == "direct-kernel" {
		if img.Kernel, err = importFile(pool, dir, m.Kernel, img.ID+".vmlinuz"); err != nil {
			return Image{}, err
		}
		made = append(made, img.Kernel)
		if img.Initrd, err = importFile(pool, dir, m.Initrd, img.ID+".initrd"); err != nil {
			return Image{}, err
		}
		made = append(made, img.Initrd)
	}
	op, _ := store.PutJSON(prefixImage+img.ID, img, 0)
	if _, err := s.st.Txn(ctx, append(ops, op)...); err != nil {
		return Image{}, fmt.Errorf("register image %s: %w", name, err)
	}
	made = nil
	s.log.Info("image registered", "image", img.ID, "name", name, "location", location, "devices", len(img.Devices))
	return img, nil
}

func readManifest(dir string) (Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return Manifest{}, ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: cannot read manifest.json: %v", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: manifest.json: %v", dir, err)
	}
	if len(m.Devices) == 0 {
		return Manifest{}, ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: manifest names no block device", dir)
	}
	switch m.BootMode {
	case "", "bios", "uefi":
	case "direct-kernel":
		if m.Kernel == nil || m.Initrd == nil {
			return Manifest{}, ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: direct-kernel boot needs kernel and initrd", dir)
		}
	default:
		return Manifest{}, ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: unknown boot mode %q", dir, m.BootMode)
	}
	return m, nil
}

// bundleFile resolves a file named by a manifest, refusing anything outside the bundle.
func bundleFile(dir, name string) (string, error) {
	if name == "" || strings.Contains(name, "/") || name == ".." || name == "." {
		return "", ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: file name %q must be a plain name inside the bundle", dir, name)
	}
	return filepath.Join(dir, name), nil
}

func (s *Service) importDisk(ctx context.Context, pool *storage.Pool, dir string, d ManifestDevice, acct, imageID string) (Snapshot, error) {
	src, err := bundleFile(dir, d.File)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct, VolumeID: "vol-ffffffff", State: "completed", Progress: "100%",
		StartTime: s.now().UTC(), Description: "Created by RegisterImage for " + imageID, AZ: pool2AZ(s, pool)}
	snap.Layer = snap.ID + ".qcow2"
	info, err := pool.Import(ctx, src, snap.Layer, storage.ImportLimits{MaxVirtualSize: MaxImportBytes, SHA256: d.SHA256, Format: d.Format})
	if err != nil {
		return Snapshot{}, ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: %v", dir, err)
	}
	_ = os.Chmod(pool.Path(snap.Layer), fsmode.ReadOnly)
	snap.SizeGiB = int32((info.VirtualSize + (1 << 30) - 1) >> 30)
	snap.StoredBytes = info.ActualSize
	snap.CompletionTime = s.now().UTC()
	return snap, nil
}

func pool2AZ(s *Service, p *storage.Pool) string {
	for az, q := range s.pools {
		if q == p {
			return az
		}
	}
	return ""
}

// importFile copies a kernel or initrd into the pool after checking its sha256.
func importFile(pool *storage.Pool, dir string, f *ManifestFile, dst string) (string, error) {
	src, err := bundleFile(dir, f.File)
	if err != nil {
		return "", err
	}
	if f.SHA256 != "" {
		got, err := fileSHA256(src)
		if err != nil {
			return "", ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: %v", dir, err)
		}
		if got != f.SHA256 {
			return "", ec2err.New(ec2err.InvalidParameterValue, "image bundle %s: %s: sha256 %s does not match the manifest", dir, f.File, got)
		}
	}
	if err := copyFile(src, pool.Path(dst)); err != nil {
		return "", fmt.Errorf("import %s: %w", f.File, err)
	}
	return dst, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func firstNonEmpty(v ...string) string {
	for _, x := range v {
		if x != "" {
			return x
		}
	}
	return ""
}

func (s *Service) checkImageName(ctx context.Context, acct, name string) error {
	if len(name) < 3 || len(name) > 128 {
		return ec2err.New(ec2err.InvalidAMINameMalformed, "AMI names must be between 3 and 128 characters long")
	}
	imgs, err := store.ListJSON[Image](ctx, s.st, prefixImage)
	if err != nil {
		return err
	}
	for _, i := range imgs {
		if i.Owner == acct && i.Name == name && i.State != "deregistered" {
			return ec2err.New(ec2err.InvalidAMINameDuplicate, "AMI name %s is already in use by AMI %s", name, i.ID)
		}
	}
	return nil
}

// ImageByName returns the caller's image of that name, if any.
func (s *Service) ImageByName(ctx context.Context, name string) (Image, bool) {
	acct, err := account(ctx)
	if err != nil {
		return Image{}, false
	}
	imgs, _ := store.ListJSON[Image](ctx, s.st, prefixImage)
	for _, i := range imgs {
		if i.Owner == acct && i.Name == name && i.State == "available" {
			return i, true
		}
	}
	return Image{}, false
}

// ImageQuery is DescribeImages' input.
type ImageQuery struct {
	IDs, Owners, ExecutableUsers []string
	Filters                      []Filter
	Page                         Page
	// IncludeDeprecated shows other accounts' deprecated images too.
	IncludeDeprecated bool
}

// DescribeImages lists images the caller may see (its own, public ones and
// those shared with it), narrowed by owners ("self", "all" or account IDs)
// and executable users ("self", "all" or account IDs). Other accounts'
// deprecated images are left out unless named (DescribeImagesWith).
func (s *Service) DescribeImages(ctx context.Context, idList, owners, execUsers []string, filters []Filter, p Page) ([]Image, string, error) {
	return s.DescribeImagesWith(ctx, ImageQuery{IDs: idList, Owners: owners, ExecutableUsers: execUsers, Filters: filters, Page: p})
}

// DescribeImagesWith is DescribeImages with all of EC2's options: an image
// of another account that is deprecated shows only when named by ID or
// when q.IncludeDeprecated (the owner always sees its own).
func (s *Service) DescribeImagesWith(ctx context.Context, q ImageQuery) ([]Image, string, error) {
	idList, owners, execUsers := q.IDs, q.Owners, q.ExecutableUsers
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkUserIDs(owners, ownerAliases...); err != nil {
		return nil, "", err
	}
	if err := checkUserIDs(execUsers, "self", "all"); err != nil {
		return nil, "", err
	}
	for _, id := range idList {
		if !ids.Valid(ids.Image, id) {
			return nil, "", ec2err.New(ec2err.InvalidAMIIDMalformed, "Invalid id: \"%s\" (expecting \"ami-...\")", id)
		}
	}
	all, err := store.ListJSON[Image](ctx, s.st, prefixImage)
	if err != nil {
		return nil, "", err
	}
	for i := range all {
		all[i] = imageViewFor(all[i], acct)
	}
	if asked := len(idList); asked > 0 {
		if idList = withoutDeregistered(idList, all, acct); len(idList) == 0 {
			return nil, "", nil // every image asked for was the caller's, now deregistered
		}
	}
	now := s.now()
	out, next, err := selectPage(all, selection[Image]{IDs: idList, Filters: q.Filters, Page: q.Page,
		ID: func(img Image) string { return img.ID }, Field: imageField,
		Keep: func(img Image) bool { return img.State != "deregistered" && imageVisible(img, acct) },
		Narrow: func(img Image) bool {
			return ownerWanted(owners, img.Owner, acct) && executableBy(img, execUsers, acct) &&
				(img.Owner == acct || len(idList) > 0 || q.IncludeDeprecated || !deprecatedAt(img, now))
		},
		NotFound: imageNotFound})
	for i := range out {
		out[i] = s.withProtection(out[i])
	}
	return out, next, err
}

// withoutDeregistered drops from idList the caller's images that were
// deregistered and are still remembered: EC2 answers them with no image
// rather than InvalidAMIID.NotFound for a while (Ansible's ec2_ami waits
// for exactly that).
func withoutDeregistered(idList []string, all []Image, acct string) []string {
	gone := map[string]bool{}
	for _, img := range all {
		if img.State == "deregistered" && img.Owner == acct {
			gone[img.ID] = true
		}
	}
	var out []string
	for _, id := range idList {
		if !gone[id] {
			out = append(out, id)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func imageField(img Image, name string) ([]string, bool) {
	switch name {
	case "image-id":
		return []string{img.ID}, true
	case "name":
		return []string{img.Name}, true
	case "description":
		return []string{img.Description}, true
	case "state":
		return []string{img.State}, true
	case "owner-id":
		return []string{img.Owner}, true
	case "architecture":
		return []string{img.Architecture}, true
	case "is-public":
		return []string{fmt.Sprint(img.Public)}, true
	case "root-device-name":
		return []string{img.RootDeviceName}, true
	case "boot-mode":
		return []string{img.BootMode}, true
	case "creation-date":
		return []string{img.CreationDate.UTC().Format("2006-01-02T15:04:05.000Z")}, true
	case "image-location", "manifest-location":
		return []string{img.Location}, true
	// Every ec2lab image is an EBS-backed HVM machine image on KVM, as
	// Describe reports it.
	case "image-type":
		return []string{"machine"}, true
	case "root-device-type":
		return []string{"ebs"}, true
	case "virtualization-type":
		return []string{"hvm"}, true
	case "hypervisor":
		return []string{"kvm"}, true
	}
	if field, ok := strings.CutPrefix(name, "block-device-mapping."); ok {
		return imageDeviceField(img.Devices, field)
	}
	return tagField(img.Tags, name)
}

// imageDeviceField is EC2's block-device-mapping.* filters: the values of
// every mapping.
func imageDeviceField(devs []ImageDevice, field string) ([]string, bool) {
	var get func(ImageDevice) string
	switch field {
	case "snapshot-id":
		get = func(d ImageDevice) string { return d.SnapshotID }
	case "device-name":
		get = func(d ImageDevice) string { return d.DeviceName }
	case "volume-size":
		get = func(d ImageDevice) string { return fmt.Sprint(d.SizeGiB) }
	case "volume-type":
		get = func(d ImageDevice) string { return d.VolumeType }
	case "delete-on-termination":
		get = func(d ImageDevice) string { return fmt.Sprint(d.DeleteOnTermination) }
	default:
		return nil, false
	}
	out := make([]string, len(devs))
	for i, d := range devs {
		out[i] = get(d)
	}
	return out, true
}

// DeregisterImage removes an AMI; its snapshots stay, as EC2. The record
// stays as a hidden tombstone in state deregistered: instances launched
// from the image still need its boot data to start again.
func (s *Service) DeregisterImage(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || img.Owner != acct || img.State == "deregistered" {
		return imageNotFound(id)
	}
	if err := checkDeregistrable(img, s.now()); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixImage+id, func(r *Image) error {
		if err := checkDeregistrable(*r, s.now()); err != nil {
			return err
		}
		r.State, r.Public, r.LaunchAccounts = "deregistered", false, nil
		return nil
	})
	if err == nil {
		s.log.Info("image deregistered", "image", id)
	}
	return err
}
