// Package hostgrpc adapts an ec2-agent's gRPC client (agentv1.HostClient)
// to host.Host, converting between the agent protocol's messages and
// host's plain types; and converts what agents report to the registry.
package hostgrpc

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ec2lab/ec2lab/pkg/host"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Client is a host.Host over an agent's gRPC client. Install
// errgrpc.DialOptions on its connection so errors arrive as ec2err's.
type Client struct{ c agentv1.HostClient }

var _ host.Host = (*Client)(nil)

// New adapts c; each call is a distinct host.Host (the controller tells
// connections apart by identity).
func New(c agentv1.HostClient) *Client { return &Client{c: c} }

// CreateInstance implements host.Host.
func (h *Client) CreateInstance(ctx context.Context, spec host.InstanceSpec) (host.InstanceStatus, error) {
	st, err := h.c.CreateInstance(ctx, createRequest(spec))
	return statusFrom(st), err
}

// StartInstance implements host.Host.
func (h *Client) StartInstance(ctx context.Context, id string) (host.InstanceStatus, error) {
	st, err := h.c.StartInstance(ctx, &agentv1.InstanceRef{InstanceId: id})
	return statusFrom(st), err
}

// StopInstance implements host.Host.
func (h *Client) StopInstance(ctx context.Context, r host.StopRequest) (host.InstanceStatus, error) {
	st, err := h.c.StopInstance(ctx, &agentv1.StopInstanceRequest{InstanceId: r.InstanceID, Force: r.Force,
		TimeoutSeconds: int32(r.Timeout / time.Second)})
	return statusFrom(st), err
}

// RebootInstance implements host.Host.
func (h *Client) RebootInstance(ctx context.Context, id string) error {
	_, err := h.c.RebootInstance(ctx, &agentv1.InstanceRef{InstanceId: id})
	return err
}

// DestroyInstance implements host.Host.
func (h *Client) DestroyInstance(ctx context.Context, id string) error {
	_, err := h.c.DestroyInstance(ctx, &agentv1.InstanceRef{InstanceId: id})
	return err
}

// ListInstances implements host.Host.
func (h *Client) ListInstances(ctx context.Context) ([]host.InstanceStatus, error) {
	res, err := h.c.ListInstances(ctx, &agentv1.ListInstancesRequest{})
	if err != nil {
		return nil, err
	}
	return StatusesFrom(res.GetInstances()), nil
}

// ConsoleOutput implements host.Host.
func (h *Client) ConsoleOutput(ctx context.Context, id string) (host.ConsoleOutput, error) {
	res, err := h.c.GetConsoleOutput(ctx, &agentv1.InstanceRef{InstanceId: id})
	if err != nil {
		return host.ConsoleOutput{}, err
	}
	out := host.ConsoleOutput{Output: res.GetOutput()}
	if res.GetTimestamp() != nil {
		out.At = res.GetTimestamp().AsTime()
	}
	return out, nil
}

// OpenConsole implements host.Host: the first message names the instance.
func (h *Client) OpenConsole(ctx context.Context, id string) (host.Console, error) {
	s, err := h.c.StreamConsole(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Send(&agentv1.ConsoleIn{InstanceId: id}); err != nil {
		return nil, err
	}
	return console{s}, nil
}

type console struct {
	s grpcConsole
}

type grpcConsole interface {
	Send(*agentv1.ConsoleIn) error
	Recv() (*agentv1.ConsoleOut, error)
	CloseSend() error
}

func (c console) Send(data []byte) error { return c.s.Send(&agentv1.ConsoleIn{Data: data}) }
func (c console) CloseSend() error       { return c.s.CloseSend() }
func (c console) Recv() ([]byte, error) {
	out, err := c.s.Recv()
	return out.GetData(), err
}

// WatchEvents implements host.Host.
func (h *Client) WatchEvents(ctx context.Context) (host.Events, error) {
	s, err := h.c.WatchEvents(ctx, &agentv1.WatchEventsRequest{})
	if err != nil {
		return nil, err
	}
	return events{s}, nil
}

type events struct {
	s interface {
		Recv() (*agentv1.InstanceEvent, error)
	}
}

func (e events) Recv() (host.Event, error) {
	ev, err := e.s.Recv()
	if err != nil {
		return host.Event{}, err
	}
	return host.Event{InstanceID: ev.GetInstanceId(), State: ev.GetState(), Reason: ev.GetReason()}, nil
}

// CreateVolume implements host.Host.
func (h *Client) CreateVolume(ctx context.Context, r host.VolumeCreate) (host.VolumeInfo, error) {
	res, err := h.c.CreateVolume(ctx, &agentv1.CreateVolumeRequest{VolumeId: r.Name, SizeBytes: r.SizeBytes,
		BackingLayer: r.BackingLayer, EncryptionKey: r.EncryptionKey})
	return volumeFrom(res), err
}

// InspectVolume implements host.Host.
func (h *Client) InspectVolume(ctx context.Context, name string) (host.VolumeInfo, error) {
	res, err := h.c.InspectVolume(ctx, &agentv1.VolumeRef{VolumeId: name})
	return volumeFrom(res), err
}

// DeleteVolume implements host.Host.
func (h *Client) DeleteVolume(ctx context.Context, name string) error {
	_, err := h.c.DeleteVolume(ctx, &agentv1.VolumeRef{VolumeId: name})
	return err
}

// ResizeVolume implements host.Host.
func (h *Client) ResizeVolume(ctx context.Context, r host.VolumeResize) (host.VolumeInfo, error) {
	res, err := h.c.ResizeVolume(ctx, &agentv1.ResizeVolumeRequest{VolumeId: r.Name, SizeBytes: r.SizeBytes,
		InstanceId: r.InstanceID, Target: r.Target, EncryptionKey: r.EncryptionKey})
	return volumeFrom(res), err
}

// SnapshotVolume implements host.Host.
func (h *Client) SnapshotVolume(ctx context.Context, r host.VolumeSnapshot) (host.SnapshotResult, error) {
	res, err := h.c.SnapshotVolume(ctx, &agentv1.SnapshotVolumeRequest{VolumeId: r.Name, SnapshotId: r.SnapshotID,
		InstanceId: r.InstanceID, Target: r.Target, EncryptionKey: r.EncryptionKey})
	if err != nil {
		return host.SnapshotResult{}, err
	}
	return host.SnapshotResult{Layer: res.GetLayer(), Head: res.GetHead(), StoredBytes: res.GetStoredBytes()}, nil
}

// StreamVolume implements host.Host.
func (h *Client) StreamVolume(ctx context.Context, instanceID, head, newBacking string) (host.VolumeInfo, error) {
	res, err := h.c.StreamVolume(ctx, &agentv1.StreamVolumeRequest{InstanceId: instanceID, VolumeId: head, NewBacking: newBacking})
	return volumeFrom(res), err
}

// AttachVolume implements host.Host.
func (h *Client) AttachVolume(ctx context.Context, instanceID string, d host.Disk) error {
	_, err := h.c.AttachVolume(ctx, &agentv1.AttachVolumeRequest{InstanceId: instanceID, Disk: diskTo(d)})
	return err
}

// DetachVolume implements host.Host.
func (h *Client) DetachVolume(ctx context.Context, r host.VolumeDetach) error {
	_, err := h.c.DetachVolume(ctx, &agentv1.DetachVolumeRequest{InstanceId: r.InstanceID, VolumeId: r.VolumeID,
		Target: r.Target, Force: r.Force})
	return err
}

// SetIOTune implements host.Host.
func (h *Client) SetIOTune(ctx context.Context, instanceID, target string, t host.IOTune) error {
	_, err := h.c.SetIOTune(ctx, &agentv1.SetIOTuneRequest{InstanceId: instanceID, Target: target, Iotune: ioTuneTo(t)})
	return err
}

// SyncNetwork implements host.Host.
func (h *Client) SyncNetwork(ctx context.Context, subnets []host.Subnet) error {
	_, err := h.c.SyncNetwork(ctx, &agentv1.SyncNetworkRequest{Subnets: subnetsTo(subnets)})
	return err
}

// SetFirewall implements host.Host.
func (h *Client) SetFirewall(ctx context.Context, fw host.Firewall) error {
	_, err := h.c.SetFirewall(ctx, firewallTo(fw))
	return err
}

// SetMetadataOptions implements host.Host.
func (h *Client) SetMetadataOptions(ctx context.Context, o host.MetadataOptions) error {
	_, err := h.c.SetMetadataOptions(ctx, &agentv1.SetMetadataOptionsRequest{InstanceId: o.InstanceID,
		HttpTokens: o.HTTPTokens, HttpEndpoint: o.HTTPEndpoint, HttpPutResponseHopLimit: o.HopLimit})
	return err
}

// SetCPUBaseline implements host.Host.
func (h *Client) SetCPUBaseline(ctx context.Context, instanceID string, percent int32) error {
	_, err := h.c.SetCPUBaseline(ctx, &agentv1.SetCPUBaselineRequest{InstanceId: instanceID, CpuBaselinePercent: percent})
	return err
}

// UefiVars implements host.Host.
func (h *Client) UefiVars(ctx context.Context, instanceID string) (host.UefiVars, error) {
	r, err := h.c.GetUefiVars(ctx, &agentv1.InstanceRef{InstanceId: instanceID})
	if err != nil {
		return host.UefiVars{}, err
	}
	return host.UefiVars{UEFI: r.GetUefi(), NVRAM: r.GetNvram()}, nil
}

func createRequest(s host.InstanceSpec) *agentv1.CreateInstanceRequest {
	r := &agentv1.CreateInstanceRequest{InstanceId: s.InstanceID, OwnerId: s.OwnerID, InstanceType: s.InstanceType,
		Vcpus: s.VCPUs, MemoryMib: s.MemoryMiB, CpuBaselinePercent: s.CPUBaselinePercent, DedicatedCpus: s.DedicatedCPUs,
		Hugepages: s.Hugepages, Gpus: s.GPUs, BootMode: s.BootMode, KernelPath: s.KernelPath, InitrdPath: s.InitrdPath,
		KernelCmdline: s.Cmdline, UserData: s.UserData, Hostname: s.Hostname, PublicKeys: s.PublicKeys, KeyName: s.KeyName,
		Start: s.Start, ImageId: s.ImageID, AvailabilityZone: s.AvailabilityZone, Region: s.Region,
		MetadataHttpTokens: s.Metadata.HTTPTokens, MetadataHttpEndpoint: s.Metadata.HTTPEndpoint,
		MetadataHttpPutResponseHopLimit: s.Metadata.HopLimit}
	for _, size := range s.InstanceStore {
		r.InstanceStore = append(r.InstanceStore, &agentv1.InstanceStoreDisk{SizeBytes: size})
	}
	for _, d := range s.Disks {
		r.Disks = append(r.Disks, diskTo(d))
	}
	for _, n := range s.NICs {
		r.Nics = append(r.Nics, &agentv1.Nic{SubnetId: n.SubnetID, Mac: n.MAC, PrivateIp: n.PrivateIP, DeviceIndex: n.DeviceIndex})
	}
	if !s.LaunchTime.IsZero() {
		r.LaunchTime = timestamppb.New(s.LaunchTime)
	}
	return r
}

func diskTo(d host.Disk) *agentv1.Disk {
	return &agentv1.Disk{VolumeId: d.VolumeID, Path: d.Path, Target: d.Target, ReadOnly: d.ReadOnly,
		Iotune: ioTuneTo(d.IOTune), SecretUuid: d.SecretUUID, EncryptionKey: d.EncryptionKey}
}

func ioTuneTo(t host.IOTune) *agentv1.IOTune {
	return &agentv1.IOTune{TotalIopsSec: t.TotalIOPSSec, TotalBytesSec: t.TotalBytesSec}
}

func volumeFrom(v *agentv1.VolumeInfo) host.VolumeInfo {
	return host.VolumeInfo{Name: v.GetVolumeId(), Path: v.GetPath(), VirtualSize: v.GetVirtualSize(),
		ActualSize: v.GetActualSize(), Chain: v.GetChain()}
}

func statusFrom(st *agentv1.InstanceStatus) host.InstanceStatus {
	return host.InstanceStatus{InstanceID: st.GetInstanceId(), DomainName: st.GetDomainName(), State: st.GetState(),
		Reason: st.GetReason(), DomainType: st.GetDomainType(), GuestSeen: st.GetGuestSeen()}
}

// StatusesFrom converts the instances an agent reports.
func StatusesFrom(list []*agentv1.InstanceStatus) []host.InstanceStatus {
	out := make([]host.InstanceStatus, 0, len(list))
	for _, st := range list {
		out = append(out, statusFrom(st))
	}
	return out
}

// InventoryFrom converts an agent's inventory (nil stays the zero value).
func InventoryFrom(inv *agentv1.Inventory) host.Inventory {
	out := host.Inventory{HostID: inv.GetHostId(), Region: inv.GetRegion(), AvailabilityZone: inv.GetAvailabilityZone(),
		DomainType: inv.GetDomainType(), DomainTypeReason: inv.GetDomainTypeReason(), VCPUs: inv.GetVcpus(),
		MemoryMiB: inv.GetMemoryMib(), HugepagesTotal: inv.GetHugepagesTotal(), HugepagesFree: inv.GetHugepagesFree(),
		AgentVersion: inv.GetAgentVersion(), LibvirtVersion: inv.GetLibvirtVersion(), PinnedCPUs: inv.GetPinnedCpus(),
		VTEP: inv.GetVtepAddress()}
	for _, p := range inv.GetPools() {
		out.Pools = append(out.Pools, host.PoolInfo{Path: p.GetPath(), Shared: p.GetShared(), FreeBytes: p.GetFreeBytes(),
			TotalBytes: p.GetTotalBytes()})
	}
	for _, g := range inv.GetGpus() {
		out.GPUs = append(out.GPUs, host.GPU{PCIAddress: g.GetPciAddress(), Name: g.GetName(), UsedBy: g.GetUsedBy()})
	}
	return out
}

func subnetsTo(subnets []host.Subnet) []*agentv1.NetSubnet {
	out := make([]*agentv1.NetSubnet, 0, len(subnets))
	for _, s := range subnets {
		ns := &agentv1.NetSubnet{SubnetId: s.SubnetID, Cidr: s.CIDR, Vni: s.VNI, Peers: s.Peers}
		for _, n := range s.NICs {
			ns.Nics = append(ns.Nics, &agentv1.NetNic{InstanceId: n.InstanceID, DeviceIndex: n.DeviceIndex, Mac: n.MAC,
				Ip: n.IP, Hostname: n.Hostname, HostVtep: n.HostVTEP, PublicIp: n.PublicIP})
		}
		ns.Dns = dnsTo(s.DNS)
		ns.Acl = aclTo(s.ACL)
		ns.NatGateway = s.NATGateway
		out = append(out, ns)
	}
	return out
}

func dnsTo(d *host.SubnetDNS) *agentv1.NetDns {
	if d == nil {
		return nil
	}
	out := &agentv1.NetDns{Support: d.Support, Hostnames: d.Hostnames, Domain: d.Domain, Server: d.Server, VpcCidrs: d.CIDRs}
	for _, h := range d.Hosts {
		out.Hosts = append(out.Hosts, &agentv1.NetDnsHost{Name: h.Name, Ip: h.IP})
	}
	if o := d.DHCP; o != nil {
		out.Dhcp = &agentv1.NetDhcpOptions{DomainName: o.DomainName, DomainNameServers: o.DomainNameServers,
			NtpServers: o.NTPServers, NetbiosNameServers: o.NetBIOSServers, NetbiosNodeType: o.NetBIOSNodeType}
	}
	return out
}

func firewallTo(fw host.Firewall) *agentv1.FirewallState {
	out := &agentv1.FirewallState{}
	for _, g := range fw.Groups {
		out.Groups = append(out.Groups, &agentv1.FwGroup{GroupId: g.GroupID, Ingress: rulesTo(g.Ingress), Egress: rulesTo(g.Egress)})
	}
	for _, p := range fw.Ports {
		out.Ports = append(out.Ports, &agentv1.FwPort{InstanceId: p.InstanceID, DeviceIndex: p.DeviceIndex, Ip: p.IP,
			Mac: p.MAC, Groups: p.Groups, SourceDestCheckOff: p.SourceDestCheckOff, SubnetId: p.SubnetID})
	}
	for _, m := range fw.Members {
		out.Members = append(out.Members, &agentv1.FwMembers{GroupId: m.GroupID, Ips: m.IPs})
	}
	return out
}

func rulesTo(rules []host.FirewallRule) []*agentv1.FwRule {
	var out []*agentv1.FwRule
	for _, r := range rules {
		out = append(out, &agentv1.FwRule{Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort,
			Cidrs: r.CIDRs, SourceGroups: r.SourceGroups})
	}
	return out
}

// aclTo converts a subnet's network ACL (nil stays unset).
func aclTo(acl *host.SubnetACL) *agentv1.NetAcl {
	if acl == nil {
		return nil
	}
	rules := func(rs []host.ACLRule) []*agentv1.NetAclRule {
		out := make([]*agentv1.NetAclRule, 0, len(rs))
		for _, r := range rs {
			out = append(out, &agentv1.NetAclRule{Number: int32(r.Number), Allow: r.Allow, Protocol: int32(r.Protocol), Cidr: r.CIDR,
				PortFrom: int32(r.PortFrom), PortTo: int32(r.PortTo), IcmpType: int32(r.ICMPType), IcmpCode: int32(r.ICMPCode)})
		}
		return out
	}
	return &agentv1.NetAcl{Ingress: rules(acl.Ingress), Egress: rules(acl.Egress)}
}
