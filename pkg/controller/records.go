package controller

import "time"

// Store key prefixes.
const (
	prefixInstance  = "/instances/"
	prefixVolume    = "/volumes/"
	prefixSnapshot  = "/snapshots/"
	prefixImage     = "/images/"
	prefixKeyPair   = "/keypairs/"
	prefixHost      = "/hosts/"
	prefixToken     = "/tokens/"
	prefixAccessKey = "/accesskeys/"
)

// Tag is a key/value label.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Instance states, as EC2 names and numbers them.
const (
	StatePending      = "pending"
	StateRunning      = "running"
	StateShuttingDown = "shutting-down"
	StateTerminated   = "terminated"
	StateStopping     = "stopping"
	StateStopped      = "stopped"
)

// StateCode is EC2's numeric code of an instance state.
func StateCode(state string) int32 {
	switch state {
	case StatePending:
		return 0
	case StateRunning:
		return 16
	case StateShuttingDown:
		return 32
	case StateTerminated:
		return 48
	case StateStopping:
		return 64
	case StateStopped:
		return 80
	}
	return -1
}

// BlockDevice is one EBS volume attached to an instance.
type BlockDevice struct {
	DeviceName          string    `json:"device_name"`
	VolumeID            string    `json:"volume_id"`
	Target              string    `json:"target"` // vda, vdb, ...
	DeleteOnTermination bool      `json:"delete_on_termination"`
	AttachTime          time.Time `json:"attach_time"`
	Status              string    `json:"status"`
}

// Instance is the record of one instance: desired and observed state.
type Instance struct {
	ID                    string        `json:"id"`
	Owner                 string        `json:"owner"`
	ReservationID         string        `json:"reservation_id"`
	LaunchIndex           int           `json:"launch_index"`
	ImageID               string        `json:"image_id"`
	Type                  string        `json:"type"`
	State                 string        `json:"state"`
	StateReasonCode       string        `json:"state_reason_code,omitempty"`
	StateReasonMessage    string        `json:"state_reason_message,omitempty"`
	TransitionReason      string        `json:"transition_reason,omitempty"`
	AZ                    string        `json:"az"`
	HostID                string        `json:"host_id"`
	DomainType            string        `json:"domain_type,omitempty"`
	LaunchTime            time.Time     `json:"launch_time"`
	StateChangedAt        time.Time     `json:"state_changed_at"`
	KeyName               string        `json:"key_name,omitempty"`
	UserData              []byte        `json:"user_data,omitempty"`
	Tags                  []Tag         `json:"tags,omitempty"`
	ClientToken           string        `json:"client_token,omitempty"`
	BlockDevices          []BlockDevice `json:"block_devices"`
	RootDeviceName        string        `json:"root_device_name"`
	Architecture          string        `json:"architecture"`
	DisableAPITermination bool          `json:"disable_api_termination,omitempty"`
	DisableAPIStop        bool          `json:"disable_api_stop,omitempty"`
	// SourceDestCheckOff: EC2's source/destination check is off (a NAT or
	// router instance): its interface may send from any address.
	SourceDestCheckOff bool `json:"source_dest_check_off,omitempty"`
	// ShutdownBehavior is EC2's InstanceInitiatedShutdownBehavior: what a
	// guest powering itself off leads to, stop ("" reads as stop) or
	// terminate (instance_attrs.go).
	ShutdownBehavior string `json:"shutdown_behavior,omitempty"`
	// Redefine asks the next launch to define the instance's domain anew:
	// an attribute the domain is built from (type, user data) changed
	// while it was stopped (instance_modify.go).
	Redefine bool `json:"redefine,omitempty"`
	// GuestSeenAt is when the host first reported the guest reaching the
	// network (its metadata service) since the instance last started;
	// zero until then (instance_status.go).
	GuestSeenAt time.Time `json:"guest_seen_at,omitzero"`
	// Impaired is set while the instance's host misses heartbeats.
	Impaired bool `json:"impaired,omitempty"`
	// Op names an operation in flight (reboot) during which observed
	// power-offs are expected.
	Op string `json:"op,omitempty"`
	// Attempts counts failed reconcile attempts (for backoff).
	Attempts    int       `json:"attempts,omitempty"`
	NextAttempt time.Time `json:"next_attempt,omitempty"`
	// Primary network interface (pkg/controller/ipam.go).
	VpcID          string `json:"vpc_id,omitempty"`
	SubnetID       string `json:"subnet_id,omitempty"`
	PrivateIP      string `json:"private_ip,omitempty"`
	PrivateDNSName string `json:"private_dns_name,omitempty"`
	MAC            string `json:"mac,omitempty"`
	// SecurityGroups are the interface's group IDs (secgroups.go).
	SecurityGroups []GroupRef `json:"security_groups,omitempty"`
	// ENIDescription and ENITags are the primary interface's description
	// and tags (enis.go).
	ENIDescription string `json:"eni_description,omitempty"`
	ENITags        []Tag  `json:"eni_tags,omitempty"`
	// Addresses are the Elastic IPs associated with its interfaces,
	// derived on read (addresses_describe.go), never stored.
	Addresses []ENIAssociation `json:"-"`
	// PublicIPOnLaunch: the primary interface gets a public IPv4 address
	// of the region's pool while the instance is pending or running and
	// its primary address has no Elastic IP (AssociatePublicIpAddress, or
	// the subnet's MapPublicIpOnLaunch, at launch; publicips.go).
	PublicIPOnLaunch bool `json:"public_ip_on_launch,omitempty"`
	// AssignedPublicIP is the auto-assigned address it holds now ("" for
	// none), claimed under /addressclaims/ in the same transaction.
	AssignedPublicIP string `json:"assigned_public_ip,omitempty"`
	// PlacementGroup is the name of the owner's placement group the
	// instance launched into, Partition its partition (placementgroups.go).
	PlacementGroup string `json:"placement_group,omitempty"`
	Partition      int    `json:"partition,omitempty"`
	// Metadata are the instance metadata service options
	// (metadata_options.go); zero reads as EC2's defaults.
	Metadata MetadataOptions `json:"metadata_options,omitzero"`
	// CPUCredits is a burstable instance's credit mode: unlimited or
	// standard (only standard caps its vCPUs at the baseline).
	CPUCredits string `json:"cpu_credits,omitempty"`
	// BootMode is the image's boot mode at launch (bios, uefi or
	// direct-kernel; images.go), empty in records older than it.
	BootMode string `json:"boot_mode,omitempty"`
	// Cores is the guest's core count (one socket of single-threaded
	// cores: hypervisor.BuildDomainXML), derived from the type when the
	// instance is described (instance_view.go), never stored.
	Cores int `json:"-"`
}

// Attachment of a volume to an instance.
type Attachment struct {
	InstanceID          string    `json:"instance_id"`
	Device              string    `json:"device"`
	Target              string    `json:"target"`
	State               string    `json:"state"`
	AttachTime          time.Time `json:"attach_time"`
	DeleteOnTermination bool      `json:"delete_on_termination"`
}

// Volume is an EBS-style volume: a chain of qcow2 layers in its AZ's pool,
// whose writable head is Head.
type Volume struct {
	ID          string      `json:"id"`
	Owner       string      `json:"owner"`
	AZ          string      `json:"az"`
	SizeGiB     int32       `json:"size_gib"`
	Type        string      `json:"type"`
	IOPS        int32       `json:"iops"`
	Throughput  int32       `json:"throughput"`
	Encrypted   bool        `json:"encrypted"`
	KeyCipher   []byte      `json:"key_cipher,omitempty"` // volume key sealed with the region key
	State       string      `json:"state"`
	SnapshotID  string      `json:"snapshot_id,omitempty"`
	Head        string      `json:"head"`
	Generation  int         `json:"generation"`
	Attachment  *Attachment `json:"attachment,omitempty"`
	Tags        []Tag       `json:"tags,omitempty"`
	CreateTime  time.Time   `json:"create_time"`
	ClientToken string      `json:"client_token,omitempty"`
	// Instance links a root volume made at launch to its instance.
	Instance string `json:"instance,omitempty"`
	// Attempts and NextAttempt pace retries of a failed create; Failure is
	// why the last one failed (a volume in state error keeps it).
	Attempts    int       `json:"attempts,omitempty"`
	NextAttempt time.Time `json:"next_attempt,omitempty"`
	Failure     string    `json:"failure,omitempty"`
	// Modification is the latest ModifyVolume (volume_modifications.go).
	Modification *Modification `json:"modification,omitempty"`
	// AutoEnableIO is EC2's autoEnableIO attribute (volume_attribute.go).
	AutoEnableIO bool `json:"auto_enable_io,omitempty"`
}

// Snapshot is an immutable qcow2 layer (plus the chain below it).
type Snapshot struct {
	ID          string    `json:"id"`
	Owner       string    `json:"owner"`
	VolumeID    string    `json:"volume_id"`
	AZ          string    `json:"az"`
	Layer       string    `json:"layer"`
	State       string    `json:"state"`
	Progress    string    `json:"progress"`
	SizeGiB     int32     `json:"size_gib"`
	StoredBytes int64     `json:"stored_bytes"`
	Encrypted   bool      `json:"encrypted"`
	KeyCipher   []byte    `json:"key_cipher,omitempty"` // the volume's key, sealed; volumes made from it inherit it
	Description string    `json:"description,omitempty"`
	StartTime   time.Time `json:"start_time"`
	// CompletionTime is when the snapshot became completed (EC2's
	// completionTime); zero while pending, after an error, and in records
	// written before ec2lab kept it.
	CompletionTime time.Time `json:"completion_time,omitzero"`
	Tags           []Tag     `json:"tags,omitempty"`
	Message        string    `json:"message,omitempty"`
	// SourceRegion and SourceSnapshotID name the snapshot a pending
	// cross-region copy pulls (copy_snapshot.go); CopiedBytes is what it moved.
	SourceRegion     string `json:"source_region,omitempty"`
	SourceSnapshotID string `json:"source_snapshot_id,omitempty"`
	CopiedBytes      int64  `json:"copied_bytes,omitempty"`
	// Public and VolumeAccounts are its createVolumePermission: everyone,
	// or these accounts (sorted), may create volumes from it
	// (snapshots_share.go).
	Public         bool     `json:"public,omitempty"`
	VolumeAccounts []string `json:"volume_accounts,omitempty"`
}

// ImageDevice is one block device mapping of an image.
type ImageDevice struct {
	DeviceName          string `json:"device_name"`
	SnapshotID          string `json:"snapshot_id"`
	SizeGiB             int32  `json:"size_gib"`
	VolumeType          string `json:"volume_type"`
	DeleteOnTermination bool   `json:"delete_on_termination"`
}

// Image is an AMI: a manifest naming snapshots.
type Image struct {
	ID             string        `json:"id"`
	Owner          string        `json:"owner"`
	Name           string        `json:"name"`
	Description    string        `json:"description,omitempty"`
	State          string        `json:"state"`
	StateReason    string        `json:"state_reason,omitempty"`
	Architecture   string        `json:"architecture"`
	BootMode       string        `json:"boot_mode"`
	Kernel         string        `json:"kernel,omitempty"` // file in the AZ pool
	Initrd         string        `json:"initrd,omitempty"`
	Cmdline        string        `json:"cmdline,omitempty"`
	RootDeviceName string        `json:"root_device_name"`
	Devices        []ImageDevice `json:"devices"`
	Public         bool          `json:"public"`
	LaunchAccounts []string      `json:"launch_accounts,omitempty"`
	CreationDate   time.Time     `json:"creation_date"`
	Tags           []Tag         `json:"tags,omitempty"`
	Location       string        `json:"location,omitempty"`
	AZ             string        `json:"az"` // the pool the layers live in
	// SourceRegion and SourceImageID name the image a CopyImage pulls (copy_image.go).
	SourceRegion  string `json:"source_region,omitempty"`
	SourceImageID string `json:"source_image_id,omitempty"`
	// SourceInstanceID is the instance a CreateImage made the image from
	// (EC2's sourceInstanceId; empty for registered and copied images).
	SourceInstanceID string `json:"source_instance_id,omitempty"`
	// LastLaunchedTime is when RunInstances last launched an instance from
	// the image, by any account (EC2's lastLaunchedTime; zero: never).
	LastLaunchedTime time.Time `json:"last_launched_time,omitzero"`
	// Protection is EnableImageDeregistrationProtection's setting
	// (ProtectionWithCooldown, ProtectionWithoutCooldown or "" when off);
	// ProtectedUntil ends the cooldown a disabled protection keeps
	// (images_protection.go).
	Protection     string    `json:"protection,omitempty"`
	ProtectedUntil time.Time `json:"protected_until,omitzero"`
	// DeprecationTime is when the image is deprecated (zero: never;
	// images_deprecation.go).
	DeprecationTime time.Time `json:"deprecation_time,omitzero"`
	// DeregistrationProtection is computed on read: EC2's
	// deregistrationProtection at the time of the read.
	DeregistrationProtection string `json:"-"`
}

// KeyPair is an SSH key pair (the private key is never stored).
type KeyPair struct {
	ID          string    `json:"id"`
	Owner       string    `json:"owner"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Fingerprint string    `json:"fingerprint"`
	PublicKey   string    `json:"public_key"`
	CreateTime  time.Time `json:"create_time"`
	Tags        []Tag     `json:"tags,omitempty"`
}

// HostRecord is a registered hypervisor host.
type HostRecord struct {
	ID            string    `json:"id"`
	AZ            string    `json:"az"`
	Address       string    `json:"address"`
	DomainType    string    `json:"domain_type"`
	VCPUs         int       `json:"vcpus"`
	MemoryMiB     int64     `json:"memory_mib"`
	HugepagesFree int64     `json:"hugepages_free"`
	GPUs          int       `json:"gpus"`
	FreeGPUs      int       `json:"free_gpus"`
	FreeLocalGB   int64     `json:"free_local_gb"`
	PinnedCPUs    int       `json:"pinned_cpus"`
	AgentVersion  string    `json:"agent_version"`
	LastHeartbeat time.Time `json:"last_heartbeat"`
	Healthy       bool      `json:"healthy"`
	LastPlaced    int64     `json:"last_placed"`
	VTEP          string    `json:"vtep,omitempty"` // VXLAN endpoint, empty if none
	// HugepagesTotal and LocalGB are the host's capacities (its hugepages,
	// its local pools' size), which DescribeInstanceTypeOfferings reads.
	HugepagesTotal int64 `json:"hugepages_total,omitempty"`
	LocalGB        int64 `json:"local_gb,omitempty"`
}

// idempotencyRecord remembers a ClientToken's request and result.
type idempotencyRecord struct {
	Op         string   `json:"op"`
	ParamsHash string   `json:"params_hash"`
	ResultIDs  []string `json:"result_ids"`
}
