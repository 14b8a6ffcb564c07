package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// prefixImageJob holds the progress of each CreateImage still in flight,
// keyed by the new image's ID; the record goes when the image is settled.
const prefixImageJob = "/imagejobs/"

// CreateImageRequest is CreateImage's input.
type CreateImageRequest struct {
	InstanceID  string
	Name        string
	Description string
	// NoReboot takes crash-consistent snapshots of a running instance
	// instead of stopping it cleanly first and starting it again after.
	NoReboot bool
	// Tags by resource type: "image" and "snapshot".
	Tags   map[string][]Tag
	DryRun bool
}

// imageJob is a CreateImage in flight. Every step is idempotent, so the
// reconciler resumes a job a crash interrupted.
type imageJob struct {
	ImageID    string `json:"image_id"`
	InstanceID string `json:"instance_id"`
	NoReboot   bool   `json:"no_reboot"`
	// Restart says the job stopped the instance and starts it again.
	Restart bool `json:"restart,omitempty"`
	// Snapshots maps a device name to the snapshot taken of its volume.
	Snapshots    map[string]string `json:"snapshots,omitempty"`
	SnapshotTags []Tag             `json:"snapshot_tags,omitempty"`
	// Owner's snapshot quota holds Reserved snapshots for the job until
	// it records them (Snapshots set).
	Owner    string `json:"owner,omitempty"`
	Reserved int    `json:"reserved,omitempty"`
}

// CreateImage records a pending AMI made from an instance's EBS volumes;
// the reconciler stops the instance (unless NoReboot), snapshots every
// volume, starts it again and makes the image available.
func (s *Service) CreateImage(ctx context.Context, req CreateImageRequest) (Image, error) {
	acct, err := account(ctx)
	if err != nil {
		return Image{}, err
	}
	in, src, err := s.checkCreateImage(ctx, acct, req)
	if err != nil {
		return Image{}, err
	}
	if req.DryRun {
		return Image{}, DryRun()
	}
	img := Image{ID: ids.New(ids.Image), Owner: acct, Name: req.Name, Description: req.Description, State: "pending",
		Architecture: firstNonEmpty(in.Architecture, src.Architecture, "x86_64"), BootMode: src.BootMode,
		Cmdline: src.Cmdline, RootDeviceName: firstNonEmpty(in.RootDeviceName, src.RootDeviceName),
		CreationDate: s.now().UTC(), Tags: req.Tags["image"], Location: acct + "/" + req.Name, AZ: in.AZ,
		SourceInstanceID: in.ID}
	job := imageJob{ImageID: img.ID, InstanceID: in.ID, NoReboot: req.NoReboot, SnapshotTags: req.Tags["snapshot"],
		Owner: acct, Reserved: len(in.BlockDevices)}
	release, err := s.admitImage(ctx, acct, job.Reserved)
	if err != nil {
		return Image{}, err
	}
	defer release()
	iop, _ := store.PutJSON(prefixImage+img.ID, img, 0)
	jop, _ := store.PutJSON(prefixImageJob+img.ID, job, 0)
	if _, err := s.st.Txn(ctx, iop, jop); err != nil {
		return Image{}, fmt.Errorf("create image %s: %w", req.Name, err)
	}
	s.log.Info("image creation started", "image", img.ID, "instance", in.ID, "no_reboot", req.NoReboot)
	s.Kick()
	return img, nil
}

// checkCreateImage validates a CreateImage and returns the instance and the
// image it was launched from (whose boot data the new image inherits).
func (s *Service) checkCreateImage(ctx context.Context, acct string, req CreateImageRequest) (Instance, Image, error) {
	if req.InstanceID == "" {
		return Instance{}, Image{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceId")
	}
	insts, err := s.ownedInstances(ctx, acct, []string{req.InstanceID})
	if err != nil {
		return Instance{}, Image{}, err
	}
	in := insts[0]
	if in.State != StateRunning && in.State != StateStopped {
		return Instance{}, Image{}, ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is not in a state from which it can be imaged (state: %s).", in.ID, in.State)
	}
	if err := validAMIName(req.Name); err != nil {
		return Instance{}, Image{}, err
	}
	if err := s.checkImageName(ctx, acct, req.Name); err != nil {
		return Instance{}, Image{}, err
	}
	for _, tags := range req.Tags {
		if err := validateTags(tags); err != nil {
			return Instance{}, Image{}, err
		}
	}
	if busy, ok := s.imageJobOf(ctx, in.ID); ok {
		return Instance{}, Image{}, ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is already being imaged (%s).", in.ID, busy)
	}
	src, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+in.ImageID)
	if err != nil {
		return Instance{}, Image{}, fmt.Errorf("create image: source image %s of %s: %w", in.ImageID, in.ID, err)
	}
	return in, src, nil
}

// validAMIName applies EC2's character rule for image names (the length
// rule is checkImageName's).
func validAMIName(name string) error {
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		switch c {
		case '(', ')', '[', ']', ' ', '.', '/', '-', '\'', '@', '_':
			ok = true
		}
		if !ok {
			return ec2err.New(ec2err.InvalidAMINameMalformed,
				"AMI names may only contain letters, numbers, spaces and ()[]./-'@_ (got %q)", name)
		}
	}
	return nil
}

// imageJobOf returns the image a job in flight makes from an instance.
func (s *Service) imageJobOf(ctx context.Context, instanceID string) (string, bool) {
	jobs, _ := store.ListJSON[imageJob](ctx, s.st, prefixImageJob)
	for _, j := range jobs {
		if j.InstanceID == instanceID {
			return j.ImageID, true
		}
	}
	return "", false
}
