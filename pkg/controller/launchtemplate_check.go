package controller

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
)

// checkTemplateData refuses, when a version is created, what is malformed
// and what ec2lab cannot honour; resources the data names are only looked
// up for warnings (templateWarnings), as EC2 does.
func (s *Service) checkTemplateData(d LaunchTemplateData) error {
	for _, check := range []func(LaunchTemplateData) error{
		s.checkTemplateScalars, checkTemplateRefused, checkTemplateInterfaces,
		checkTemplateDevices, checkTemplatePlacement, checkTemplateTags, checkTemplateMetadata,
	} {
		if err := check(d); err != nil {
			return err
		}
	}
	return nil
}

func invalidValue(value, param string) error {
	return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for %s.", value, param)
}

func unsupportedData(format string, args ...any) error {
	return ec2err.New(ec2err.UnsupportedOperation, format, args...)
}

// checkTemplateScalars checks the image ID's shape, the instance type
// against the catalog (as RunInstances would), the user data and the
// credit mode.
func (s *Service) checkTemplateScalars(d LaunchTemplateData) error {
	if d.ImageID != "" && !ids.Valid(ids.Image, d.ImageID) {
		return ec2err.New(ec2err.InvalidAMIIDMalformed, "Invalid id: \"%s\" (expecting \"ami-...\")", d.ImageID)
	}
	if d.InstanceType != "" {
		typ, ok := s.types.Get(d.InstanceType)
		if !ok {
			return invalidValue(d.InstanceType, "InstanceType")
		}
		if err := checkCPUCredits(typ, d.CPUCredits); err != nil {
			return err
		}
	}
	switch d.CPUCredits {
	case "", CreditsStandard, CreditsUnlimited:
	default:
		return invalidValue(d.CPUCredits, "CreditSpecification.CpuCredits")
	}
	if _, err := decodeTemplateUserData(d.UserData); err != nil {
		return err
	}
	for _, g := range d.SecurityGroupIDs {
		if !ids.Valid(SGIDPrefix, g) {
			return ec2err.New(ec2err.InvalidGroupIDMalformed, "Invalid id: \"%s\" (expecting \"sg-...\")", g)
		}
	}
	return nil
}

// decodeTemplateUserData decodes a template's base64 user data (line
// breaks allowed), at most MaxUserData bytes.
func decodeTemplateUserData(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid BASE64 encoding of user data (a launch template keeps UserData base64-encoded)")
	}
	if len(b) > MaxUserData {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "User data is limited to %d bytes", MaxUserData)
	}
	return b, nil
}

// checkTemplateRefused refuses the members ec2lab has nothing behind.
func checkTemplateRefused(d LaunchTemplateData) error {
	switch {
	case d.IAMInstanceProfile != nil:
		return unsupportedData("IamInstanceProfile is not supported: ec2lab has no IAM roles or instance profiles.")
	case d.EBSOptimized != nil && *d.EBSOptimized:
		return unsupportedData("EbsOptimized is not supported: no ec2lab instance type is EBS-optimized (ebsOptimizedSupport unsupported).")
	case d.Monitoring != nil && *d.Monitoring:
		return unsupportedData("Monitoring.Enabled is not supported: ec2lab has no detailed monitoring.")
	}
	switch d.ShutdownBehavior {
	case "", "stop":
		return nil
	case "terminate":
		return unsupportedData("InstanceInitiatedShutdownBehavior terminate is not supported: an instance that shuts itself down is stopped.")
	}
	return invalidValue(d.ShutdownBehavior, "InstanceInitiatedShutdownBehavior")
}

// checkTemplateInterfaces accepts the one interface every instance has
// (DeviceIndex 0 on card 0), deleted with its instance; it may ask for a
// public address (AssociatePublicIpAddress).
func checkTemplateInterfaces(d LaunchTemplateData) error {
	if len(d.NetworkInterfaces) > 1 {
		return unsupportedData("An instance has one network interface (DeviceIndex 0); the template gives %d.", len(d.NetworkInterfaces))
	}
	for _, ni := range d.NetworkInterfaces {
		switch {
		case ni.DeviceIndex != nil && *ni.DeviceIndex != 0:
			return unsupportedData("NetworkInterface DeviceIndex %d is not supported: an instance has one network interface, DeviceIndex 0.", *ni.DeviceIndex)
		case ni.NetworkCardIndex != nil && *ni.NetworkCardIndex != 0:
			return unsupportedData("NetworkCardIndex %d is not supported: instances have one network card (0).", *ni.NetworkCardIndex)
		case ni.DeleteOnTermination != nil && !*ni.DeleteOnTermination:
			return unsupportedData("DeleteOnTermination false is not supported: the primary network interface goes with its instance.")
		case ni.Description != "":
			return unsupportedData("A network interface Description is not supported: the primary interface is not a separate resource here.")
		case ni.SubnetID != "" && !ids.Valid(network.SubnetIDPrefix, ni.SubnetID):
			return ec2err.New(ec2err.InvalidSubnetIDMalformed, "Invalid id: \"%s\"", ni.SubnetID)
		}
		if ni.PrivateIP != "" {
			if a, err := netip.ParseAddr(ni.PrivateIP); err != nil || !a.Is4() {
				return invalidValue(ni.PrivateIP, "PrivateIpAddress")
			}
		}
		for _, g := range ni.Groups {
			if !ids.Valid(SGIDPrefix, g) {
				return ec2err.New(ec2err.InvalidGroupIDMalformed, "Invalid id: \"%s\" (expecting \"sg-...\")", g)
			}
		}
	}
	return nil
}

// checkTemplateDevices checks what RunInstances checks of a mapping
// without the image (which may not exist yet).
func checkTemplateDevices(d LaunchTemplateData) error {
	for _, dev := range d.BlockDevices {
		if dev.DeviceName == "" {
			return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter BlockDeviceMapping.DeviceName")
		}
		e := dev.EBS
		if e == nil {
			continue
		}
		if e.VolumeType != "" && !validVolumeType(e.VolumeType) {
			return invalidValue(e.VolumeType, "VolumeType")
		}
		if e.SizeGiB < 0 || e.IOPS < 0 || e.Throughput < 0 {
			return ec2err.New(ec2err.InvalidParameterValue, "Volume size, IOPS and throughput of %s must not be negative", dev.DeviceName)
		}
		if e.SnapshotID != "" && !ids.Valid(ids.Snapshot, e.SnapshotID) {
			return ec2err.New(ec2err.InvalidSnapshotIDMalformed, "Invalid id: \"%s\" (expecting \"snap-...\")", e.SnapshotID)
		}
	}
	return nil
}

// checkTemplatePlacement accepts a zone, a placement group (and its
// partition) and the default tenancy.
func checkTemplatePlacement(d LaunchTemplateData) error {
	p := d.Placement
	if p == nil {
		return nil
	}
	if p.PartitionNumber < 0 {
		return invalidValue(strconv.Itoa(int(p.PartitionNumber)), "Placement.PartitionNumber")
	}
	switch p.Tenancy {
	case "", "default":
		return nil
	case "dedicated", "host":
		return unsupportedData("Placement.Tenancy %s is not supported: ec2lab instances share their hosts (default tenancy).", p.Tenancy)
	}
	return invalidValue(p.Tenancy, "Placement.Tenancy")
}

// templateTagTypes are the resource types a template's tags may name:
// what RunInstances creates and tags.
var templateTagTypes = map[string]bool{"instance": true, "volume": true}

func checkTemplateTags(d LaunchTemplateData) error {
	for _, spec := range d.TagSpecs {
		switch {
		case spec.ResourceType == "":
			return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter TagSpecification.ResourceType")
		case spec.ResourceType == "network-interface" || spec.ResourceType == "spot-instances-request":
			return unsupportedData("Tags for resource type %s are not supported: ec2lab tags the instance and its volumes.", spec.ResourceType)
		case !templateTagTypes[spec.ResourceType]:
			return invalidValue(spec.ResourceType, "TagSpecification.ResourceType")
		}
		if err := validateTags(spec.Tags); err != nil {
			return err
		}
	}
	return nil
}

// checkTemplateMetadata checks the options as RunInstances would; the
// IPv6 endpoint and instance tags in the metadata are off in ec2lab.
func checkTemplateMetadata(d LaunchTemplateData) error {
	m := d.MetadataOptions
	if m == nil {
		return nil
	}
	if err := (MetadataOptionsRequest{HTTPTokens: m.HTTPTokens, HTTPEndpoint: m.HTTPEndpoint, HopLimit: m.HopLimit}).validate(); err != nil {
		return err
	}
	for _, o := range [][2]string{{"HttpProtocolIpv6", m.HTTPProtocolIPv6}, {"InstanceMetadataTags", m.InstanceMetadataTags}} {
		param, v := o[0], o[1]
		switch v {
		case "", HTTPEndpointDisabled:
		case HTTPEndpointEnabled:
			return unsupportedData("MetadataOptions.%s enabled is not supported by ec2lab's instance metadata service.", param)
		default:
			return invalidValue(v, "MetadataOptions."+param)
		}
	}
	return nil
}
