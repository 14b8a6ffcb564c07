package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Explicit converters from parsed parameters to API messages, one per
// EC2 shape.

func toTag(m map[string]any) (*pb.Tag, error) {
	f := newFields("Tag", m, "Key", "Value")
	t := &pb.Tag{Key: f.str("Key"), Value: f.str("Value")}
	return t, f.err
}

func toTags(ms []map[string]any) ([]*pb.Tag, error) {
	out := make([]*pb.Tag, 0, len(ms))
	for _, m := range ms {
		t, err := toTag(m)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func parseTags(flag string, raws []string) ([]*pb.Tag, error) {
	ms, err := structList(flag, raws)
	if err != nil {
		return nil, err
	}
	return toTags(ms)
}

func parseTagSpecs(raws []string) ([]*pb.TagSpecification, error) {
	ms, err := structList("tag-specifications", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.TagSpecification
	for _, m := range ms {
		f := newFields("TagSpecification", m, "ResourceType", "Tags")
		spec := &pb.TagSpecification{ResourceType: f.str("ResourceType")}
		tags := f.structs("Tags")
		if f.err != nil {
			return nil, f.err
		}
		if spec.Tags, err = toTags(tags); err != nil {
			return nil, err
		}
		out = append(out, spec)
	}
	return out, nil
}

func parseFilters(raws []string) ([]*pb.Filter, error) {
	ms, err := structList("filters", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.Filter
	for _, m := range ms {
		f := newFields("Filter", m, "Name", "Values")
		flt := &pb.Filter{Name: f.str("Name"), Values: f.strings("Values")}
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, flt)
	}
	return out, nil
}

func parsePlacement(raw string) (*pb.Placement, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("placement", []string{raw})
	if err != nil || len(ms) != 1 {
		return nil, err
	}
	f := newFields("Placement", ms[0], "AvailabilityZone", "GroupName", "PartitionNumber", "Tenancy", "HostId")
	p := &pb.Placement{AvailabilityZone: f.str("AvailabilityZone"), GroupName: f.str("GroupName"),
		PartitionNumber: f.int32("PartitionNumber"), Tenancy: f.str("Tenancy"), HostId: f.str("HostId")}
	return p, f.err
}

func parseBlockDeviceMappings(raws []string) ([]*pb.BlockDeviceMapping, error) {
	ms, err := structList("block-device-mappings", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.BlockDeviceMapping
	for _, m := range ms {
		f := newFields("BlockDeviceMapping", m, "DeviceName", "VirtualName", "Ebs", "NoDevice")
		bdm := &pb.BlockDeviceMapping{DeviceName: f.str("DeviceName"), VirtualName: f.str("VirtualName")}
		_, bdm.NoDevice = m["NoDevice"]
		ebs := f.sub("Ebs")
		if f.err != nil {
			return nil, f.err
		}
		if ebs != nil {
			if bdm.Ebs, err = toEbs(ebs); err != nil {
				return nil, err
			}
		}
		out = append(out, bdm)
	}
	return out, nil
}

func toEbs(m map[string]any) (*pb.EbsBlockDevice, error) {
	f := newFields("EbsBlockDevice", m, "DeleteOnTermination", "Iops", "SnapshotId",
		"VolumeSize", "VolumeType", "Throughput", "Encrypted")
	e := &pb.EbsBlockDevice{SnapshotId: f.str("SnapshotId"), VolumeSize: f.int32("VolumeSize"),
		VolumeType: f.str("VolumeType"), Iops: f.int32("Iops"), Throughput: f.int32("Throughput"),
		DeleteOnTermination: f.boolPtr("DeleteOnTermination")}
	if enc := f.boolPtr("Encrypted"); enc != nil {
		e.Encrypted = *enc
	}
	return e, f.err
}
