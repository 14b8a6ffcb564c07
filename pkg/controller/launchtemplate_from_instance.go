package controller

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// GetLaunchTemplateData describes one of the caller's instances as launch
// template data, as EC2 does: what a template would need to launch another
// like it (its image, type, key, user data, volumes, network interface,
// placement, tags and options). The answer passes checkTemplateData; it
// leaves out the instance's address, which a second instance cannot have.
func (s *Service) GetLaunchTemplateData(ctx context.Context, id string, dryRun bool) (LaunchTemplateData, error) {
	in, err := s.instance(ctx, id)
	if err != nil {
		return LaunchTemplateData{}, err
	}
	if dryRun {
		return LaunchTemplateData{}, DryRun()
	}
	no, yes := false, true
	zero := int32(0)
	d := LaunchTemplateData{ImageID: in.ImageID, InstanceType: in.Type, KeyName: in.KeyName, CPUCredits: in.CPUCredits,
		DisableAPITermination: &in.DisableAPITermination, DisableAPIStop: &in.DisableAPIStop,
		ShutdownBehavior: "stop", EBSOptimized: &no, Monitoring: &no,
		Placement: &TemplatePlacement{AZ: in.AZ, GroupName: in.PlacementGroup, PartitionNumber: int32(in.Partition), Tenancy: "default"}}
	if len(in.UserData) > 0 {
		d.UserData = base64.StdEncoding.EncodeToString(in.UserData)
	}
	if in.SubnetID != "" {
		d.NetworkInterfaces = []TemplateInterface{{DeviceIndex: &zero, NetworkCardIndex: &zero, SubnetID: in.SubnetID,
			Groups: GroupIDs(in.SecurityGroups), AssociatePublicIP: &in.PublicIPOnLaunch, DeleteOnTermination: &yes}}
	}
	if tags := userTags(in.Tags); len(tags) > 0 {
		d.TagSpecs = []TemplateTagSpec{{ResourceType: "instance", Tags: tags}}
	}
	m := in.Metadata.WithDefaults()
	d.MetadataOptions = &TemplateMetadataOptions{HTTPTokens: m.HTTPTokens, HopLimit: &m.HopLimit, HTTPEndpoint: m.HTTPEndpoint,
		HTTPProtocolIPv6: HTTPEndpointDisabled, InstanceMetadataTags: HTTPEndpointDisabled}
	for _, b := range in.BlockDevices {
		dev, err := s.instanceDevice(ctx, in.Owner, b)
		if err != nil {
			return LaunchTemplateData{}, err
		}
		d.BlockDevices = append(d.BlockDevices, dev)
	}
	return d, nil
}

// instanceDevice describes one of an instance's volumes as a mapping. The
// snapshot it was made from is named only when the caller may use it (an
// image's snapshot may belong to another account).
func (s *Service) instanceDevice(ctx context.Context, acct string, b BlockDevice) (TemplateDevice, error) {
	v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+b.VolumeID)
	if err != nil {
		return TemplateDevice{}, fmt.Errorf("volume %s of %s: %w", b.VolumeID, b.DeviceName, err)
	}
	dot, enc := b.DeleteOnTermination, v.Encrypted
	e := &TemplateEBS{Encrypted: &enc, DeleteOnTermination: &dot, IOPS: v.IOPS, SizeGiB: v.SizeGiB,
		VolumeType: v.Type, Throughput: v.Throughput}
	if _, err := s.visibleSnapshot(ctx, acct, v.SnapshotID); v.SnapshotID != "" && err == nil {
		e.SnapshotID = v.SnapshotID
	}
	return TemplateDevice{DeviceName: b.DeviceName, EBS: e}, nil
}

// userTags drops the aws: tags EC2 sets itself.
func userTags(tags []Tag) []Tag {
	var out []Tag
	for _, t := range tags {
		if !strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			out = append(out, t)
		}
	}
	return out
}
