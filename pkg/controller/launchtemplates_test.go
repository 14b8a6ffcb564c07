package controller

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// newTemplate creates a template of acct1 named name with data d.
func (r *rig) newTemplate(t *testing.T, name string, d LaunchTemplateData) LaunchTemplate {
	t.Helper()
	lt, _, err := r.svc.CreateLaunchTemplate(ctxFor(acct1), CreateTemplateRequest{Name: name, Data: d})
	if err != nil {
		t.Fatalf("CreateLaunchTemplate %s: %v", name, err)
	}
	return lt
}

func (r *rig) templateCount(t *testing.T) int {
	t.Helper()
	all, err := store.ListJSON[LaunchTemplate](ctxFor(acct1), r.svc.st, prefixLaunchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// TestCreateLaunchTemplateRefuses: what is malformed, and what ec2lab
// cannot honour, is refused with EC2's code and records nothing.
func TestCreateLaunchTemplateRefuses(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	r.newTemplate(t, "taken", LaunchTemplateData{})
	ok := func(d LaunchTemplateData) CreateTemplateRequest { return CreateTemplateRequest{Name: "web", Data: d} }
	tests := []struct {
		name string
		req  CreateTemplateRequest
		code string
	}{
		{"no name", CreateTemplateRequest{}, ec2err.MissingParameter},
		{"short name", CreateTemplateRequest{Name: "ab"}, ec2err.InvalidLaunchTemplateNameMalformed},
		{"name with a space", CreateTemplateRequest{Name: "web server"}, ec2err.InvalidLaunchTemplateNameMalformed},
		{"name in use", CreateTemplateRequest{Name: "taken"}, ec2err.InvalidLaunchTemplateNameAlreadyExists},
		{"long description", CreateTemplateRequest{Name: "web", VersionDescription: fmt.Sprintf("%0256d", 0)}, ec2err.InvalidParameterValue},
		{"template tagged as an instance", CreateTemplateRequest{Name: "web",
			TagSpecs: []TemplateTagSpec{{ResourceType: "instance", Tags: []Tag{{Key: "a", Value: "b"}}}}}, ec2err.InvalidParameterValue},
		{"aws: tag on the template", CreateTemplateRequest{Name: "web",
			TagSpecs: []TemplateTagSpec{{ResourceType: "launch-template", Tags: []Tag{{Key: "aws:x", Value: "b"}}}}}, ec2err.InvalidParameterValue},
		{"malformed image", ok(LaunchTemplateData{ImageID: "ubuntu"}), ec2err.InvalidAMIIDMalformed},
		{"unknown type", ok(LaunchTemplateData{InstanceType: "m9.huge"}), ec2err.InvalidParameterValue},
		{"credits of a fixed type", ok(LaunchTemplateData{InstanceType: "lab.tiny", CPUCredits: "standard"}), ec2err.InvalidParameterCombination},
		{"bad credit mode", ok(LaunchTemplateData{CPUCredits: "some"}), ec2err.InvalidParameterValue},
		{"user data not base64", ok(LaunchTemplateData{UserData: "#!/bin/sh"}), ec2err.InvalidParameterValue},
		{"malformed group", ok(LaunchTemplateData{SecurityGroupIDs: []string{"default"}}), ec2err.InvalidGroupIDMalformed},
		{"IAM profile", ok(LaunchTemplateData{IAMInstanceProfile: &InstanceProfileRef{Name: "web"}}), ec2err.UnsupportedOperation},
		{"EBS-optimized", ok(LaunchTemplateData{EBSOptimized: new(true)}), ec2err.UnsupportedOperation},
		{"detailed monitoring", ok(LaunchTemplateData{Monitoring: new(true)}), ec2err.UnsupportedOperation},
		{"terminate on shutdown", ok(LaunchTemplateData{ShutdownBehavior: "terminate"}), ec2err.UnsupportedOperation},
		{"bad shutdown behavior", ok(LaunchTemplateData{ShutdownBehavior: "halt"}), ec2err.InvalidParameterValue},
		{"dedicated tenancy", ok(LaunchTemplateData{Placement: &TemplatePlacement{Tenancy: "dedicated"}}), ec2err.UnsupportedOperation},
		{"two interfaces", ok(LaunchTemplateData{NetworkInterfaces: []TemplateInterface{{}, {DeviceIndex: new(int32(1))}}}), ec2err.UnsupportedOperation},
		{"second interface", ok(LaunchTemplateData{NetworkInterfaces: []TemplateInterface{{DeviceIndex: new(int32(1))}}}), ec2err.UnsupportedOperation},
		{"interface kept", ok(LaunchTemplateData{NetworkInterfaces: []TemplateInterface{{DeleteOnTermination: new(false)}}}), ec2err.UnsupportedOperation},
		{"IPv6 address", ok(LaunchTemplateData{NetworkInterfaces: []TemplateInterface{{PrivateIP: "fd00::5"}}}), ec2err.InvalidParameterValue},
		{"malformed subnet", ok(LaunchTemplateData{NetworkInterfaces: []TemplateInterface{{SubnetID: "subnet-1"}}}), ec2err.InvalidSubnetIDMalformed},
		{"device without a name", ok(LaunchTemplateData{BlockDevices: []TemplateDevice{{EBS: &TemplateEBS{SizeGiB: 2}}}}), ec2err.MissingParameter},
		{"bad volume type", ok(LaunchTemplateData{BlockDevices: []TemplateDevice{{DeviceName: "/dev/sdf", EBS: &TemplateEBS{VolumeType: "ssd"}}}}), ec2err.InvalidParameterValue},
		{"malformed snapshot", ok(LaunchTemplateData{BlockDevices: []TemplateDevice{{DeviceName: "/dev/sdf", EBS: &TemplateEBS{SnapshotID: "snap-1"}}}}), ec2err.InvalidSnapshotIDMalformed},
		{"interface tags", ok(LaunchTemplateData{TagSpecs: []TemplateTagSpec{{ResourceType: "network-interface"}}}), ec2err.UnsupportedOperation},
		{"unknown tag type", ok(LaunchTemplateData{TagSpecs: []TemplateTagSpec{{ResourceType: "vpc"}}}), ec2err.InvalidParameterValue},
		{"aws: instance tag", ok(LaunchTemplateData{TagSpecs: []TemplateTagSpec{{ResourceType: "instance", Tags: []Tag{{Key: "aws:x"}}}}}), ec2err.InvalidParameterValue},
		{"bad tokens", ok(LaunchTemplateData{MetadataOptions: &TemplateMetadataOptions{HTTPTokens: "sometimes"}}), ec2err.InvalidParameterValue},
		{"IPv6 metadata", ok(LaunchTemplateData{MetadataOptions: &TemplateMetadataOptions{HTTPProtocolIPv6: "enabled"}}), ec2err.UnsupportedOperation},
		{"tags in metadata", ok(LaunchTemplateData{MetadataOptions: &TemplateMetadataOptions{InstanceMetadataTags: "enabled"}}), ec2err.UnsupportedOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := r.templateCount(t)
			_, _, err := r.svc.CreateLaunchTemplate(ctxFor(acct1), tt.req)
			if got := errCode(err); got != tt.code {
				t.Fatalf("error %q (%v), want %q", got, err, tt.code)
			}
			if r.templateCount(t) != n {
				t.Error("a refused template was recorded")
			}
		})
	}
}

// TestCreateLaunchTemplateWarns: resources the data names that do not
// exist do not stop the template, as in EC2; each is a warning with the
// code RunInstances would answer, and RunInstances then fails with it.
func TestCreateLaunchTemplateWarns(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	d := LaunchTemplateData{ImageID: "ami-00000000000000bad", KeyName: "nokey", SecurityGroupIDs: []string{"sg-00000000000000bad"},
		Placement: &TemplatePlacement{AZ: "lab-9z", GroupName: "nogroup"}}
	lt, warnings, err := r.svc.CreateLaunchTemplate(ctxFor(acct1), CreateTemplateRequest{Name: "dangling", Data: d})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, w := range warnings {
		codes = append(codes, w.Code)
	}
	want := []string{ec2err.InvalidAMIIDNotFound, ec2err.InvalidKeyPairNotFound, ec2err.InvalidGroupNotFound,
		ec2err.InvalidParameterValue, ec2err.InvalidPlacementGroupUnknown}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Errorf("warnings %v, want %v", codes, want)
	}
	_, err = r.svc.RunInstances(ctxFor(acct1), RunRequest{MinCount: 1, MaxCount: 1, LaunchTemplate: &LaunchTemplateSpec{ID: lt.ID}})
	if got := errCode(err); got != ec2err.InvalidParameterValue && got != ec2err.InvalidAMIIDNotFound {
		t.Errorf("RunInstances from it: %v, want the launch refused", err)
	}
	_, warnings, err = r.svc.CreateLaunchTemplate(ctxFor(acct1), CreateTemplateRequest{Name: "good",
		Data: LaunchTemplateData{ImageID: r.ami, InstanceType: "lab.tiny"}})
	if err != nil || len(warnings) != 0 {
		t.Errorf("a template of existing resources: warnings %v, err %v", warnings, err)
	}
}

// TestLaunchTemplateVersions: versions are numbered from 1 and never
// reused, inherit their source version's members, and the default moves
// only by ModifyLaunchTemplate; the default cannot be deleted.
func TestLaunchTemplateVersions(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	lt := r.newTemplate(t, "web", LaunchTemplateData{ImageID: r.ami, InstanceType: "lab.tiny", KeyName: "k"})
	if lt.DefaultVersion != 1 || lt.LatestVersion != 1 {
		t.Fatalf("new template: default %d latest %d, want 1 and 1", lt.DefaultVersion, lt.LatestVersion)
	}
	v2, _, err := r.svc.CreateLaunchTemplateVersion(ctx, CreateVersionRequest{TemplateName: "web", SourceVersion: "1",
		VersionDescription: "bigger", Data: LaunchTemplateData{InstanceType: "t3.nano"}})
	if err != nil {
		t.Fatal(err)
	}
	if v2.Number != 2 || v2.Data.ImageID != r.ami || v2.Data.KeyName != "k" || v2.Data.InstanceType != "t3.nano" || v2.IsDefault() {
		t.Errorf("version 2: %+v, want number 2 with version 1's image and key, type t3.nano, not default", v2)
	}
	v3, _, err := r.svc.CreateLaunchTemplateVersion(ctx, CreateVersionRequest{TemplateID: lt.ID, Data: LaunchTemplateData{ImageID: r.ami}})
	if err != nil || v3.Number != 3 || v3.Data.KeyName != "" {
		t.Fatalf("version 3 without a source: %+v %v, want only its own members", v3, err)
	}
	describe := func(req DescribeVersionsRequest) []int64 {
		t.Helper()
		vs, _, err := r.svc.DescribeLaunchTemplateVersions(ctx, req)
		if err != nil {
			t.Fatalf("DescribeLaunchTemplateVersions %+v: %v", req, err)
		}
		var out []int64
		for _, v := range vs {
			out = append(out, v.Number)
		}
		return out
	}
	for _, tt := range []struct {
		req  DescribeVersionsRequest
		want string
	}{
		{DescribeVersionsRequest{TemplateID: lt.ID}, "[3 2 1]"},
		{DescribeVersionsRequest{TemplateName: "web", Versions: []string{"$Latest", "$Default", "3"}}, "[3 1]"},
		{DescribeVersionsRequest{TemplateID: lt.ID, MinVersion: "2"}, "[3 2]"},
		{DescribeVersionsRequest{TemplateID: lt.ID, MinVersion: "1", MaxVersion: "2"}, "[2 1]"},
		{DescribeVersionsRequest{TemplateID: lt.ID, Filters: []Filter{{Name: "instance-type", Values: []string{"t3.*"}}}}, "[2]"},
		{DescribeVersionsRequest{TemplateID: lt.ID, Filters: []Filter{{Name: "is-default-version", Values: []string{"true"}}}}, "[1]"},
		{DescribeVersionsRequest{Versions: []string{"$Latest"}}, "[3]"},
	} {
		if got := fmt.Sprint(describe(tt.req)); got != tt.want {
			t.Errorf("%+v: versions %s, want %s", tt.req, got, tt.want)
		}
	}
	if _, err := r.svc.ModifyLaunchTemplate(ctx, lt.ID, "", "2", true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("dry run of ModifyLaunchTemplate: %v", err)
	}
	mod, err := r.svc.ModifyLaunchTemplate(ctx, lt.ID, "", "2", false)
	if err != nil || mod.DefaultVersion != 2 {
		t.Fatalf("ModifyLaunchTemplate: %+v %v", mod, err)
	}
	if _, err := r.svc.ModifyLaunchTemplate(ctx, lt.ID, "", "9", false); errCode(err) != ec2err.InvalidLaunchTemplateIDVersionNotFound {
		t.Errorf("default version 9: %v", err)
	}
	ok, failed, err := r.svc.DeleteLaunchTemplateVersions(ctx, "", "web", []string{"2", "3", "7"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ok) != 1 || ok[0].Number != 3 || len(failed) != 2 || failed[0].Code != ltErrDefaultVersion || failed[1].Code != ltErrVersionNotFound {
		t.Errorf("delete 2 (default), 3, 7: deleted %+v, failed %+v", ok, failed)
	}
	v4, _, err := r.svc.CreateLaunchTemplateVersion(ctx, CreateVersionRequest{TemplateID: lt.ID, SourceVersion: "$Default"})
	if err != nil || v4.Number != 4 || v4.Data.InstanceType != "t3.nano" {
		t.Errorf("version after deleting 3: %+v %v, want number 4 (never reused) from the default", v4, err)
	}
	if got := fmt.Sprint(describe(DescribeVersionsRequest{TemplateID: lt.ID})); got != "[4 2 1]" {
		t.Errorf("versions after the deletion: %s", got)
	}
}

// TestLaunchTemplateLookups: IDs and names as EC2 answers them.
func TestLaunchTemplateLookups(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	lt := r.newTemplate(t, "web", LaunchTemplateData{})
	tests := []struct {
		name, id, tname, version, code string
	}{
		{"neither", "", "", "", ec2err.MissingParameter},
		{"both", lt.ID, "web", "", ec2err.InvalidParameterCombination},
		{"malformed ID", "lt-1", "", "", ec2err.InvalidLaunchTemplateIDMalformed},
		{"unknown ID", "lt-0000000000000dead", "", "", ec2err.InvalidLaunchTemplateIDNotFound},
		{"unknown name", "", "db", "", ec2err.InvalidLaunchTemplateNameNotFound},
		{"unknown version", lt.ID, "", "5", ec2err.InvalidLaunchTemplateIDVersionNotFound},
		{"bad version", lt.ID, "", "latest", ec2err.InvalidParameterValue},
		{"by name", "", "web", "$Latest", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := r.svc.DescribeLaunchTemplateVersions(ctx, DescribeVersionsRequest{TemplateID: tt.id, TemplateName: tt.tname,
				Versions: nonEmpty(tt.version)})
			if got := errCode(err); got != tt.code && !(tt.id == "" && tt.tname == "" && got == ec2err.MissingParameter) {
				t.Errorf("error %q (%v), want %q", got, err, tt.code)
			}
		})
	}
	if _, _, err := r.svc.DescribeLaunchTemplateVersions(ctxFor(acct2), DescribeVersionsRequest{TemplateID: lt.ID}); errCode(err) != ec2err.InvalidLaunchTemplateIDNotFound {
		t.Errorf("another account's template: %v, want InvalidLaunchTemplateId.NotFound", err)
	}
}

// TestDescribeLaunchTemplates: by ID and name, filters, pages, and only
// the caller's.
func TestDescribeLaunchTemplates(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	var made []string
	for i, name := range []string{"web-1", "web-2", "dbs"} {
		lt, _, err := r.svc.CreateLaunchTemplate(ctx, CreateTemplateRequest{Name: name,
			TagSpecs: []TemplateTagSpec{{ResourceType: "launch-template", Tags: []Tag{{Key: "tier", Value: fmt.Sprint(i)}}}}})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, lt.ID)
	}
	if _, _, err := r.svc.CreateLaunchTemplate(ctxFor(acct2), CreateTemplateRequest{Name: "web-1"}); err != nil {
		t.Fatalf("another account's template of the same name: %v", err)
	}
	names := func(ids, ns []string, f []Filter) string {
		t.Helper()
		got, _, err := r.svc.DescribeLaunchTemplates(ctx, ids, ns, f, Page{})
		if err != nil {
			t.Fatalf("DescribeLaunchTemplates: %v", err)
		}
		var out []string
		for _, lt := range got {
			out = append(out, lt.Name)
		}
		return fmt.Sprint(out)
	}
	if got := names([]string{made[2]}, []string{"web-1"}, nil); got != "[web-1 dbs]" && got != "[dbs web-1]" {
		t.Errorf("by ID and name: %s", got)
	}
	if got := names(nil, nil, []Filter{{Name: "launch-template-name", Values: []string{"web-*"}}}); got != "[web-1 web-2]" && got != "[web-2 web-1]" {
		t.Errorf("name filter: %s", got)
	}
	if got := names(nil, nil, []Filter{{Name: "tag:tier", Values: []string{"2"}}}); got != "[dbs]" {
		t.Errorf("tag filter: %s", got)
	}
	if got := names(nil, nil, []Filter{{Name: "create-time", Values: []string{"20*"}}, {Name: "tag-key", Values: []string{"tier"}}}); len(got) < 10 {
		t.Errorf("create-time and tag-key filters: %s", got)
	}
	var seen []string
	for p := (Page{MaxResults: 2}); ; {
		got, next, err := r.svc.DescribeLaunchTemplates(ctx, nil, nil, nil, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, lt := range got {
			seen = append(seen, lt.ID)
		}
		if next == "" {
			break
		}
		p.NextToken = next
	}
	if len(seen) != 3 {
		t.Errorf("pages of 2 gave %v, want the caller's 3 templates", seen)
	}
	for _, tt := range []struct {
		ids, names []string
		p          Page
		code       string
	}{
		{[]string{"lt-12"}, nil, Page{}, ec2err.InvalidLaunchTemplateIDMalformed},
		{[]string{"lt-0000000000000dead"}, nil, Page{}, ec2err.InvalidLaunchTemplateIDNotFound},
		{nil, []string{"nope"}, Page{}, ec2err.InvalidLaunchTemplateNameNotFound},
		{nil, nil, Page{MaxResults: 201}, ec2err.InvalidParameterValue},
	} {
		if _, _, err := r.svc.DescribeLaunchTemplates(ctx, tt.ids, tt.names, nil, tt.p); errCode(err) != tt.code {
			t.Errorf("%v %v %+v: %v, want %s", tt.ids, tt.names, tt.p, err, tt.code)
		}
	}
}

// TestLaunchTemplateTagsAndDelete: a template takes CreateTags and shows
// in DescribeTags; deleting it removes its versions and frees its name.
func TestLaunchTemplateTagsAndDelete(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	lt := r.newTemplate(t, "web", LaunchTemplateData{})
	if err := r.svc.CreateTags(ctx, []string{lt.ID}, []Tag{{Key: "env", Value: "lab"}}, false); err != nil {
		t.Fatal(err)
	}
	tags, _, err := r.svc.DescribeTags(ctx, []Filter{{Name: "resource-type", Values: []string{"launch-template"}}}, Page{})
	if err != nil || len(tags) != 1 || tags[0].ResourceID != lt.ID || tags[0].Key != "env" {
		t.Errorf("DescribeTags: %+v %v", tags, err)
	}
	if err := r.svc.CreateTags(ctxFor(acct2), []string{lt.ID}, []Tag{{Key: "x"}}, false); errCode(err) != ec2err.InvalidID {
		t.Errorf("tagging another account's template: %v", err)
	}
	if _, err := r.svc.DeleteLaunchTemplate(ctx, lt.ID, "", true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("dry run: %v", err)
	}
	got, err := r.svc.DeleteLaunchTemplate(ctx, "", "web", false)
	if err != nil || got.ID != lt.ID {
		t.Fatalf("DeleteLaunchTemplate: %+v %v", got, err)
	}
	if kvs, _ := r.svc.st.List(ctx, prefixLTVersion); len(kvs) != 0 {
		t.Errorf("%d versions left", len(kvs))
	}
	if _, err := r.svc.DeleteLaunchTemplate(ctx, lt.ID, "", false); errCode(err) != ec2err.InvalidLaunchTemplateIDNotFound {
		t.Errorf("second delete: %v", err)
	}
	r.newTemplate(t, "web", LaunchTemplateData{})
}

// TestLaunchTemplateClientToken: a retried create with the same token
// answers what the first made; other parameters are a mismatch.
func TestLaunchTemplateClientToken(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	req := CreateTemplateRequest{Name: "web", ClientToken: "tok", Data: LaunchTemplateData{InstanceType: "lab.tiny"}}
	first, _, err := r.svc.CreateLaunchTemplate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := r.svc.CreateLaunchTemplate(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Errorf("retry: %+v %v, want %s", again, err, first.ID)
	}
	req.Data.InstanceType = "t3.nano"
	if _, _, err := r.svc.CreateLaunchTemplate(ctx, req); errCode(err) != ec2err.IdempotentParameterMismatch {
		t.Errorf("changed retry: %v", err)
	}
	vreq := CreateVersionRequest{TemplateID: first.ID, ClientToken: "vtok"}
	v1, _, err := r.svc.CreateLaunchTemplateVersion(ctx, vreq)
	if err != nil {
		t.Fatal(err)
	}
	v2, _, err := r.svc.CreateLaunchTemplateVersion(ctx, vreq)
	if err != nil || v2.Number != v1.Number {
		t.Errorf("retried version: %d %v, want %d", v2.Number, err, v1.Number)
	}
}

// TestRunInstancesFromLaunchTemplate: the template fills what the request
// leaves out, the request wins where both give a member, and the instance
// is tagged with the template's ID and version.
func TestRunInstancesFromLaunchTemplate(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	d := LaunchTemplateData{ImageID: r.ami, InstanceType: "lab.tiny", UserData: base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\n")),
		DisableAPITermination: new(true), Placement: &TemplatePlacement{AZ: "lab-1b"},
		MetadataOptions: &TemplateMetadataOptions{HTTPTokens: "required"},
		TagSpecs:        []TemplateTagSpec{{ResourceType: "instance", Tags: []Tag{{Key: "Name", Value: "web"}, {Key: "tier", Value: "front"}}}}}
	lt := r.newTemplate(t, "web", d)
	if _, _, err := r.svc.CreateLaunchTemplateVersion(ctx, CreateVersionRequest{TemplateID: lt.ID, SourceVersion: "1",
		Data: LaunchTemplateData{Placement: &TemplatePlacement{AZ: "lab-1a"}}}); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{MinCount: 1, MaxCount: 1, LaunchTemplate: &LaunchTemplateSpec{Name: "web"},
		Tags: map[string][]Tag{"instance": {{Key: "Name", Value: "web-7"}}}})
	if err != nil {
		t.Fatal(err)
	}
	in := res.Instances[0]
	tags := map[string]string{}
	for _, tg := range in.Tags {
		tags[tg.Key] = tg.Value
	}
	if in.ImageID != r.ami || in.Type != "lab.tiny" || string(in.UserData) != "#!/bin/sh\n" || !in.DisableAPITermination ||
		in.AZ != "lab-1b" || in.Metadata.HTTPTokens != "required" {
		t.Errorf("instance from the default version: %+v", in)
	}
	if tags["Name"] != "web-7" || tags["tier"] != "front" || tags[tagTemplateID] != lt.ID || tags[tagTemplateVersion] != "1" {
		t.Errorf("instance tags %v, want the request's Name, the template's tier and the template tags", tags)
	}
	res, err = r.svc.RunInstances(ctx, RunRequest{MinCount: 1, MaxCount: 1, AZ: "lab-1b",
		LaunchTemplate: &LaunchTemplateSpec{ID: lt.ID, Version: "$Latest"}})
	if err != nil || res.Instances[0].AZ != "lab-1b" || res.Instances[0].Tags[len(res.Instances[0].Tags)-1].Value != "2" {
		t.Errorf("version $Latest with the zone overridden: %+v %v", res.Instances, err)
	}
	for _, tt := range []struct {
		spec LaunchTemplateSpec
		code string
	}{
		{LaunchTemplateSpec{Name: "db"}, ec2err.InvalidLaunchTemplateNameNotFound},
		{LaunchTemplateSpec{ID: lt.ID, Version: "8"}, ec2err.InvalidLaunchTemplateIDVersionNotFound},
		{LaunchTemplateSpec{ID: "lt-x"}, ec2err.InvalidLaunchTemplateIDMalformed},
	} {
		if _, err := r.svc.RunInstances(ctx, RunRequest{MinCount: 1, MaxCount: 1, LaunchTemplate: &tt.spec}); errCode(err) != tt.code {
			t.Errorf("%+v: %v, want %s", tt.spec, err, tt.code)
		}
	}
	bare := r.newTemplate(t, "bare", LaunchTemplateData{InstanceType: "lab.tiny"})
	if _, err := r.svc.RunInstances(ctx, RunRequest{MinCount: 1, MaxCount: 1, LaunchTemplate: &LaunchTemplateSpec{ID: bare.ID}}); errCode(err) != ec2err.MissingParameter {
		t.Errorf("no image in the template or the request: %v", err)
	}
}

// TestMergeTemplate: members the request gives win, block devices merge
// by name and member, and a template's network interface becomes the
// instance's subnet, address and groups.
func TestMergeTemplate(t *testing.T) {
	sg, subnet := "sg-0123456789abcdef0", "subnet-0123456789abcdef0"
	tests := []struct {
		name  string
		req   RunRequest
		d     LaunchTemplateData
		check func(RunRequest) bool
		code  string
	}{
		{"request wins", RunRequest{InstanceType: "t3.nano", KeyName: "mine"},
			LaunchTemplateData{InstanceType: "lab.tiny", KeyName: "theirs", ImageID: "ami-1"},
			func(q RunRequest) bool {
				return q.InstanceType == "t3.nano" && q.KeyName == "mine" && q.ImageID == "ami-1"
			}, ""},
		{"devices merge", RunRequest{Devices: []DeviceOverride{{DeviceName: "/dev/xvda", SizeGiB: 9}, {DeviceName: "/dev/sdg", SizeGiB: 1}}},
			LaunchTemplateData{BlockDevices: []TemplateDevice{{DeviceName: "/dev/xvda", EBS: &TemplateEBS{SizeGiB: 4, VolumeType: "gp2"}}}},
			func(q RunRequest) bool {
				return len(q.Devices) == 2 && q.Devices[0].SizeGiB == 9 && q.Devices[0].VolumeType == "gp2" && q.Devices[1].DeviceName == "/dev/sdg"
			}, ""},
		{"interface", RunRequest{}, LaunchTemplateData{NetworkInterfaces: []TemplateInterface{{SubnetID: subnet, Groups: []string{sg}, PrivateIP: "10.0.0.9"}}},
			func(q RunRequest) bool {
				return q.SubnetID == subnet && q.PrivateIP == "10.0.0.9" && fmt.Sprint(q.SecurityGroupIDs) == "["+sg+"]"
			}, ""},
		{"groups without interface", RunRequest{}, LaunchTemplateData{SecurityGroupIDs: []string{sg}},
			func(q RunRequest) bool { return fmt.Sprint(q.SecurityGroupIDs) == "["+sg+"]" }, ""},
		{"request groups with a template interface", RunRequest{SecurityGroupIDs: []string{sg}},
			LaunchTemplateData{NetworkInterfaces: []TemplateInterface{{SubnetID: subnet}}}, nil, ec2err.InvalidParameterCombination},
		{"tags by key", RunRequest{Tags: map[string][]Tag{"volume": {{Key: "a", Value: "req"}}}},
			LaunchTemplateData{TagSpecs: []TemplateTagSpec{{ResourceType: "volume", Tags: []Tag{{Key: "a", Value: "tpl"}, {Key: "b", Value: "tpl"}}}}},
			func(q RunRequest) bool { return fmt.Sprint(q.Tags["volume"]) == "[{a req} {b tpl}]" }, ""},
		{"hop limit", RunRequest{MetadataOptions: MetadataOptionsRequest{HTTPTokens: "optional"}},
			LaunchTemplateData{MetadataOptions: &TemplateMetadataOptions{HTTPTokens: "required", HopLimit: new(int32(3))}},
			func(q RunRequest) bool {
				return q.MetadataOptions.HTTPTokens == "optional" && *q.MetadataOptions.HopLimit == 3
			}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mergeTemplate(tt.req, tt.d)
			if errCode(err) != tt.code {
				t.Fatalf("error %v, want %q", err, tt.code)
			}
			if tt.check != nil && !tt.check(got) {
				t.Errorf("merged %+v", got)
			}
		})
	}
}

// TestGetLaunchTemplateData: an instance described as template data makes
// a template that launches another like it.
func TestGetLaunchTemplateData(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	id := r.run(t, 1, "lab-1a", Tag{Key: "Name", Value: "web"})[0]
	if _, err := r.svc.GetLaunchTemplateData(ctx, id, true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("dry run: %v", err)
	}
	if _, err := r.svc.GetLaunchTemplateData(ctxFor(acct2), id, false); errCode(err) != ec2err.InvalidInstanceIDNotFound {
		t.Errorf("another account's instance: %v", err)
	}
	d, err := r.svc.GetLaunchTemplateData(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.ImageID != r.ami || d.InstanceType != "lab.tiny" || len(d.BlockDevices) != 1 || len(d.NetworkInterfaces) != 1 ||
		d.Placement.AZ != "lab-1a" || fmt.Sprint(d.TagSpecs) != "[{instance [{Name web}]}]" {
		t.Errorf("data %+v", d)
	}
	lt, warnings, err := r.svc.CreateLaunchTemplate(ctx, CreateTemplateRequest{Name: "copy", Data: d})
	if err != nil || len(warnings) != 0 {
		t.Fatalf("a template of the data: %v, warnings %v", err, warnings)
	}
	if _, err := r.svc.RunInstances(ctx, RunRequest{MinCount: 1, MaxCount: 1, LaunchTemplate: &LaunchTemplateSpec{ID: lt.ID}}); err != nil {
		t.Errorf("launch from it: %v", err)
	}
}
