package ec2query

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// The Query API name of a proto field is its name in CamelCase; a repeated
// field drops its plural "s" (instance_ids → InstanceId.N, filters →
// Filter.N, tags → Tag.N). nameOverrides lists the fields EC2 names
// differently.
var nameOverrides = map[protoreflect.FullName]string{
	"ec2lab.v1.CreateTagsRequest.resources":                     "ResourceId",
	"ec2lab.v1.DeleteTagsRequest.resources":                     "ResourceId",
	"ec2lab.v1.DescribeSnapshotsRequest.owner_ids":              "Owner",
	"ec2lab.v1.DescribeSnapshotsRequest.restorable_by_user_ids": "RestorableBy",
	// Volume attributes and snapshot sharing (xml_volume_ops.go, xml_snapshot_attrs.go).
	"ec2lab.v1.ModifyVolumeAttributeRequest.auto_enable_io": "AutoEnableIO",
	"ec2lab.v1.ModifySnapshotAttributeRequest.group_names":  "UserGroup",
	"ec2lab.v1.DescribeImagesRequest.executable_users":      "ExecutableBy",
	// ec2lab: the bundle directory travels in EC2's ImageLocation.
	"ec2lab.v1.RegisterImageRequest.bundle_path": "ImageLocation",
	// Security groups (xml_secgroups.go).
	"ec2lab.v1.CreateSecurityGroupRequest.description":                    "GroupDescription",
	"ec2lab.v1.SecurityGroupRulesRequest.ip_permissions":                  "IpPermissions",
	"ec2lab.v1.RevokeSecurityGroupRulesRequest.ip_permissions":            "IpPermissions",
	"ec2lab.v1.UpdateSecurityGroupRuleDescriptionsRequest.ip_permissions": "IpPermissions",
	"ec2lab.v1.IpPermission.ip_ranges":                                    "IpRanges",
	"ec2lab.v1.IpPermission.ipv6_ranges":                                  "Ipv6Ranges",
	"ec2lab.v1.IpPermission.prefix_list_ids":                              "PrefixListIds",
	"ec2lab.v1.IpPermission.user_id_group_pairs":                          "Groups",
	// VPC and subnet attributes (xml_vpc_attrs.go).
	"ec2lab.v1.DescribeVpcClassicLinkDnsSupportRequest.vpc_ids":                             "VpcIds",
	"ec2lab.v1.ModifySubnetAttributeRequest.enable_resource_name_dns_aaaa_record_on_launch": "EnableResourceNameDnsAAAARecordOnLaunch",
	// RunInstances' NetworkInterface.N (InstanceNetworkInterfaceSpecification).
	"ec2lab.v1.InstanceNetworkInterfaceSpecification.groups":               "SecurityGroupId",
	"ec2lab.v1.InstanceNetworkInterfaceSpecification.private_ip_addresses": "PrivateIpAddresses",
	"ec2lab.v1.InstanceNetworkInterfaceSpecification.ipv6_addresses":       "Ipv6Addresses",
	"ec2lab.v1.InstanceNetworkInterfaceSpecification.ipv4_prefixes":        "Ipv4Prefix",
	"ec2lab.v1.InstanceNetworkInterfaceSpecification.ipv6_prefixes":        "Ipv6Prefix",
	// ModifyInstanceAttribute's security groups (GroupIdStringList).
	"ec2lab.v1.ModifyInstanceAttributeRequest.groups": "GroupId",
	// Launch templates (xml_launchtemplates.go).
	"ec2lab.v1.DescribeLaunchTemplateVersionsRequest.versions": "LaunchTemplateVersion",
	"ec2lab.v1.DeleteLaunchTemplateVersionsRequest.versions":   "LaunchTemplateVersion",
	"ec2lab.v1.ModifyLaunchTemplateRequest.default_version":    "SetDefaultVersion",
	"ec2lab.v1.LaunchTemplateNetworkInterface.groups":          "SecurityGroupId",
	// Network ACL entries (xml_networkacls.go): IcmpTypeCode travels as Icmp.
	"ec2lab.v1.NetworkAclEntryRequest.icmp_type_code": "Icmp",
	// ModifyNetworkInterfaceAttribute's groups (SecurityGroupIdStringList).
	"ec2lab.v1.ModifyNetworkInterfaceAttributeRequest.groups": "SecurityGroupId",
	// CreateNatGateway's secondary addresses (IpList).
	"ec2lab.v1.CreateNatGatewayRequest.secondary_private_ip_addresses": "SecondaryPrivateIpAddress",
}

// fieldRule is how one field's wire value is read beyond its proto type.
type fieldRule struct {
	// presence: a bool that is true when the parameter is present, whatever
	// its value (EC2's NoDevice is a string, usually "").
	presence bool
	// maxBytes limits a base64 blob after decoding.
	maxBytes int
}

// MaxUserData is EC2's limit on RunInstances UserData (decoded bytes).
const MaxUserData = 16 << 10

// fieldRules are the fields read beyond their proto type. ImportKeyPair's
// PublicKeyMaterial has no rule: the controller bounds it (InvalidKey.Format)
// alike for both edges.
var fieldRules = map[protoreflect.FullName]fieldRule{
	"ec2lab.v1.BlockDeviceMapping.no_device":  {presence: true},
	"ec2lab.v1.RunInstancesRequest.user_data": {maxBytes: MaxUserData},
	// ModifyInstanceAttribute's UserData.Value and NoDevice.
	"ec2lab.v1.BlobAttributeValue.value":                          {maxBytes: MaxUserData},
	"ec2lab.v1.InstanceBlockDeviceMappingSpecification.no_device": {presence: true},
}

// wireName is the Query API parameter name of fd (one path segment).
func wireName(fd protoreflect.FieldDescriptor) string {
	if n, ok := nameOverrides[fd.FullName()]; ok {
		return n
	}
	n := camel(string(fd.Name()))
	if fd.IsList() {
		n = strings.TrimSuffix(n, "s")
	}
	return n
}

// camel turns snake_case into CamelCase.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
