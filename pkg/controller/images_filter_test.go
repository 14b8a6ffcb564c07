package controller

import (
	"slices"
	"testing"
	"time"
)

// TestImageFilterFields: the DescribeImages filters that AMI lookups
// (Terraform, Packer, the AWS CLI) use read the image's fields; an unknown
// name is refused by the caller.
func TestImageFilterFields(t *testing.T) {
	img := Image{ID: "ami-0123456789abcdef0", Name: "debian-12", Description: "Debian 12 genericcloud", State: "available",
		Owner: acct1, Architecture: "x86_64", BootMode: "bios", RootDeviceName: "/dev/xvda", Location: acct1 + "/debian-12",
		CreationDate: time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC),
		Devices: []ImageDevice{
			{DeviceName: "/dev/xvda", SnapshotID: "snap-1", SizeGiB: 8, VolumeType: "gp3", DeleteOnTermination: true},
			{DeviceName: "/dev/xvdb", SnapshotID: "snap-2", SizeGiB: 20, VolumeType: "io2"},
		},
		Tags: []Tag{{Key: "os", Value: "debian"}}}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"description", []string{"Debian 12 genericcloud"}},
		{"creation-date", []string{"2026-11-27T01:02:03.000Z"}},
		{"image-type", []string{"machine"}},
		{"root-device-type", []string{"ebs"}},
		{"virtualization-type", []string{"hvm"}},
		{"image-location", []string{acct1 + "/debian-12"}},
		{"block-device-mapping.device-name", []string{"/dev/xvda", "/dev/xvdb"}},
		{"block-device-mapping.snapshot-id", []string{"snap-1", "snap-2"}},
		{"block-device-mapping.volume-size", []string{"8", "20"}},
		{"block-device-mapping.volume-type", []string{"gp3", "io2"}},
		{"block-device-mapping.delete-on-termination", []string{"true", "false"}},
		{"tag:os", []string{"debian"}},
	} {
		got, ok := imageField(img, tc.name)
		if !ok || !slices.Equal(got, tc.want) {
			t.Errorf("%s = %v (known %v), want %v", tc.name, got, ok, tc.want)
		}
	}
	for _, unknown := range []string{"block-device-mapping.iops", "owner-alias-typo"} {
		if _, ok := imageField(img, unknown); ok {
			t.Errorf("filter %s accepted", unknown)
		}
	}
}
