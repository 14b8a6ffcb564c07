package ctl

import (
	"reflect"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

func TestParseShorthand(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]any
	}{
		{"Key=Name,Value=web", map[string]any{"Key": "Name", "Value": "web"}},
		{"Name=instance-state-name,Values=running,stopped",
			map[string]any{"Name": "instance-state-name", "Values": []any{"running", "stopped"}}},
		{"Values=a,b,Name=x", map[string]any{"Values": []any{"a", "b"}, "Name": "x"}},
		{"ResourceType=instance,Tags=[{Key=Name,Value=web},{Key=env,Value=dev}]",
			map[string]any{"ResourceType": "instance", "Tags": []any{
				map[string]any{"Key": "Name", "Value": "web"}, map[string]any{"Key": "env", "Value": "dev"}}}},
		{"AvailabilityZone=lab-1a,GroupName=g1", map[string]any{"AvailabilityZone": "lab-1a", "GroupName": "g1"}},
		{"Ebs={VolumeSize=2,VolumeType=gp3},DeviceName=/dev/sdf",
			map[string]any{"Ebs": map[string]any{"VolumeSize": "2", "VolumeType": "gp3"}, "DeviceName": "/dev/sdf"}},
		{`Key=msg,Value='a, b'`, map[string]any{"Key": "msg", "Value": "a, b"}},
		{`Key=k,Value="say \"hi\""`, map[string]any{"Key": "k", "Value": `say "hi"`}},
		{`Key=k,Value=a\,b`, map[string]any{"Key": "k", "Value": "a,b"}},
		{"Key=k,Value=", map[string]any{"Key": "k", "Value": ""}},
		{"Key = k , Value = v", map[string]any{"Key": "k", "Value": "v"}},
		{"Values=[a,b]", map[string]any{"Values": []any{"a", "b"}}},
	}
	for _, tt := range tests {
		got, err := parseShorthand(tt.in)
		if err != nil {
			t.Errorf("parseShorthand(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseShorthand(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseShorthandErrors(t *testing.T) {
	for _, in := range []string{"Key", "Key=a,Key=b", "Tags=[{Key=a", "Values=[a,b", "Key='open"} {
		if got, err := parseShorthand(in); err == nil {
			t.Errorf("parseShorthand(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseTagSpecs(t *testing.T) {
	want := []*pb.TagSpecification{{ResourceType: "instance", Tags: []*pb.Tag{{Key: "Name", Value: "web"}}},
		{ResourceType: "volume", Tags: []*pb.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: ""}}}}
	tests := [][]string{
		{"ResourceType=instance,Tags=[{Key=Name,Value=web}]", "ResourceType=volume,Tags=[{Key=a,Value=1},{Key=b,Value=\"\"}]"},
		{`[{"ResourceType":"instance","Tags":[{"Key":"Name","Value":"web"}]},{"ResourceType":"volume","Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":""}]}]`},
	}
	for _, in := range tests {
		got, err := parseTagSpecs(in)
		if err != nil {
			t.Fatalf("parseTagSpecs(%q): %v", in, err)
		}
		if !protoSliceEqual(got, want) {
			t.Errorf("parseTagSpecs(%q) = %v, want %v", in, got, want)
		}
	}
	if _, err := parseTagSpecs([]string{"ResourceType=instance,Tagz=[{Key=a,Value=b}]"}); err == nil {
		t.Error("unknown member Tagz accepted")
	}
}

func TestParseFilters(t *testing.T) {
	tests := []struct {
		in   []string
		want []*pb.Filter
	}{
		{[]string{"Name=instance-state-name,Values=running,stopped"},
			[]*pb.Filter{{Name: "instance-state-name", Values: []string{"running", "stopped"}}}},
		{[]string{"Name=tag:Name,Values=web", "Name=instance-type,Values=t3.*"},
			[]*pb.Filter{{Name: "tag:Name", Values: []string{"web"}}, {Name: "instance-type", Values: []string{"t3.*"}}}},
		{[]string{`[{"Name":"tag-key","Values":["team"]}]`}, []*pb.Filter{{Name: "tag-key", Values: []string{"team"}}}},
	}
	for _, tt := range tests {
		got, err := parseFilters(tt.in)
		if err != nil || !protoSliceEqual(got, tt.want) {
			t.Errorf("parseFilters(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParsePlacement(t *testing.T) {
	tests := []struct {
		in   string
		want *pb.Placement
		ok   bool
	}{
		{"AvailabilityZone=lab-1b,GroupName=spread", &pb.Placement{AvailabilityZone: "lab-1b", GroupName: "spread"}, true},
		{`{"AvailabilityZone":"lab-1a","PartitionNumber":2}`, &pb.Placement{AvailabilityZone: "lab-1a", PartitionNumber: 2}, true},
		{"Zone=lab-1a", nil, false},
		{"PartitionNumber=two", nil, false},
	}
	for _, tt := range tests {
		got, err := parsePlacement(tt.in)
		if (err == nil) != tt.ok || (tt.ok && !proto.Equal(got, tt.want)) {
			t.Errorf("parsePlacement(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in       string
		min, max int32
		ok       bool
	}{
		{"1", 1, 1, true}, {"3", 3, 3, true}, {"2:5", 2, 5, true}, {"1:1", 1, 1, true},
		{"0", 0, 0, false}, {"5:2", 0, 0, false}, {"a", 0, 0, false}, {"1:", 0, 0, false}, {"-1", 0, 0, false},
	}
	for _, tt := range tests {
		lo, hi, err := parseCount(tt.in)
		if (err == nil) != tt.ok || lo != tt.min || hi != tt.max {
			t.Errorf("parseCount(%q) = %d, %d, %v; want %d, %d ok=%v", tt.in, lo, hi, err, tt.min, tt.max, tt.ok)
		}
	}
}

func TestParseBlockDeviceMappings(t *testing.T) {
	yes := true
	want := []*pb.BlockDeviceMapping{{DeviceName: "/dev/sdf", Ebs: &pb.EbsBlockDevice{VolumeSize: 2,
		VolumeType: "gp3", DeleteOnTermination: &yes}}}
	for _, in := range []string{
		`[{"DeviceName":"/dev/sdf","Ebs":{"VolumeSize":2,"VolumeType":"gp3","DeleteOnTermination":true}}]`,
		"DeviceName=/dev/sdf,Ebs={VolumeSize=2,VolumeType=gp3,DeleteOnTermination=true}",
	} {
		got, err := parseBlockDeviceMappings([]string{in})
		if err != nil || !protoSliceEqual(got, want) {
			t.Errorf("parseBlockDeviceMappings(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := parseBlockDeviceMappings([]string{`[{"DeviceName":"/dev/sdf","Ebs":{"Size":2}}]`}); err == nil {
		t.Error("unknown Ebs member Size accepted")
	}
}

func protoSliceEqual[T proto.Message](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !proto.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
