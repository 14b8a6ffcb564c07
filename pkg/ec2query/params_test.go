package ec2query

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

func form(t *testing.T, s string) *params {
	t.Helper()
	v, err := url.ParseQuery(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return newParams(v)
}

func TestDecodeShapes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		got  proto.Message // empty message of the request type
		want proto.Message
	}{
		{"InstanceId.N in index order, 10 after 2", "InstanceId.2=i-b&InstanceId.10=i-c&InstanceId.1=i-a",
			&ec2labv1.InstanceIdsRequest{}, &ec2labv1.InstanceIdsRequest{InstanceIds: []string{"i-a", "i-b", "i-c"}}},
		{"gaps in indices are skipped", "InstanceId.1=i-a&InstanceId.5=i-b",
			&ec2labv1.InstanceIdsRequest{}, &ec2labv1.InstanceIdsRequest{InstanceIds: []string{"i-a", "i-b"}}},
		{"Filter.N.Name and Value.M", "Filter.1.Name=tag:Name&Filter.1.Value.1=web*&Filter.1.Value.2=db&Filter.2.Name=instance-state-name&Filter.2.Value.1=running&MaxResults=5&NextToken=abc",
			&ec2labv1.DescribeInstancesRequest{}, &ec2labv1.DescribeInstancesRequest{Filters: []*ec2labv1.Filter{
				{Name: "tag:Name", Values: []string{"web*", "db"}}, {Name: "instance-state-name", Values: []string{"running"}}},
				MaxResults: 5, NextToken: "abc"}},
		{"TagSpecification.N.Tag.M", "TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web&TagSpecification.1.Tag.2.Key=env&TagSpecification.1.Tag.2.Value=",
			&ec2labv1.CreateKeyPairRequest{}, &ec2labv1.CreateKeyPairRequest{TagSpecifications: []*ec2labv1.TagSpecification{
				{ResourceType: "instance", Tags: []*ec2labv1.Tag{{Key: "Name", Value: "web"}, {Key: "env"}}}}}},
		{"BlockDeviceMapping.N with Ebs and NoDevice", "BlockDeviceMapping.1.DeviceName=/dev/vda&BlockDeviceMapping.1.Ebs.VolumeSize=20&BlockDeviceMapping.1.Ebs.VolumeType=gp3&BlockDeviceMapping.1.Ebs.DeleteOnTermination=false&BlockDeviceMapping.1.Ebs.SnapshotId=snap-1&BlockDeviceMapping.1.Ebs.Iops=3000&BlockDeviceMapping.1.Ebs.Throughput=125&BlockDeviceMapping.1.Ebs.Encrypted=true&BlockDeviceMapping.2.DeviceName=/dev/vdb&BlockDeviceMapping.2.VirtualName=ephemeral0&BlockDeviceMapping.3.DeviceName=/dev/vdc&BlockDeviceMapping.3.NoDevice=",
			&ec2labv1.RunInstancesRequest{}, &ec2labv1.RunInstancesRequest{BlockDeviceMappings: []*ec2labv1.BlockDeviceMapping{
				{DeviceName: "/dev/vda", Ebs: &ec2labv1.EbsBlockDevice{VolumeSize: 20, VolumeType: "gp3", DeleteOnTermination: new(false),
					SnapshotId: "snap-1", Iops: 3000, Throughput: 125, Encrypted: true}},
				{DeviceName: "/dev/vdb", VirtualName: "ephemeral0"},
				{DeviceName: "/dev/vdc", NoDevice: true}}}},
		{"Placement and scalars of RunInstances", "ImageId=ami-1&InstanceType=t3.micro&MinCount=1&MaxCount=2&KeyName=k&Placement.AvailabilityZone=lab-1a&Placement.GroupName=g&Placement.Tenancy=default&ClientToken=tok&DryRun=false&DisableApiTermination=TRUE&UserData=aGVsbG8=",
			&ec2labv1.RunInstancesRequest{}, &ec2labv1.RunInstancesRequest{ImageId: "ami-1", InstanceType: "t3.micro", MinCount: 1, MaxCount: 2,
				KeyName: "k", Placement: &ec2labv1.Placement{AvailabilityZone: "lab-1a", GroupName: "g", Tenancy: "default"},
				ClientToken: "tok", DisableApiTermination: true, UserData: []byte("hello")}},
		{"CreditSpecification of RunInstances", "ImageId=ami-1&InstanceType=t3.micro&CreditSpecification.CpuCredits=standard",
			&ec2labv1.RunInstancesRequest{}, &ec2labv1.RunInstancesRequest{ImageId: "ami-1", InstanceType: "t3.micro",
				CreditSpecification: &ec2labv1.CreditSpecificationRequest{CpuCredits: "standard"}}},
		{"ResourceId.N and Tag.N of CreateTags", "ResourceId.1=i-a&ResourceId.2=vol-b&Tag.1.Key=k&Tag.1.Value=v",
			&ec2labv1.CreateTagsRequest{}, &ec2labv1.CreateTagsRequest{Resources: []string{"i-a", "vol-b"}, Tags: []*ec2labv1.Tag{{Key: "k", Value: "v"}}}},
		{"Owner.N and ImageId.N of DescribeImages", "Owner.1=self&Owner.2=amazon&ImageId.1=ami-1",
			&ec2labv1.DescribeImagesRequest{}, &ec2labv1.DescribeImagesRequest{Owners: []string{"self", "amazon"}, ImageIds: []string{"ami-1"}}},
		{"Owner.N and SnapshotId.N of DescribeSnapshots", "Owner.1=self&SnapshotId.1=snap-1&SnapshotId.2=snap-2&MaxResults=1000",
			&ec2labv1.DescribeSnapshotsRequest{}, &ec2labv1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}, SnapshotIds: []string{"snap-1", "snap-2"}, MaxResults: 1000}},
		{"VolumeId.N", "VolumeId.1=vol-1", &ec2labv1.DescribeVolumesRequest{}, &ec2labv1.DescribeVolumesRequest{VolumeIds: []string{"vol-1"}}},
		{"KeyName.N and KeyPairId.N", "KeyName.1=a&KeyPairId.1=key-1&IncludePublicKey=true",
			&ec2labv1.DescribeKeyPairsRequest{}, &ec2labv1.DescribeKeyPairsRequest{KeyNames: []string{"a"}, KeyPairIds: []string{"key-1"}, IncludePublicKey: true}},
		{"RegionName.N", "RegionName.1=lab-1&AllRegions=true", &ec2labv1.DescribeRegionsRequest{}, &ec2labv1.DescribeRegionsRequest{RegionNames: []string{"lab-1"}}},
		{"ZoneName.N", "ZoneName.1=lab-1a", &ec2labv1.DescribeAvailabilityZonesRequest{}, &ec2labv1.DescribeAvailabilityZonesRequest{ZoneNames: []string{"lab-1a"}}},
		{"InstanceType.N", "InstanceType.1=t3.micro&InstanceType.2=m5.large", &ec2labv1.DescribeInstanceTypesRequest{},
			&ec2labv1.DescribeInstanceTypesRequest{InstanceTypes: []string{"t3.micro", "m5.large"}}},
		{"ImportKeyPair PublicKeyMaterial is base64", "KeyName=k&PublicKeyMaterial=c3NoLWVkMjU1MTkgQUFBQQ==",
			&ec2labv1.ImportKeyPairRequest{}, &ec2labv1.ImportKeyPairRequest{KeyName: "k", PublicKeyMaterial: []byte("ssh-ed25519 AAAA")}},
		{"CopySnapshot reads the SDKs' PresignedUrl and DestinationRegion", "SourceRegion=lab-1&SourceSnapshotId=snap-1&PresignedUrl=http%3A%2F%2Fx&DestinationRegion=lab-1",
			&ec2labv1.CopySnapshotRequest{}, &ec2labv1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: "snap-1",
				PresignedUrl: "http://x", DestinationRegion: "lab-1"}},
		{"RegisterImage ImageLocation is the bundle path", "Name=img&ImageLocation=/var/lib/bundles/tiny",
			&ec2labv1.RegisterImageRequest{}, &ec2labv1.RegisterImageRequest{Name: "img", BundlePath: "/var/lib/bundles/tiny"}},
		{"StopInstances Force", "InstanceId.1=i-a&Force=true", &ec2labv1.StopInstancesRequest{},
			&ec2labv1.StopInstancesRequest{InstanceIds: []string{"i-a"}, Force: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := decodeMessage(form(t, tt.in), "", tt.got.ProtoReflect()); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !proto.Equal(tt.got, tt.want) {
				t.Errorf("got  %s\nwant %s", prototext.Format(tt.got), prototext.Format(tt.want))
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, in, code, msg string
		into                proto.Message
	}{
		{"int not a number", "MinCount=one", ec2err.InvalidParameterValue, "Invalid value 'one' for MinCount", &ec2labv1.RunInstancesRequest{}},
		{"int overflows int32", "MaxCount=4294967296", ec2err.InvalidParameterValue, "MaxCount", &ec2labv1.RunInstancesRequest{}},
		{"bool not true/false", "DryRun=yes", ec2err.InvalidParameterValue, "DryRun", &ec2labv1.RunInstancesRequest{}},
		{"nested int", "BlockDeviceMapping.1.Ebs.VolumeSize=big", ec2err.InvalidParameterValue, "BlockDeviceMapping.1.Ebs.VolumeSize", &ec2labv1.RunInstancesRequest{}},
		{"bad base64 UserData", "UserData=not*base64", ec2err.InvalidParameterValue, "Invalid BASE64 encoding of UserData", &ec2labv1.RunInstancesRequest{}},
		{"UserData over 16 KiB", "UserData=" + url.QueryEscape(b64(strings.Repeat("x", MaxUserData+1))), ec2err.InvalidParameterValue, "limited to 16384 bytes", &ec2labv1.RunInstancesRequest{}},
		{"list index not a number", "InstanceId.x=i-a", ec2err.InvalidParameterValue, "InstanceId.x", &ec2labv1.InstanceIdsRequest{}},
		{"list index zero", "InstanceId.0=i-a", ec2err.InvalidParameterValue, "InstanceId.0", &ec2labv1.InstanceIdsRequest{}},
		{"list index with leading zero", "Filter.01.Name=a", ec2err.InvalidParameterValue, "Filter.01.Name", &ec2labv1.DescribeInstancesRequest{}},
		{"invalid UTF-8", "ImageId=%ff", ec2err.InvalidParameterValue, "UTF-8", &ec2labv1.RunInstancesRequest{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeMessage(form(t, tt.in), "", tt.into.ProtoReflect())
			e, ok := ec2err.As(err)
			if !ok || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("got %v, want %s containing %q", err, tt.code, tt.msg)
			}
		})
	}
}

func TestUserDataAtLimitAccepted(t *testing.T) {
	r := &ec2labv1.RunInstancesRequest{}
	in := "UserData=" + url.QueryEscape(b64(strings.Repeat("x", MaxUserData)))
	if err := decodeMessage(form(t, in), "", r.ProtoReflect()); err != nil {
		t.Fatalf("16 KiB of user data: %v", err)
	}
	if len(r.UserData) != MaxUserData {
		t.Fatalf("user data is %d bytes", len(r.UserData))
	}
}

func TestEncodeMatchesBotoNames(t *testing.T) {
	r := &ec2labv1.RunInstancesRequest{MinCount: 1, UserData: []byte("hi"),
		BlockDeviceMappings: []*ec2labv1.BlockDeviceMapping{{DeviceName: "/dev/vdc", NoDevice: true,
			Ebs: &ec2labv1.EbsBlockDevice{DeleteOnTermination: new(false)}}},
		TagSpecifications: []*ec2labv1.TagSpecification{{ResourceType: "instance", Tags: []*ec2labv1.Tag{{Key: "a", Value: "b"}}}}}
	want := url.Values{"MinCount": {"1"}, "UserData": {"aGk="}, "BlockDeviceMapping.1.DeviceName": {"/dev/vdc"},
		"BlockDeviceMapping.1.NoDevice": {""}, "BlockDeviceMapping.1.Ebs.DeleteOnTermination": {"false"},
		"TagSpecification.1.ResourceType": {"instance"}, "TagSpecification.1.Tag.1.Key": {"a"}, "TagSpecification.1.Tag.1.Value": {"b"}}
	if got := Encode(r); got.Encode() != want.Encode() {
		t.Fatalf("got  %s\nwant %s", got.Encode(), want.Encode())
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
