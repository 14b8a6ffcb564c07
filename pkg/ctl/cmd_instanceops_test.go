package ctl

import (
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// TestInstanceOpsRequests checks what each verb sends for its flags.
func TestInstanceOpsRequests(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want proto.Message
	}{
		{"offerings in zones, one page", []string{"describe-instance-type-offerings", "--location-type", "availability-zone",
			"--filters", "Name=instance-type,Values=t3.micro,g4dn.*", "--max-results", "5", "--dry-run"},
			&pb.DescribeInstanceTypeOfferingsRequest{LocationType: "availability-zone", MaxResults: 5, DryRun: true,
				Filters: []*pb.Filter{{Name: "instance-type", Values: []string{"t3.micro", "g4dn.*"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			_, errOut, code := h.run(tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !proto.Equal(h.fake.lastReq, tt.want) {
				t.Errorf("sent %v, want %v", h.fake.lastReq, tt.want)
			}
		})
	}
}

// TestInstanceOpsOutput checks the documents the verbs print, as the AWS
// CLI prints them.
func TestInstanceOpsOutput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"offerings, every page", []string{"describe-instance-type-offerings", "--location-type", "availability-zone", "--page-size", "5"},
			`{
    "InstanceTypeOfferings": [
        {
            "InstanceType": "t3.micro",
            "LocationType": "availability-zone",
            "Location": "lab-1a"
        },
        {
            "InstanceType": "g4dn.xlarge",
            "LocationType": "availability-zone",
            "Location": "lab-1b"
        }
    ]
}
`},
		{"offerings as text", []string{"describe-instance-type-offerings", "--query", "InstanceTypeOfferings[].InstanceType", "--output", "text"},
			"t3.micro\tg4dn.xlarge\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(tt.args...)
			if code != 0 || out != tt.want {
				t.Errorf("exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, tt.want)
			}
		})
	}
}
