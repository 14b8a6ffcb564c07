package ctl

import "testing"

// TestVpcGolden checks the printed output of the VPC, subnet and VPC
// attribute verbs, and of instance types, against testdata.
func TestVpcGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"describe-vpcs.json", []string{"describe-vpcs", "--output", "json"}, 0},
		{"describe-vpcs.text", []string{"describe-vpcs", "--output", "text"}, 0},
		{"describe-subnets.json", []string{"describe-subnets", "--output", "json"}, 0},
		{"describe-subnets.table", []string{"describe-subnets", "--output", "table"}, 0},
		{"describe-vpc-attribute.json", []string{"describe-vpc-attribute", "--vpc-id", sampleVpcID, "--attribute", "enableDnsSupport", "--output", "json"}, 0},
		{"describe-vpc-attribute.text", []string{"describe-vpc-attribute", "--vpc-id", sampleVpcID, "--attribute", "enableDnsHostnames", "--output", "text"}, 0},
		{"modify-vpc-attribute", []string{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-hostnames", "--output", "json"}, 0},
		{"associate-vpc-cidr-block.json", []string{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID, "--cidr-block", "10.2.0.0/16", "--output", "json"}, 0},
		{"disassociate-vpc-cidr-block.json", []string{"disassociate-vpc-cidr-block", "--association-id", sampleAssocID, "--output", "json"}, 0},
		{"describe-vpc-classic-link.json", []string{"describe-vpc-classic-link", "--output", "json"}, 0},
		{"describe-vpc-classic-link-dns-support.json", []string{"describe-vpc-classic-link-dns-support", "--output", "json"}, 0},
		{"modify-subnet-attribute", []string{"modify-subnet-attribute", "--subnet-id", sampleSubnetID, "--no-map-public-ip-on-launch", "--output", "json"}, 0},
		{"describe-instance-types.json", []string{"describe-instance-types", "--output", "json"}, 0},
		{"error-associate-ipv6", []string{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID, "--ipv6-cidr-block", "2600:1f14::/56"}, ExitService},
		{"error-modify-vpc-attribute-none", []string{"modify-vpc-attribute", "--vpc-id", sampleVpcID}, ExitService},
		{"error-modify-vpc-attribute-both", []string{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-support", "--no-enable-dns-support"}, ExitUsage},
		{"error-disassociate-not-found", []string{"disassociate-vpc-cidr-block", "--association-id", "vpc-cidr-assoc-00000000000000000"}, ExitService},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := newHarness(t).run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			got := out
			if tt.code != 0 {
				got = errOut
			}
			checkGolden(t, tt.name, got)
		})
	}
}
