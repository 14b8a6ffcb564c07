package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

func docRegion(r *pb.Region) any {
	return NewObject().Set("OptInStatus", orDefault(r.GetOptInStatus(), "opt-in-not-required")).
		Set("RegionName", r.GetRegionName()).
		Set("Endpoint", r.GetEndpoint())
}

func docZone(z *pb.AvailabilityZone) any {
	msgs := list(z.GetMessages(), func(m string) any { return NewObject().Set("Message", m) })
	return NewObject().Set("OptInStatus", orDefault(z.GetOptInStatus(), "opt-in-not-required")).
		Set("Messages", msgs).
		Set("RegionName", z.GetRegionName()).
		Set("ZoneName", z.GetZoneName()).
		Set("ZoneId", z.GetZoneId()).
		Str("GroupName", z.GetGroupName()).
		Str("NetworkBorderGroup", z.GetNetworkBorderGroup()).
		Set("ZoneType", orDefault(z.GetZoneType(), "availability-zone")).
		Set("State", z.GetState())
}

// docHost is an ec2lab hypervisor host (no EC2 counterpart).
func docHost(h *pb.Host) any {
	return NewObject().Set("HostId", h.GetHostId()).
		Set("AvailabilityZone", h.GetAvailabilityZone()).
		Set("Address", h.GetAddress()).
		Set("State", h.GetState()).
		Set("DomainType", h.GetDomainType()).
		Set("VCpus", int64(h.GetVcpus())).
		Set("VCpusAllocated", int64(h.GetVcpusAllocated())).
		Set("MemoryMiB", h.GetMemoryMib()).
		Set("MemoryMiBAllocated", h.GetMemoryMibAllocated()).
		Set("HugepagesFree", h.GetHugepagesFree()).
		Set("Gpus", int64(h.GetGpus())).
		Set("GpusFree", int64(h.GetGpusFree())).
		Set("Instances", int64(h.GetInstances())).
		Time("LastHeartbeat", h.GetLastHeartbeat()).
		Str("AgentVersion", h.GetAgentVersion())
}

// docCreatedKeyPair is create-key-pair's output (EC2 KeyPair).
func docCreatedKeyPair(k *pb.KeyPair) any {
	o := NewObject().Set("KeyPairId", k.GetKeyPairId())
	if len(k.GetTags()) > 0 {
		o.Set("Tags", docTags(k.GetTags()))
	}
	return o.Set("KeyName", k.GetKeyName()).
		Set("KeyFingerprint", k.GetKeyFingerprint()).
		Set("KeyMaterial", k.GetKeyMaterial())
}

// docImportedKeyPair is import-key-pair's output (ImportKeyPairResult).
func docImportedKeyPair(k *pb.KeyPair) any {
	o := NewObject().Set("KeyFingerprint", k.GetKeyFingerprint()).
		Set("KeyName", k.GetKeyName()).
		Set("KeyPairId", k.GetKeyPairId())
	if len(k.GetTags()) > 0 {
		o.Set("Tags", docTags(k.GetTags()))
	}
	return o
}

// docKeyPairInfo is an EC2 KeyPairInfo (describe-key-pairs).
func docKeyPairInfo(k *pb.KeyPair) any {
	return NewObject().Set("KeyPairId", k.GetKeyPairId()).
		Set("KeyType", k.GetKeyType()).
		Set("Tags", docTags(k.GetTags())).
		Str("PublicKey", k.GetPublicKey()).
		Time("CreateTime", k.GetCreateTime()).
		Set("KeyName", k.GetKeyName()).
		Set("KeyFingerprint", k.GetKeyFingerprint())
}

func docTagDescription(t *pb.TagDescription) any {
	return NewObject().Set("Key", t.GetKey()).
		Set("ResourceId", t.GetResourceId()).
		Set("ResourceType", t.GetResourceType()).
		Set("Value", t.GetValue())
}
