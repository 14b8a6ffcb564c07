package ec2query

import (
	"encoding/xml"
	"strings"
	"testing"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestResponseMembers checks the members EC2 returns that tools read
// (issue #16) by their botocore locationName, and that each is left out
// when ec2lab has no value for it. TestBotoRoundTrip and
// TestSecurityGroupRulesBoto check the same documents against botocore's
// model and what boto3 parses from them.
func TestResponseMembers(t *testing.T) {
	sgARN := "arn:aws:ec2:lab-1:" + fakeAccount + ":security-group/" + fakeGroup
	pgARN := "arn:aws:ec2:lab-1:" + fakeAccount + ":placement-group/rack-1"
	tests := []struct {
		name        string
		body        body
		want, avoid []string
	}{
		{name: "completed snapshot",
			body: describeSnapshotsXML(&ec2labv1.DescribeSnapshotsResponse{Snapshots: []*ec2labv1.Snapshot{cannedSnapshot()}}),
			want: []string{"<startTime>2026-11-26T10:11:12.345Z</startTime><completionTime>2026-11-26T10:13:14.567Z</completionTime>"}},
		{name: "pending snapshot",
			body:  snapshotBodyXML(&ec2labv1.Snapshot{SnapshotId: fakeSnapshot, State: "pending", StartTime: fakeTime}),
			avoid: []string{"completionTime", "completionDurationMinutes"}},
		{name: "image made by CreateImage, launched",
			body: describeImagesXML(&ec2labv1.DescribeImagesResponse{Images: []*ec2labv1.Image{{ImageId: fakeImage,
				SourceInstanceId: fakeInstance, LastLaunchedTime: fakeLater, DeregistrationProtection: "disabled"}}}),
			want: []string{"<sourceInstanceId>" + fakeInstance + "</sourceInstanceId>",
				"<deregistrationProtection>disabled</deregistrationProtection>",
				"<lastLaunchedTime>2026-11-26T10:13:14Z</lastLaunchedTime>"},
			avoid: []string{"imageOwnerAlias"}},
		{name: "registered image, never launched",
			body:  describeImagesXML(&ec2labv1.DescribeImagesResponse{Images: []*ec2labv1.Image{{ImageId: fakeImage}}}),
			avoid: []string{"sourceInstanceId", "lastLaunchedTime", "imageOwnerAlias"}},
		{name: "security group",
			body: describeSecurityGroupsXML(&ec2labv1.DescribeSecurityGroupsResponse{SecurityGroups: []*ec2labv1.SecurityGroup{{
				GroupId: fakeGroup, OwnerId: fakeAccount, SecurityGroupArn: sgARN}}}),
			want: []string{"<securityGroupArn>" + sgARN + "</securityGroupArn>"}},
		{name: "created security group",
			body: createSecurityGroupXML(&ec2labv1.CreateSecurityGroupResponse{GroupId: fakeGroup, SecurityGroupArn: sgARN}),
			want: []string{"<groupId>" + fakeGroup + "</groupId><securityGroupArn>" + sgARN + "</securityGroupArn>"}},
		{name: "placement groups",
			body: describePlacementGroupsXML(&ec2labv1.DescribePlacementGroupsResponse{PlacementGroups: []*ec2labv1.PlacementGroup{{
				GroupName: "rack-1", GroupId: "pg-0123456789abcdef0", Strategy: "spread", State: "available", GroupArn: pgARN}}}),
			want: []string{"<placementGroupSet><item><groupName>rack-1</groupName>", "<groupArn>" + pgARN + "</groupArn>"}},
		{name: "created placement group",
			body: createPlacementGroupXML(&ec2labv1.PlacementGroup{GroupName: "rack-1", GroupArn: pgARN}),
			want: []string{"<placementGroup><groupName>rack-1</groupName>", "<groupArn>" + pgARN + "</groupArn></placementGroup>"}},
		{name: "zone",
			body: describeZonesXML(&ec2labv1.DescribeAvailabilityZonesResponse{AvailabilityZones: []*ec2labv1.AvailabilityZone{{
				ZoneName: fakeZone, RegionName: "lab-1", NetworkBorderGroup: "lab-1", GroupName: "lab-1-zg-1",
				OptInStatus: "opt-in-not-required"}}}),
			want: []string{"<optInStatus>opt-in-not-required</optInStatus>", "<groupName>lab-1-zg-1</groupName>",
				"<networkBorderGroup>lab-1</networkBorderGroup>"}},
		{name: "instance type",
			body: describeInstanceTypesXML(&ec2labv1.DescribeInstanceTypesResponse{InstanceTypes: []*ec2labv1.InstanceTypeInfo{{
				InstanceType: "t3.micro", Vcpus: 2, MemoryMib: 1024}}}),
			want: []string{"<nitroEnclavesSupport>unsupported</nitroEnclavesSupport>",
				"<nitroTpmSupport>unsupported</nitroTpmSupport>", "<hypervisor>nitro</hypervisor>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := xml.Marshal(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			s := string(out)
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("XML lacks %s:\n%s", w, s)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(s, "<"+a+">") {
					t.Errorf("XML has <%s>:\n%s", a, s)
				}
			}
		})
	}
}
