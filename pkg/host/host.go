// Package host is a hypervisor host as the controller sees it: the Host
// interface the controller drives, and the plain Go types it speaks, free
// of any transport. pkg/host/hostgrpc adapts an ec2-agent's gRPC client
// (remote, or embedded in ec2d) to it; tests may implement it directly.
package host

import (
	"context"
	"time"
)

// Host is one hypervisor host's agent. Errors the agent answers are
// *ec2err.Error; a host that cannot be reached answers an error wrapping
// ec2err.ErrUnreachable, an operation it lacks ec2err.ErrUnsupported.
type Host interface {
	// CreateInstance defines (and with Start, starts) the instance's
	// domain; it is idempotent on the instance ID.
	CreateInstance(ctx context.Context, spec InstanceSpec) (InstanceStatus, error)
	StartInstance(ctx context.Context, instanceID string) (InstanceStatus, error)
	StopInstance(ctx context.Context, req StopRequest) (InstanceStatus, error)
	RebootInstance(ctx context.Context, instanceID string) error
	// DestroyInstance removes the domain and its host-local files; an
	// unknown instance is no error.
	DestroyInstance(ctx context.Context, instanceID string) error
	ListInstances(ctx context.Context) ([]InstanceStatus, error)
	ConsoleOutput(ctx context.Context, instanceID string) (ConsoleOutput, error)
	// OpenConsole attaches to the instance's serial console.
	OpenConsole(ctx context.Context, instanceID string) (Console, error)
	// WatchEvents streams the host's instance lifecycle events until ctx
	// ends or the host goes away.
	WatchEvents(ctx context.Context) (Events, error)

	CreateVolume(ctx context.Context, req VolumeCreate) (VolumeInfo, error)
	InspectVolume(ctx context.Context, name string) (VolumeInfo, error)
	DeleteVolume(ctx context.Context, name string) error
	ResizeVolume(ctx context.Context, req VolumeResize) (VolumeInfo, error)
	SnapshotVolume(ctx context.Context, req VolumeSnapshot) (SnapshotResult, error)
	// StreamVolume merges the layers between the head of an open disk and
	// newBacking ("" flattens) into the head, live.
	StreamVolume(ctx context.Context, instanceID, head, newBacking string) (VolumeInfo, error)
	AttachVolume(ctx context.Context, instanceID string, disk Disk) error
	DetachVolume(ctx context.Context, req VolumeDetach) error
	SetIOTune(ctx context.Context, instanceID, target string, tune IOTune) error

	// SyncNetwork makes the host's data plane hold exactly these subnets.
	SyncNetwork(ctx context.Context, subnets []Subnet) error
	// SetFirewall makes the host's security group rules exactly fw.
	SetFirewall(ctx context.Context, fw Firewall) error
	SetMetadataOptions(ctx context.Context, opts MetadataOptions) error
	// SetCPUBaseline holds an instance's vCPUs to percent of a host CPU
	// (0: no cap): in its definition, and live when it runs.
	SetCPUBaseline(ctx context.Context, instanceID string, percent int32) error
	// UefiVars answers an instance's UEFI variable store.
	UefiVars(ctx context.Context, instanceID string) (UefiVars, error)
}

// UefiVars is an instance's UEFI variable store: UEFI is false for one
// that does not boot with UEFI; NVRAM is its firmware's NVRAM file (an
// EDK2 variable store), empty before its first boot.
type UefiVars struct {
	UEFI  bool
	NVRAM []byte
}

// InstanceSpec is everything a host needs to run an instance.
type InstanceSpec struct {
	InstanceID, OwnerID, InstanceType string
	VCPUs                             int32
	MemoryMiB                         int64
	// CPUBaselinePercent holds each vCPU to this share (standard T3); 0:
	// whole vCPUs.
	CPUBaselinePercent int32
	DedicatedCPUs      bool
	Hugepages          bool
	GPUs               int32
	// InstanceStore are the sizes of the host-local disks, in bytes.
	InstanceStore []int64
	// BootMode is direct-kernel, bios or uefi.
	BootMode                          string
	KernelPath, InitrdPath, Cmdline   string
	Disks                             []Disk // the first is the root disk
	UserData                          []byte
	Hostname                          string
	PublicKeys                        []string
	KeyName                           string
	Start                             bool
	ImageID, AvailabilityZone, Region string
	NICs                              []NIC
	Metadata                          MetadataOptions
	LaunchTime                        time.Time
}

// Disk is one volume as a domain sees it.
type Disk struct {
	VolumeID string
	Path     string // the volume's head file
	Target   string // vda, vdb, ...
	ReadOnly bool
	IOTune   IOTune
	// SecretUUID and EncryptionKey open a LUKS volume.
	SecretUUID    string
	EncryptionKey []byte
}

// IOTune limits a disk's I/O; zero values mean no limit.
type IOTune struct {
	TotalIOPSSec, TotalBytesSec int64
}

// NIC is one network interface of an instance.
type NIC struct {
	SubnetID, MAC, PrivateIP string
	DeviceIndex              int32
}

// MetadataOptions are EC2's instance metadata options for one instance.
type MetadataOptions struct {
	InstanceID               string // for SetMetadataOptions
	HTTPTokens, HTTPEndpoint string
	HopLimit                 int32
}

// StopRequest stops an instance: gracefully within Timeout, or forced.
type StopRequest struct {
	InstanceID string
	Force      bool
	Timeout    time.Duration
}

// InstanceStatus is what a host reports of one instance.
type InstanceStatus struct {
	InstanceID, DomainName string
	// State is running, stopped, paused, crashed or missing.
	State, Reason, DomainType string
	// GuestSeen: the guest reached the host's metadata service since its
	// domain last booted.
	GuestSeen bool
}

// Event is a lifecycle change of an instance on a host.
type Event struct {
	InstanceID, State, Reason string
}

// Events is a stream of lifecycle events.
type Events interface {
	Recv() (Event, error)
}

// ConsoleOutput is the tail of an instance's serial console log.
type ConsoleOutput struct {
	Output []byte
	At     time.Time // zero when the host did not say
}

// Console is a live serial console session.
type Console interface {
	Send(data []byte) error
	Recv() ([]byte, error)
	CloseSend() error
}

// VolumeCreate makes a volume file (idempotent on Name).
type VolumeCreate struct {
	Name          string
	SizeBytes     int64
	BackingLayer  string // a layer of the pool the new file overlays
	EncryptionKey []byte
}

// VolumeResize grows a volume, live when it is open on a running instance.
type VolumeResize struct {
	Name               string
	SizeBytes          int64
	InstanceID, Target string
	EncryptionKey      []byte
}

// VolumeSnapshot freezes a volume's head as a layer under a new head
// (live when InstanceID is set).
type VolumeSnapshot struct {
	Name, SnapshotID, InstanceID, Target string
	EncryptionKey                        []byte
}

// SnapshotResult is a completed snapshot: the frozen layer and the new head.
type SnapshotResult struct {
	Layer, Head string
	StoredBytes int64
}

// VolumeDetach unplugs a volume from an instance.
type VolumeDetach struct {
	InstanceID, VolumeID, Target string
	Force                        bool
}

// VolumeInfo describes a volume file and its chain (head first).
type VolumeInfo struct {
	Name, Path              string
	VirtualSize, ActualSize int64
	Chain                   []string
}

// Inventory is a host's capacity and identity as its agent reports it.
type Inventory struct {
	HostID, Region, AvailabilityZone string
	DomainType, DomainTypeReason     string
	VCPUs                            int32
	MemoryMiB                        int64
	HugepagesTotal, HugepagesFree    int64
	Pools                            []PoolInfo
	GPUs                             []GPU
	AgentVersion, LibvirtVersion     string
	PinnedCPUs                       []int32
	VTEP                             string
}

// PoolInfo is a storage pool of a host.
type PoolInfo struct {
	Path                  string
	Shared                bool
	FreeBytes, TotalBytes int64
}

// GPU is a passthrough device of a host.
type GPU struct {
	PCIAddress, Name, UsedBy string
}

// Subnet is one subnet's data plane on a host.
type Subnet struct {
	SubnetID, CIDR string
	VNI            uint32
	Peers          []string // the other hosts' VTEPs with NICs in the subnet
	NICs           []SubnetNIC
	// DNS is the subnet's VPC's DNS server (nil: none).
	DNS *SubnetDNS
	// ACL is the subnet's network ACL (nil: none, all allowed).
	ACL *SubnetACL
	// NATGateway is the public address of the NAT gateway this host runs
	// for the subnet's local NICs (the subnet routes 0.0.0.0/0 to it);
	// empty: none.
	NATGateway string
}

// SubnetACL is a subnet's network ACL, enforced on the flows routed into
// (Ingress) and out of (Egress) the subnet.
type SubnetACL struct {
	Ingress, Egress []ACLRule
}

// ACLRule is one network ACL entry: Protocol is the IP protocol number
// (-1 all), CIDR the peer range, ports for TCP/UDP, ICMP type and code
// (-1 any) for ICMP.
type ACLRule struct {
	Number             int
	Allow              bool
	Protocol           int
	CIDR               string
	PortFrom, PortTo   int
	ICMPType, ICMPCode int
}

// SubnetDNS is the Amazon-provided DNS server of a subnet's VPC, which the
// host serves on the subnet's bridge at 169.254.169.253 and at Server.
type SubnetDNS struct {
	// Support is the VPC's enableDnsSupport: the server answers and DHCP
	// names it as the guests' resolver.
	Support bool
	// Hostnames is the VPC's enableDnsHostnames: the server resolves the
	// instances' private DNS names (with Support).
	Hostnames bool
	Domain    string   // the private names' suffix: lab-1.compute.internal
	Server    string   // the VPC's base address + 2
	CIDRs     []string // the VPC's IPv4 blocks
	Hosts     []DNSHost
	// DHCP is the VPC's DHCP option set, its AmazonProvidedDNS resolved to
	// Server; nil: the built-in options (Domain, and Server with Support).
	DHCP *DHCPOptions
}

// DHCPOptions are what a VPC's DHCP servers hand out under its option set.
type DHCPOptions struct {
	DomainName                                    string
	DomainNameServers, NTPServers, NetBIOSServers []string
	NetBIOSNodeType                               int32
}

// DNSHost is an instance's private DNS name and address.
type DNSHost struct{ Name, IP string }

// SubnetNIC is an interface in a subnet: its DHCP lease and where it lives.
type SubnetNIC struct {
	InstanceID  string
	DeviceIndex int32
	MAC, IP     string
	Hostname    string
	HostVTEP    string // empty: on this host
	// PublicIP is the NIC's Elastic IP when its subnet is public (routes
	// 0.0.0.0/0 to an attached internet gateway); empty: none.
	PublicIP string
}

// Firewall is the security group state of one host.
type Firewall struct {
	Groups  []FirewallGroup
	Ports   []FirewallPort
	Members []FirewallMembers
}

// FirewallGroup is one security group's rules.
type FirewallGroup struct {
	GroupID         string
	Ingress, Egress []FirewallRule
}

// FirewallRule allows one protocol and port range from CIDRs or groups.
type FirewallRule struct {
	Protocol         string
	FromPort, ToPort int32
	CIDRs            []string
	SourceGroups     []string
}

// FirewallPort is one instance interface and its groups.
type FirewallPort struct {
	InstanceID  string
	DeviceIndex int32
	IP, MAC     string
	Groups      []string
	// SourceDestCheckOff lets the port send IP packets from any source
	// address (EC2's source/destination check off).
	SourceDestCheckOff bool
	// SubnetID is the port's subnet: the agent filters the flows routed
	// through its bridge (NAT, Elastic IPs) too.
	SubnetID string
}

// FirewallMembers are a group's member addresses (for group references).
type FirewallMembers struct {
	GroupID string
	IPs     []string
}
