package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

func TestCheckVolumeShape(t *testing.T) {
	tests := []struct {
		name             string
		typ              string
		size, iops, thru int32
		want             string // error code, "" for accepted
	}{
		{"gp3 defaults", "gp3", 1, 0, 0, ""},
		{"gp3 baseline IOPS on a tiny volume", "gp3", 1, 3000, 0, ""},
		{"gp3 over 500 IOPS per GiB", "gp3", 8, 4001, 0, ec2err.InvalidParameterValue},
		{"gp3 at 500 IOPS per GiB", "gp3", 8, 4000, 0, ""},
		{"gp3 throughput", "gp3", 8, 0, 500, ""},
		{"gp3 throughput too high", "gp3", 8, 0, 2000, ec2err.InvalidParameterValue},
		{"io1 needs IOPS", "io1", 4, 0, 0, ec2err.MissingParameter},
		{"io1 at 50 per GiB", "io1", 4, 200, 0, ""},
		{"io1 over 50 per GiB", "io1", 4, 500, 0, ec2err.InvalidParameterValue},
		{"io1 too small", "io1", 1, 100, 0, ec2err.InvalidParameterValue},
		{"gp2 IOPS not settable", "gp2", 10, 300, 0, ec2err.InvalidParameterCombination},
		{"st1 minimum size", "st1", 100, 0, 0, ec2err.InvalidParameterValue},
		{"unknown type", "gp9", 1, 0, 0, ec2err.InvalidParameterValue},
		{"gp3 over 16 TiB", "gp3", 20000, 0, 0, ec2err.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkVolumeShape(tt.typ, tt.size, tt.iops, tt.thru)
			got := ""
			if err != nil {
				got = ec2err.Code(err)
			}
			if got != tt.want {
				t.Errorf("checkVolumeShape(%s, %d, %d, %d) = %v, want code %q", tt.typ, tt.size, tt.iops, tt.thru, err, tt.want)
			}
		})
	}
}
