package controller

// LaunchTemplateData is what one launch template version holds: EC2's
// RequestLaunchTemplateData limited to what ec2lab can launch with. Every
// member is optional (zero or nil: not given) and is kept as given, so
// that a version reads back exactly as it was written.
type LaunchTemplateData struct {
	ImageID      string `json:"image_id,omitempty"`
	InstanceType string `json:"instance_type,omitempty"`
	KeyName      string `json:"key_name,omitempty"`
	// UserData is base64, as EC2 keeps it in a template; RunInstances
	// decodes it.
	UserData         string   `json:"user_data,omitempty"`
	SecurityGroupIDs []string `json:"security_group_ids,omitempty"`
	// SecurityGroups are group names of the default VPC.
	SecurityGroups    []string                 `json:"security_groups,omitempty"`
	NetworkInterfaces []TemplateInterface      `json:"network_interfaces,omitempty"`
	BlockDevices      []TemplateDevice         `json:"block_devices,omitempty"`
	Placement         *TemplatePlacement       `json:"placement,omitempty"`
	TagSpecs          []TemplateTagSpec        `json:"tag_specs,omitempty"`
	MetadataOptions   *TemplateMetadataOptions `json:"metadata_options,omitempty"`
	// CPUCredits is CreditSpecification.CpuCredits.
	CPUCredits            string `json:"cpu_credits,omitempty"`
	DisableAPITermination *bool  `json:"disable_api_termination,omitempty"`
	DisableAPIStop        *bool  `json:"disable_api_stop,omitempty"`
	// ShutdownBehavior is InstanceInitiatedShutdownBehavior.
	ShutdownBehavior string `json:"shutdown_behavior,omitempty"`
	// IAMInstanceProfile is refused (ec2lab has no IAM roles); it is here
	// so that both edges refuse it alike.
	IAMInstanceProfile *InstanceProfileRef `json:"iam_instance_profile,omitempty"`
	EBSOptimized       *bool               `json:"ebs_optimized,omitempty"`
	// Monitoring is Monitoring.Enabled (nil: no Monitoring given).
	Monitoring *bool `json:"monitoring,omitempty"`
}

// TemplateInterface is a network interface of a template
// (LaunchTemplateInstanceNetworkInterfaceSpecification).
type TemplateInterface struct {
	DeviceIndex         *int32   `json:"device_index,omitempty"`
	SubnetID            string   `json:"subnet_id,omitempty"`
	Groups              []string `json:"groups,omitempty"`
	PrivateIP           string   `json:"private_ip,omitempty"`
	AssociatePublicIP   *bool    `json:"associate_public_ip,omitempty"`
	DeleteOnTermination *bool    `json:"delete_on_termination,omitempty"`
	Description         string   `json:"description,omitempty"`
	NetworkCardIndex    *int32   `json:"network_card_index,omitempty"`
}

// TemplateDevice is a block device mapping of a template.
type TemplateDevice struct {
	DeviceName string `json:"device_name,omitempty"`
	// NoDevice is EC2's NoDevice string (usually ""); nil when not given.
	NoDevice *string      `json:"no_device,omitempty"`
	EBS      *TemplateEBS `json:"ebs,omitempty"`
}

// TemplateEBS is LaunchTemplateEbsBlockDevice.
type TemplateEBS struct {
	Encrypted           *bool  `json:"encrypted,omitempty"`
	DeleteOnTermination *bool  `json:"delete_on_termination,omitempty"`
	IOPS                int32  `json:"iops,omitempty"`
	SnapshotID          string `json:"snapshot_id,omitempty"`
	SizeGiB             int32  `json:"size_gib,omitempty"`
	VolumeType          string `json:"volume_type,omitempty"`
	Throughput          int32  `json:"throughput,omitempty"`
}

// TemplatePlacement is LaunchTemplatePlacement.
type TemplatePlacement struct {
	AZ              string `json:"az,omitempty"`
	GroupName       string `json:"group_name,omitempty"`
	PartitionNumber int32  `json:"partition_number,omitempty"`
	Tenancy         string `json:"tenancy,omitempty"`
}

// TemplateTagSpec is one TagSpecification of a template.
type TemplateTagSpec struct {
	ResourceType string `json:"resource_type"`
	Tags         []Tag  `json:"tags,omitempty"`
}

// TemplateMetadataOptions is LaunchTemplateInstanceMetadataOptions.
type TemplateMetadataOptions struct {
	HTTPTokens           string `json:"http_tokens,omitempty"`
	HopLimit             *int32 `json:"hop_limit,omitempty"`
	HTTPEndpoint         string `json:"http_endpoint,omitempty"`
	HTTPProtocolIPv6     string `json:"http_protocol_ipv6,omitempty"`
	InstanceMetadataTags string `json:"instance_metadata_tags,omitempty"`
}

// InstanceProfileRef names an IAM instance profile by ARN or name.
type InstanceProfileRef struct {
	ARN  string `json:"arn,omitempty"`
	Name string `json:"name,omitempty"`
}

// overlay returns base with every member d gives replaced by d's
// (CreateLaunchTemplateVersion from a SourceVersion: EC2 replaces whole
// top-level parameters).
func (d LaunchTemplateData) overlay(base LaunchTemplateData) LaunchTemplateData {
	out := base
	setStr := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setStr(&out.ImageID, d.ImageID)
	setStr(&out.InstanceType, d.InstanceType)
	setStr(&out.KeyName, d.KeyName)
	setStr(&out.UserData, d.UserData)
	setStr(&out.CPUCredits, d.CPUCredits)
	setStr(&out.ShutdownBehavior, d.ShutdownBehavior)
	if d.SecurityGroupIDs != nil {
		out.SecurityGroupIDs = d.SecurityGroupIDs
	}
	if d.SecurityGroups != nil {
		out.SecurityGroups = d.SecurityGroups
	}
	if d.NetworkInterfaces != nil {
		out.NetworkInterfaces = d.NetworkInterfaces
	}
	if d.BlockDevices != nil {
		out.BlockDevices = d.BlockDevices
	}
	if d.TagSpecs != nil {
		out.TagSpecs = d.TagSpecs
	}
	out.Placement = orPtr(d.Placement, base.Placement)
	out.MetadataOptions = orPtr(d.MetadataOptions, base.MetadataOptions)
	out.DisableAPITermination = orPtr(d.DisableAPITermination, base.DisableAPITermination)
	out.DisableAPIStop = orPtr(d.DisableAPIStop, base.DisableAPIStop)
	out.IAMInstanceProfile = orPtr(d.IAMInstanceProfile, base.IAMInstanceProfile)
	out.EBSOptimized = orPtr(d.EBSOptimized, base.EBSOptimized)
	out.Monitoring = orPtr(d.Monitoring, base.Monitoring)
	return out
}

// orPtr is p, or def when p is nil.
func orPtr[T any](p, def *T) *T {
	if p != nil {
		return p
	}
	return def
}
