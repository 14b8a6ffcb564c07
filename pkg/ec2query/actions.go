package ec2query

import (
	"context"
	"sort"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

type compute = ec2labv1.ComputeServer

// actions maps each supported Action onto its ComputeServer method.
var actions = map[string]action{
	// Instances.
	"RunInstances":       op(true, compute.RunInstances, runInstancesXML, "min_count", "max_count"),
	"DescribeInstances":  op(false, compute.DescribeInstances, describeInstancesXML),
	"StartInstances":     op(true, compute.StartInstances, stateChangesXML, "instance_ids"),
	"StopInstances":      op(true, compute.StopInstances, stateChangesXML, "instance_ids"),
	"RebootInstances":    op(true, compute.RebootInstances, done, "instance_ids"),
	"TerminateInstances": op(true, compute.TerminateInstances, stateChangesXML, "instance_ids"),
	"GetConsoleOutput":   op(false, compute.GetConsoleOutput, consoleOutputXML, "instance_id"),
	"DescribeInstanceAttribute": op(false, compute.DescribeInstanceAttribute, instanceAttributeXML,
		"instance_id", "attribute"),
	"ModifyInstanceAttribute":              op(true, compute.ModifyInstanceAttribute, done, "instance_id"),
	"ResetInstanceAttribute":               op(true, compute.ResetInstanceAttribute, done, "instance_id", "attribute"),
	"DescribeInstanceStatus":               op(false, compute.DescribeInstanceStatus, describeInstanceStatusXML),
	"DescribeInstanceCreditSpecifications": op(false, compute.DescribeInstanceCreditSpecifications, creditSpecsXML),
	"ModifyInstanceMetadataOptions": op(true, compute.ModifyInstanceMetadataOptions, modifyMetadataOptionsXML,
		"instance_id"),
	"ModifyInstanceCreditSpecification": op(true, compute.ModifyInstanceCreditSpecification,
		modifyCreditSpecsXML, "instance_credit_specifications"),
	"GetInstanceUefiData":      op(false, compute.GetInstanceUefiData, uefiDataXML, "instance_id"),
	"ReportInstanceStatus":     op(true, compute.ReportInstanceStatus, done, "instance_ids", "status", "reason_codes"),
	"DescribeInstanceTopology": op(false, compute.DescribeInstanceTopology, describeInstanceTopologyXML),

	// Catalog.
	"DescribeInstanceTypes":     op(false, compute.DescribeInstanceTypes, describeInstanceTypesXML),
	"DescribeRegions":           op(false, compute.DescribeRegions, describeRegionsXML),
	"DescribeAvailabilityZones": op(false, compute.DescribeAvailabilityZones, describeZonesXML),
	"DescribeInstanceTypeOfferings": op(false, compute.DescribeInstanceTypeOfferings,
		describeInstanceTypeOfferingsXML),
	"DescribeAccountAttributes": custom(false, describeAccountAttributes),

	// Key pairs.
	"CreateKeyPair":    op(true, compute.CreateKeyPair, keyPairXML, "key_name"),
	"ImportKeyPair":    op(true, compute.ImportKeyPair, keyPairXML, "key_name", "public_key_material"),
	"DescribeKeyPairs": op(false, compute.DescribeKeyPairs, describeKeyPairsXML),
	"DeleteKeyPair":    custom(true, deleteKeyPair),

	// Placement groups (xml_placement.go).
	"CreatePlacementGroup":    op(true, compute.CreatePlacementGroup, createPlacementGroupXML),
	"DescribePlacementGroups": op(false, compute.DescribePlacementGroups, describePlacementGroupsXML),
	"DeletePlacementGroup":    op(true, compute.DeletePlacementGroup, done, "group_name"),

	// Tags.
	"CreateTags":   op(true, compute.CreateTags, done, "resources", "tags"),
	"DeleteTags":   op(true, compute.DeleteTags, done, "resources"),
	"DescribeTags": op(false, compute.DescribeTags, describeTagsXML),

	// Volumes.
	"CreateVolume":    op(true, compute.CreateVolume, volumeBodyXML),
	"DescribeVolumes": op(false, compute.DescribeVolumes, describeVolumesXML),
	"AttachVolume":    op(true, compute.AttachVolume, attachmentBodyXML, "device", "instance_id", "volume_id"),
	"DetachVolume":    op(true, compute.DetachVolume, attachmentBodyXML, "volume_id"),
	"ModifyVolume":    op(true, compute.ModifyVolume, modifyVolumeXML, "volume_id"),
	"DeleteVolume":    op(true, compute.DeleteVolume, done, "volume_id"),
	// Modifications (xml_volumes.go), status checks and attributes (xml_volume_ops.go).
	"DescribeVolumesModifications": op(false, compute.DescribeVolumesModifications, describeVolumesModificationsXML),
	"DescribeVolumeStatus":         op(false, compute.DescribeVolumeStatus, describeVolumeStatusXML),
	"DescribeVolumeAttribute":      op(false, compute.DescribeVolumeAttribute, volumeAttributeXML, "attribute", "volume_id"),
	"ModifyVolumeAttribute":        op(true, compute.ModifyVolumeAttribute, done, "volume_id"),
	// EBS encryption by default (xml_snapshot_attrs.go).
	"GetEbsEncryptionByDefault":     op(false, compute.GetEbsEncryptionByDefault, ebsEncryptionXML),
	"EnableEbsEncryptionByDefault":  op(true, compute.EnableEbsEncryptionByDefault, ebsEncryptionXML),
	"DisableEbsEncryptionByDefault": op(true, compute.DisableEbsEncryptionByDefault, ebsEncryptionXML),
	"GetEbsDefaultKmsKeyId":         op(false, compute.GetEbsDefaultKmsKeyId, kmsKeyIDXML),
	"ModifyEbsDefaultKmsKeyId":      op(true, compute.ModifyEbsDefaultKmsKeyId, kmsKeyIDXML, "kms_key_id"),
	"ResetEbsDefaultKmsKeyId":       op(true, compute.ResetEbsDefaultKmsKeyId, kmsKeyIDXML),

	// Snapshots.
	"CreateSnapshot":    op(true, compute.CreateSnapshot, snapshotBodyXML, "volume_id"),
	"DescribeSnapshots": op(false, compute.DescribeSnapshots, describeSnapshotsXML),
	"CopySnapshot":      op(true, compute.CopySnapshot, copySnapshotXML, "source_region", "source_snapshot_id"),
	"DeleteSnapshot":    op(true, compute.DeleteSnapshot, done, "snapshot_id"),
	// Sharing: createVolumePermission (xml_snapshot_attrs.go).
	"DescribeSnapshotAttribute": op(false, compute.DescribeSnapshotAttribute, snapshotAttributeXML, "attribute", "snapshot_id"),
	"ModifySnapshotAttribute":   op(true, compute.ModifySnapshotAttribute, done, "snapshot_id"),
	"ResetSnapshotAttribute":    op(true, compute.ResetSnapshotAttribute, done, "attribute", "snapshot_id"),

	// Images.
	"RegisterImage":   op(true, compute.RegisterImage, imageIDXML, "name"),
	"CreateImage":     op(true, compute.CreateImage, imageIDXML, "instance_id", "name"),
	"DescribeImages":  op(false, compute.DescribeImages, describeImagesXML),
	"DeregisterImage": op(true, compute.DeregisterImage, done, "image_id"),
	"CopyImage":       op(true, compute.CopyImage, imageIDXML, "source_region", "source_image_id", "name"),
	// Launch permissions and description (xml_image_attrs.go).
	"ModifyImageAttribute":   op(true, compute.ModifyImageAttribute, done, "image_id"),
	"DescribeImageAttribute": op(false, compute.DescribeImageAttribute, imageAttributeXML, "attribute", "image_id"),
	"ResetImageAttribute":    op(true, compute.ResetImageAttribute, done, "attribute", "image_id"),

	// VPCs and subnets (xml_network.go).
	"CreateVpc":       op(true, compute.CreateVpc, vpcBodyXML),
	"DescribeVpcs":    op(false, compute.DescribeVpcs, describeVpcsXML),
	"DeleteVpc":       op(true, compute.DeleteVpc, done, "vpc_id"),
	"CreateSubnet":    op(true, compute.CreateSubnet, subnetBodyXML, "vpc_id"),
	"DescribeSubnets": op(false, compute.DescribeSubnets, describeSubnetsXML),
	"DeleteSubnet":    op(true, compute.DeleteSubnet, done, "subnet_id"),
	// Default VPC and subnets (made again after their deletion).
	"CreateDefaultVpc":    op(true, compute.CreateDefaultVpc, vpcBodyXML),
	"CreateDefaultSubnet": op(true, compute.CreateDefaultSubnet, subnetBodyXML),
	// VPC and subnet attributes, secondary blocks (xml_vpc_attrs.go).
	"DescribeVpcAttribute":             custom(false, describeVpcAttribute, "vpc_id", "attribute"),
	"ModifyVpcAttribute":               op(true, compute.ModifyVpcAttribute, done, "vpc_id"),
	"AssociateVpcCidrBlock":            op(true, compute.AssociateVpcCidrBlock, cidrBlockAssociationXML, "vpc_id"),
	"DisassociateVpcCidrBlock":         op(true, compute.DisassociateVpcCidrBlock, cidrBlockAssociationXML, "association_id"),
	"DescribeVpcClassicLink":           op(false, compute.DescribeVpcClassicLink, describeVpcClassicLinkXML),
	"DescribeVpcClassicLinkDnsSupport": op(false, compute.DescribeVpcClassicLinkDnsSupport, describeClassicLinkDNSXML),
	"ModifySubnetAttribute":            op(true, compute.ModifySubnetAttribute, done, "subnet_id"),

	// Security groups (xml_secgroups.go).
	"CreateSecurityGroup":    op(true, compute.CreateSecurityGroup, createSecurityGroupXML, "group_name", "description"),
	"DeleteSecurityGroup":    custom(true, deleteSecurityGroup),
	"DescribeSecurityGroups": op(false, compute.DescribeSecurityGroups, describeSecurityGroupsXML),

	// Launch templates (xml_launchtemplates.go).
	"CreateLaunchTemplate": op(true, compute.CreateLaunchTemplate, createLaunchTemplateXML,
		"launch_template_name", "launch_template_data"),
	"CreateLaunchTemplateVersion": op(true, compute.CreateLaunchTemplateVersion, createLaunchTemplateVersionXML,
		"launch_template_data"),
	"DescribeLaunchTemplates":        op(false, compute.DescribeLaunchTemplates, describeLaunchTemplatesXML),
	"DescribeLaunchTemplateVersions": op(false, compute.DescribeLaunchTemplateVersions, describeLaunchTemplateVersionsXML),
	"ModifyLaunchTemplate":           op(true, compute.ModifyLaunchTemplate, modifyLaunchTemplateXML),
	"DeleteLaunchTemplate":           op(true, compute.DeleteLaunchTemplate, deleteLaunchTemplateXML),
	"DeleteLaunchTemplateVersions":   op(true, compute.DeleteLaunchTemplateVersions, deleteLaunchTemplateVersionsXML, "versions"),
	"GetLaunchTemplateData":          op(false, compute.GetLaunchTemplateData, getLaunchTemplateDataXML, "instance_id"),

	// Security group rules (xml_secgroup_rules.go).
	"AuthorizeSecurityGroupIngress":              op(true, compute.AuthorizeSecurityGroupIngress, authorizeRulesXML),
	"AuthorizeSecurityGroupEgress":               op(true, compute.AuthorizeSecurityGroupEgress, authorizeRulesXML, "group_id"),
	"RevokeSecurityGroupIngress":                 op(true, compute.RevokeSecurityGroupIngress, revokeRulesXML),
	"RevokeSecurityGroupEgress":                  op(true, compute.RevokeSecurityGroupEgress, revokeRulesXML, "group_id"),
	"DescribeSecurityGroupRules":                 op(false, compute.DescribeSecurityGroupRules, describeSecurityGroupRulesXML),
	"ModifySecurityGroupRules":                   op(true, compute.ModifySecurityGroupRules, done, "group_id", "security_group_rules"),
	"UpdateSecurityGroupRuleDescriptionsIngress": op(true, compute.UpdateSecurityGroupRuleDescriptionsIngress, done),
	"UpdateSecurityGroupRuleDescriptionsEgress":  op(true, compute.UpdateSecurityGroupRuleDescriptionsEgress, done),

	// Network interfaces, route tables and network ACLs (xml_netread.go).
	"DescribeNetworkInterfaces": op(false, compute.DescribeNetworkInterfaces, describeNetworkInterfacesXML),
	"DescribeRouteTables":       op(false, compute.DescribeRouteTables, describeRouteTablesXML),
	"DescribeNetworkAcls":       op(false, compute.DescribeNetworkAcls, describeNetworkAclsXML),

	// Elastic IP addresses (xml_addresses.go).
	"AllocateAddress":     op(true, compute.AllocateAddress, allocateAddressXML),
	"AssociateAddress":    op(true, compute.AssociateAddress, associateAddressXML),
	"DisassociateAddress": op(true, compute.DisassociateAddress, done),
	"ReleaseAddress":      op(true, compute.ReleaseAddress, done),
	"DescribeAddresses":   op(false, compute.DescribeAddresses, describeAddressesXML),
	// Internet gateways and route table writes (xml_igws.go).
	"CreateInternetGateway":    op(true, compute.CreateInternetGateway, createInternetGatewayXML),
	"AttachInternetGateway":    op(true, compute.AttachInternetGateway, done, "internet_gateway_id", "vpc_id"),
	"DetachInternetGateway":    op(true, compute.DetachInternetGateway, done, "internet_gateway_id", "vpc_id"),
	"DeleteInternetGateway":    op(true, compute.DeleteInternetGateway, done, "internet_gateway_id"),
	"DescribeInternetGateways": op(false, compute.DescribeInternetGateways, describeInternetGatewaysXML),
	"CreateNatGateway":         op(true, compute.CreateNatGateway, createNatGatewayXML),
	"DescribeNatGateways":      op(false, compute.DescribeNatGateways, describeNatGatewaysXML),
	"DeleteNatGateway":         op(true, compute.DeleteNatGateway, deleteNatGatewayXML, "nat_gateway_id"),
	"CreateRouteTable":         op(true, compute.CreateRouteTable, createRouteTableXML, "vpc_id"),
	"DeleteRouteTable":         op(true, compute.DeleteRouteTable, done, "route_table_id"),
	"CreateRoute":              op(true, compute.CreateRoute, done, "route_table_id"),
	"ReplaceRoute":             op(true, compute.ReplaceRoute, done, "route_table_id"),
	"DeleteRoute":              op(true, compute.DeleteRoute, done, "route_table_id"),
	"AssociateRouteTable":      op(true, compute.AssociateRouteTable, associateRouteTableXML, "route_table_id"),
	"DisassociateRouteTable":   op(true, compute.DisassociateRouteTable, done, "association_id"),
	"ReplaceRouteTableAssociation": op(true, compute.ReplaceRouteTableAssociation, replaceRouteTableAssociationXML,
		"association_id", "route_table_id"),
	// Network ACLs: creation, entries and associations (xml_networkacls.go).
	"CreateNetworkAcl": op(true, compute.CreateNetworkAcl, createNetworkACLXML, "vpc_id"),
	"DeleteNetworkAcl": op(true, compute.DeleteNetworkAcl, done, "network_acl_id"),
	"CreateNetworkAclEntry": op(true, compute.CreateNetworkAclEntry, done,
		"network_acl_id", "rule_number", "protocol", "rule_action", "egress"),
	"ReplaceNetworkAclEntry": op(true, compute.ReplaceNetworkAclEntry, done,
		"network_acl_id", "rule_number", "protocol", "rule_action", "egress"),
	"DeleteNetworkAclEntry": op(true, compute.DeleteNetworkAclEntry, done, "network_acl_id", "rule_number", "egress"),
	"ReplaceNetworkAclAssociation": op(true, compute.ReplaceNetworkAclAssociation, replaceNetworkACLAssociationXML,
		"association_id", "network_acl_id"),

	// Account settings and ID formats (xml_account_settings.go).
	"GetSerialConsoleAccessStatus":     op(false, compute.GetSerialConsoleAccessStatus, serialConsoleXML),
	"EnableSerialConsoleAccess":        op(true, compute.EnableSerialConsoleAccess, serialConsoleXML),
	"DisableSerialConsoleAccess":       op(true, compute.DisableSerialConsoleAccess, serialConsoleXML),
	"GetInstanceMetadataDefaults":      op(false, compute.GetInstanceMetadataDefaults, metadataDefaultsXMLBody),
	"ModifyInstanceMetadataDefaults":   op(true, compute.ModifyInstanceMetadataDefaults, modifyMetadataDefaultsXML),
	"GetDefaultCreditSpecification":    op(false, compute.GetDefaultCreditSpecification, defaultCreditSpecXML, "instance_family"),
	"ModifyDefaultCreditSpecification": op(true, compute.ModifyDefaultCreditSpecification, defaultCreditSpecXML, "instance_family", "cpu_credits"),
	"DescribeIdFormat":                 op(false, compute.DescribeIdFormat, idFormatsXML),
	"DescribeIdentityIdFormat":         op(false, compute.DescribeIdentityIdFormat, idFormatsXML, "principal_arn"),
	"DescribeAggregateIdFormat":        op(false, compute.DescribeAggregateIdFormat, aggregateIDFormatXML),

	// DHCP option sets (xml_dhcp_options.go).
	"CreateDhcpOptions":    op(true, compute.CreateDhcpOptions, createDhcpOptionsXML, "dhcp_configurations"),
	"DeleteDhcpOptions":    op(true, compute.DeleteDhcpOptions, done, "dhcp_options_id"),
	"DescribeDhcpOptions":  op(false, compute.DescribeDhcpOptions, describeDhcpOptionsXML),
	"AssociateDhcpOptions": op(true, compute.AssociateDhcpOptions, done, "dhcp_options_id", "vpc_id"),
	// Image lifecycle and instance image metadata (xml_image_lifecycle.go).
	"EnableImageDeregistrationProtection": op(true, compute.EnableImageDeregistrationProtection, protectionXML, "image_id"),
	"DisableImageDeregistrationProtection": op(true, compute.DisableImageDeregistrationProtection, protectionXML,
		"image_id"),
	"EnableImageDeprecation":      op(true, compute.EnableImageDeprecation, done, "image_id", "deprecate_at"),
	"DisableImageDeprecation":     op(true, compute.DisableImageDeprecation, done, "image_id"),
	"CancelImageLaunchPermission": op(true, compute.CancelImageLaunchPermission, done, "image_id"),
	"DescribeInstanceImageMetadata": op(false, compute.DescribeInstanceImageMetadata,
		describeInstanceImageMetadataXML),
	// Network interface attributes (xml_eni_attrs.go).
	"DescribeNetworkInterfaceAttribute": op(false, compute.DescribeNetworkInterfaceAttribute,
		networkInterfaceAttributeXML, "network_interface_id"),
	"ModifyNetworkInterfaceAttribute": op(true, compute.ModifyNetworkInterfaceAttribute, done, "network_interface_id"),
	"ResetNetworkInterfaceAttribute":  op(true, compute.ResetNetworkInterfaceAttribute, done, "network_interface_id"),
	// Security groups by VPC (xml_secgroups_vpc.go).
	"DescribeSecurityGroupReferences": op(false, compute.DescribeSecurityGroupReferences, securityGroupReferencesXML,
		"group_ids"),
	"DescribeStaleSecurityGroups": op(false, compute.DescribeStaleSecurityGroups, staleSecurityGroupsXML, "vpc_id"),
	"GetSecurityGroupsForVpc":     op(false, compute.GetSecurityGroupsForVpc, securityGroupsForVpcXML, "vpc_id"),
}

// deleteKeyPair echoes the key pair ID EC2 returns alongside <return>.
func deleteKeyPair(ctx context.Context, s compute, r *ec2labv1.DeleteKeyPairRequest) (body, error) {
	if _, err := s.DeleteKeyPair(ctx, r); err != nil {
		return nil, err
	}
	return &deleteKeyPairBody{Return: true, KeyPairID: r.GetKeyPairId()}, nil
}

type accountAttributeValueXML struct {
	Value string `xml:"attributeValue"`
}

type accountAttributeXML struct {
	Name   string                     `xml:"attributeName"`
	Values []accountAttributeValueXML `xml:"attributeValueSet>item"`
}

type accountAttributesBody struct {
	meta
	Set struct {
		Items []accountAttributeXML `xml:"item"`
	} `xml:"accountAttributeSet"`
}

// describeAccountAttributes encodes what Compute answers of the account
// (platforms, default VPC, the instance quota).
func describeAccountAttributes(ctx context.Context, s compute, r *ec2labv1.DescribeAccountAttributesRequest) (body, error) {
	out, err := s.DescribeAccountAttributes(ctx, r)
	if err != nil {
		return nil, err
	}
	b := &accountAttributesBody{}
	for _, a := range out.GetAccountAttributes() {
		x := accountAttributeXML{Name: a.GetAttributeName()}
		for _, v := range a.GetAttributeValues() {
			x.Values = append(x.Values, accountAttributeValueXML{v})
		}
		b.Set.Items = append(b.Set.Items, x)
	}
	return b, nil
}

// Actions are the names of the EC2 actions the Query API serves, sorted.
func Actions() []string {
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
