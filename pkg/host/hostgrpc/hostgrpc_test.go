package hostgrpc

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ec2lab/ec2lab/pkg/host"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// unset lists the fields of m (recursively through messages and lists of
// messages) that hold their zero value: what the adapter did not fill.
func unset(m protoreflect.Message, prefix string) []string {
	var out []string
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		name := prefix + string(fd.Name())
		if !m.Has(fd) {
			out = append(out, name)
			continue
		}
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := m.Get(fd).List()
			for j := 0; j < l.Len(); j++ {
				out = append(out, unset(l.Get(j).Message(), name+"[].")...)
			}
		case fd.Message() != nil && !fd.IsMap():
			out = append(out, unset(m.Get(fd).Message(), name+".")...)
		}
	}
	return out
}

// TestConversionsDropNothing: a fully populated host type converts to an
// agent message with every field set, so no field of the agent protocol is
// silently lost on the way (Bridge is the only one ec2lab never sends).
func TestConversionsDropNothing(t *testing.T) {
	disk := host.Disk{VolumeID: "vol-1", Path: "vol-1.0.qcow2", Target: "vda", ReadOnly: true,
		IOTune: host.IOTune{TotalIOPSSec: 3000, TotalBytesSec: 125 << 20}, SecretUUID: "u", EncryptionKey: []byte("k")}
	spec := host.InstanceSpec{InstanceID: "i-1", OwnerID: "111111111111", InstanceType: "t3.nano", VCPUs: 2, MemoryMiB: 512,
		CPUBaselinePercent: 5, DedicatedCPUs: true, Hugepages: true, GPUs: 1, InstanceStore: []int64{475e9},
		BootMode: "uefi", KernelPath: "/k", InitrdPath: "/i", Cmdline: "console=ttyS0", Disks: []host.Disk{disk},
		UserData: []byte("#!/bin/sh"), Hostname: "i-1", PublicKeys: []string{"ssh-ed25519 AAAA k"}, KeyName: "k",
		Start: true, ImageID: "ami-1", AvailabilityZone: "lab-1a", Region: "lab-1",
		NICs:       []host.NIC{{SubnetID: "subnet-1", MAC: "02:00:00:00:00:01", PrivateIP: "10.0.0.5", DeviceIndex: 1}},
		Metadata:   host.MetadataOptions{HTTPTokens: "required", HTTPEndpoint: "enabled", HopLimit: 2},
		LaunchTime: time.Date(2026, 12, 7, 3, 0, 0, 5, time.UTC)}
	fw := host.Firewall{
		Groups:  []host.FirewallGroup{{GroupID: "sg-1", Ingress: []host.FirewallRule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRs: []string{"0.0.0.0/0"}, SourceGroups: []string{"sg-2"}}}, Egress: []host.FirewallRule{{Protocol: "-1", FromPort: 1, ToPort: 1, CIDRs: []string{"::/0"}, SourceGroups: []string{"sg-1"}}}}},
		Ports:   []host.FirewallPort{{InstanceID: "i-1", DeviceIndex: 1, IP: "10.0.0.5", MAC: "02:00:00:00:00:01", Groups: []string{"sg-1"}, SourceDestCheckOff: true, SubnetID: "subnet-1"}},
		Members: []host.FirewallMembers{{GroupID: "sg-1", IPs: []string{"10.0.0.5"}}},
	}
	subnets := []host.Subnet{{SubnetID: "subnet-1", CIDR: "10.0.0.0/24", VNI: 7, Peers: []string{"192.0.2.2"},
		NICs: []host.SubnetNIC{{InstanceID: "i-1", DeviceIndex: 1, MAC: "02:00:00:00:00:01", IP: "10.0.0.5", Hostname: "ip-10-0-0-5", HostVTEP: "192.0.2.1", PublicIP: "198.51.100.20"}},
		ACL: &host.SubnetACL{Ingress: []host.ACLRule{{Number: 100, Allow: true, Protocol: 6, CIDR: "0.0.0.0/0", PortFrom: 22, PortTo: 22, ICMPType: 8, ICMPCode: 1}},
			Egress: []host.ACLRule{{Number: 100, Allow: true, Protocol: 1, CIDR: "0.0.0.0/0", PortFrom: 1, PortTo: 2, ICMPType: 8, ICMPCode: 1}}},
		DNS: &host.SubnetDNS{Support: true, Hostnames: true, Domain: "lab-1.compute.internal", Server: "10.0.0.2", CIDRs: []string{"10.0.0.0/16"},
			Hosts: []host.DNSHost{{Name: "ip-10-0-0-5.lab-1.compute.internal", IP: "10.0.0.5"}},
			DHCP: &host.DHCPOptions{DomainName: "lab.example", DomainNameServers: []string{"10.0.0.2"}, NTPServers: []string{"10.0.0.9"},
				NetBIOSServers: []string{"10.0.0.8"}, NetBIOSNodeType: 2}},
		NATGateway: "198.51.100.30"}}
	tests := []struct {
		name    string
		msg     proto.Message
		allowed map[string]bool
	}{
		{"CreateInstanceRequest", createRequest(spec), map[string]bool{"nics[].bridge": true}},
		{"FirewallState", firewallTo(fw), nil},
		{"SyncNetworkRequest", &agentv1.SyncNetworkRequest{Subnets: subnetsTo(subnets)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range unset(tt.msg.ProtoReflect(), "") {
				if !tt.allowed[f] {
					t.Errorf("%s: field %s is not set by the adapter", tt.name, f)
				}
			}
		})
	}
}

// TestInventoryFrom: what the registry receives reaches the controller.
func TestInventoryFrom(t *testing.T) {
	inv := &agentv1.Inventory{HostId: "h-1", Region: "lab-1", AvailabilityZone: "lab-1a", DomainType: "qemu",
		DomainTypeReason: "PVM", Vcpus: 16, MemoryMib: 65536, HugepagesTotal: 128, HugepagesFree: 64,
		Pools:        []*agentv1.StoragePool{{Path: "/srv/local", FreeBytes: 5e11}, {Path: "/srv/pool", Shared: true, FreeBytes: 1}},
		Gpus:         []*agentv1.Gpu{{PciAddress: "0000:65:00.0", Name: "T4", UsedBy: "i-1"}},
		AgentVersion: "v1", LibvirtVersion: "9.0.0", PinnedCpus: []int32{2, 3}, VtepAddress: "192.0.2.1"}
	got := InventoryFrom(inv)
	if got.HostID != "h-1" || got.VCPUs != 16 || got.HugepagesFree != 64 || len(got.Pools) != 2 || !got.Pools[1].Shared ||
		got.Pools[0].FreeBytes != 5e11 || len(got.GPUs) != 1 || got.GPUs[0].UsedBy != "i-1" || len(got.PinnedCPUs) != 2 ||
		got.VTEP != "192.0.2.1" || got.DomainTypeReason != "PVM" || got.AgentVersion != "v1" {
		t.Errorf("InventoryFrom = %+v", got)
	}
	if z := InventoryFrom(nil); z.HostID != "" || z.Pools != nil {
		t.Errorf("InventoryFrom(nil) = %+v", z)
	}
}
