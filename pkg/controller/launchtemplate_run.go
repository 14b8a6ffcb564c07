package controller

import (
	"context"
	"strconv"
)

// LaunchTemplateSpec names the launch template version RunInstances
// launches from (EC2's LaunchTemplateSpecification).
type LaunchTemplateSpec struct {
	ID, Name string
	// Version is a number, $Latest or $Default (empty: $Default).
	Version string
}

// The tags EC2 puts on an instance launched from a template.
const (
	tagTemplateID      = "aws:ec2launchtemplate:id"
	tagTemplateVersion = "aws:ec2launchtemplate:version"
)

// applyLaunchTemplate fills what req does not give from the version of
// the template it names, and returns that version (nil without a
// template).
func (s *Service) applyLaunchTemplate(ctx context.Context, acct string, req *RunRequest) (*LaunchTemplateVersion, error) {
	spec := req.LaunchTemplate
	if spec == nil {
		return nil, nil
	}
	t, _, err := s.ownTemplate(ctx, acct, spec.ID, spec.Name)
	if err != nil {
		return nil, err
	}
	version := spec.Version
	if version == "" {
		version = "$Default"
	}
	v, _, err := s.templateVersion(ctx, t, version)
	if err != nil {
		return nil, err
	}
	d := v.Data
	if len(req.SecurityGroupIDs) == 0 && len(d.NetworkInterfaces) == 0 {
		for _, name := range d.SecurityGroups { // names of the default VPC's groups
			g, _, err := s.groupByIDOrName(ctx, acct, "", name)
			if err != nil {
				return nil, err
			}
			d.SecurityGroupIDs = append(d.SecurityGroupIDs, g.ID)
		}
	}
	merged, err := mergeTemplate(*req, d)
	if err != nil {
		return nil, err
	}
	*req = merged
	return &v, nil
}

// mergeTemplate is req with what it leaves out taken from d: request
// parameters override the template's, block devices and tags member by
// member (by device name, by tag key). A template's network interface
// (DeviceIndex 0) gives the instance's subnet, address and groups. Boolean
// flags the request sets only turn on: a request cannot tell "false" from
// "not given".
func mergeTemplate(req RunRequest, d LaunchTemplateData) (RunRequest, error) {
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&req.ImageID, d.ImageID)
	fill(&req.InstanceType, d.InstanceType)
	fill(&req.KeyName, d.KeyName)
	fill(&req.CPUCredits, d.CPUCredits)
	if len(req.UserData) == 0 && d.UserData != "" {
		b, err := decodeTemplateUserData(d.UserData)
		if err != nil {
			return req, err
		}
		req.UserData = b
	}
	req.DisableAPITermination = req.DisableAPITermination || isTrue(d.DisableAPITermination)
	req.DisableAPIStop = req.DisableAPIStop || isTrue(d.DisableAPIStop)
	if p := d.Placement; p != nil {
		fill(&req.AZ, p.AZ)
		if req.PlacementGroup == "" {
			req.PlacementGroup, req.PartitionNumber = p.GroupName, int(p.PartitionNumber)
		}
	}
	if m := d.MetadataOptions; m != nil {
		fill(&req.MetadataOptions.HTTPTokens, m.HTTPTokens)
		fill(&req.MetadataOptions.HTTPEndpoint, m.HTTPEndpoint)
		req.MetadataOptions.HopLimit = orPtr(req.MetadataOptions.HopLimit, m.HopLimit)
	}
	req.Devices = mergeDevices(req.Devices, d.BlockDevices)
	req.Tags = mergeTemplateTags(req.Tags, d.TagSpecs)
	return mergeNetwork(req, d)
}

func isTrue(b *bool) bool { return b != nil && *b }

// mergeNetwork maps the template's interface (or its instance-level
// groups) onto the request's subnet, address, groups and public address
// choice.
func mergeNetwork(req RunRequest, d LaunchTemplateData) (RunRequest, error) {
	if len(d.NetworkInterfaces) == 0 {
		if len(req.SecurityGroupIDs) == 0 {
			req.SecurityGroupIDs = d.SecurityGroupIDs
		}
		return req, nil
	}
	if len(req.SecurityGroupIDs) > 0 || len(d.SecurityGroupIDs) > 0 || len(d.SecurityGroups) > 0 {
		return req, errInterfacesAndGroups()
	}
	ni := d.NetworkInterfaces[0] // checkTemplateInterfaces: one, DeviceIndex 0
	if req.SubnetID == "" {
		req.SubnetID = ni.SubnetID
	}
	if req.PrivateIP == "" {
		req.PrivateIP = ni.PrivateIP
	}
	req.SecurityGroupIDs = ni.Groups
	req.associatePublicIP = ni.AssociatePublicIP // the request's own interface, applied later, overrides it
	return req, nil
}

// mergeDevices overlays the request's mappings on the template's, member
// by member for a device both name.
func mergeDevices(reqDevs []DeviceOverride, tmpl []TemplateDevice) []DeviceOverride {
	out := make([]DeviceOverride, 0, len(tmpl)+len(reqDevs))
	used := map[string]bool{}
	for _, td := range tmpl {
		d := templateDevice(td)
		for _, r := range reqDevs {
			if r.DeviceName == d.DeviceName {
				d = overrideDevice(d, r)
				used[r.DeviceName] = true
			}
		}
		out = append(out, d)
	}
	for _, r := range reqDevs {
		if !used[r.DeviceName] {
			out = append(out, r)
		}
	}
	return out
}

func templateDevice(td TemplateDevice) DeviceOverride {
	d := DeviceOverride{DeviceName: td.DeviceName, NoDevice: td.NoDevice != nil}
	if e := td.EBS; e != nil {
		d.SnapshotID, d.SizeGiB, d.VolumeType = e.SnapshotID, e.SizeGiB, e.VolumeType
		d.IOPS, d.Throughput, d.DeleteOnTermination, d.Encrypted = e.IOPS, e.Throughput, e.DeleteOnTermination, isTrue(e.Encrypted)
	}
	return d
}

// overrideDevice is d with every member r gives.
func overrideDevice(d, r DeviceOverride) DeviceOverride {
	if r.SnapshotID != "" {
		d.SnapshotID = r.SnapshotID
	}
	if r.SizeGiB != 0 {
		d.SizeGiB = r.SizeGiB
	}
	if r.VolumeType != "" {
		d.VolumeType = r.VolumeType
	}
	if r.IOPS != 0 {
		d.IOPS = r.IOPS
	}
	if r.Throughput != 0 {
		d.Throughput = r.Throughput
	}
	d.DeleteOnTermination = orPtr(r.DeleteOnTermination, d.DeleteOnTermination)
	d.NoDevice = d.NoDevice || r.NoDevice
	d.Encrypted = d.Encrypted || r.Encrypted
	return d
}

// mergeTemplateTags adds the template's tags, per resource type, under the
// request's (a key the request gives keeps the request's value).
func mergeTemplateTags(reqTags map[string][]Tag, specs []TemplateTagSpec) map[string][]Tag {
	out := map[string][]Tag{}
	for _, spec := range specs {
		for _, t := range spec.Tags {
			out[spec.ResourceType] = setTag(out[spec.ResourceType], t)
		}
	}
	for typ, tags := range reqTags {
		for _, t := range tags {
			out[typ] = setTag(out[typ], t)
		}
	}
	return out
}

// withTemplateTags adds to tags the instance tags EC2 gives an instance
// launched from template version v (after the caller's tags were checked:
// users may not set aws: tags).
func withTemplateTags(tags map[string][]Tag, v *LaunchTemplateVersion) map[string][]Tag {
	if v == nil {
		return tags
	}
	out := make(map[string][]Tag, len(tags)+1)
	for typ, ts := range tags {
		out[typ] = append([]Tag(nil), ts...)
	}
	out["instance"] = append(out["instance"], Tag{Key: tagTemplateID, Value: v.TemplateID},
		Tag{Key: tagTemplateVersion, Value: strconv.FormatInt(v.Number, 10)})
	return out
}

// withSystemTags is tags with the service's own instance tags added.
func withSystemTags(tags map[string][]Tag, sys []Tag) map[string][]Tag {
	out := make(map[string][]Tag, len(tags)+1)
	for typ, ts := range tags {
		out[typ] = append([]Tag(nil), ts...)
	}
	out["instance"] = append(out["instance"], sys...)
	return out
}
