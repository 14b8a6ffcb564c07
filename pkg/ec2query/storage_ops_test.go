package ec2query

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestStorageOpsParameters checks what the wire forms of the volume
// modification, status and attribute actions, snapshot sharing and EBS
// encryption by default become (names as the AWS CLI and boto3 send them).
func TestStorageOpsParameters(t *testing.T) {
	tests := []struct {
		name, form string
		want       string // prototext of the request Compute gets
	}{
		{"modifications", "Action=DescribeVolumesModifications&VolumeId.1=" + fakeVolume +
			"&Filter.1.Name=modification-state&Filter.1.Value.1=completed&MaxResults=10&NextToken=t",
			`volume_ids:"` + fakeVolume + `" filters:{name:"modification-state" values:"completed"} max_results:10 next_token:"t"`},
		{"status", "Action=DescribeVolumeStatus&VolumeId.1=" + fakeVolume + "&Filter.1.Name=volume-status.status&Filter.1.Value.1=ok&IncludeManagedResources=true",
			`volume_ids:"` + fakeVolume + `" filters:{name:"volume-status.status" values:"ok"} include_managed_resources:true`},
		{"describe volume attribute", "Action=DescribeVolumeAttribute&VolumeId=" + fakeVolume + "&Attribute=autoEnableIO",
			`volume_id:"` + fakeVolume + `" attribute:"autoEnableIO"`},
		{"modify volume attribute", "Action=ModifyVolumeAttribute&VolumeId=" + fakeVolume + "&AutoEnableIO.Value=true",
			`volume_id:"` + fakeVolume + `" auto_enable_io:{value:true}`},
		{"share lists", "Action=ModifySnapshotAttribute&SnapshotId=" + fakeSnapshot +
			"&CreateVolumePermission.Add.1.UserId=222222222222&CreateVolumePermission.Add.2.Group=all&CreateVolumePermission.Remove.1.UserId=333333333333",
			`snapshot_id:"` + fakeSnapshot + `" create_volume_permission:{add:{user_id:"222222222222"} add:{group:"all"} remove:{user_id:"333333333333"}}`},
		{"share legacy", "Action=ModifySnapshotAttribute&SnapshotId=" + fakeSnapshot +
			"&Attribute=createVolumePermission&OperationType=add&UserId.1=222222222222&UserGroup.1=all",
			`snapshot_id:"` + fakeSnapshot + `" attribute:"createVolumePermission" operation_type:"add" user_ids:"222222222222" group_names:"all"`},
		{"describe snapshot attribute", "Action=DescribeSnapshotAttribute&SnapshotId=" + fakeSnapshot + "&Attribute=createVolumePermission",
			`snapshot_id:"` + fakeSnapshot + `" attribute:"createVolumePermission"`},
		{"reset snapshot attribute", "Action=ResetSnapshotAttribute&SnapshotId=" + fakeSnapshot + "&Attribute=createVolumePermission",
			`snapshot_id:"` + fakeSnapshot + `" attribute:"createVolumePermission"`},
		{"restorable by", "Action=DescribeSnapshots&RestorableBy.1=self&RestorableBy.2=222222222222&Owner.1=111111111111",
			`owner_ids:"111111111111" restorable_by_user_ids:"self" restorable_by_user_ids:"222222222222"`},
		{"enable encryption", "Action=EnableEbsEncryptionByDefault", ``},
		{"kms key", "Action=GetEbsDefaultKmsKeyId", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeCompute{}
			rep := post(t, testHandler(f), tt.form+"&Version=2016-11-15")
			if rep.status != 200 || len(f.calls) != 1 {
				t.Fatalf("got %d %s (calls %d)", rep.status, rep.body, len(f.calls))
			}
			if !equalsText(t, f.calls[0], tt.want) {
				t.Fatalf("Compute got\n%s\nwant\n%s", prototext.Format(f.calls[0]), tt.want)
			}
		})
	}
}

func TestStorageOpsErrors(t *testing.T) {
	tests := []struct {
		name, form string
		status     int
		code       string
	}{
		{"volume attribute needs an attribute", "Action=DescribeVolumeAttribute&VolumeId=" + fakeVolume, 400, ec2err.MissingParameter},
		{"modify volume attribute needs a volume", "Action=ModifyVolumeAttribute&AutoEnableIO.Value=true", 400, ec2err.MissingParameter},
		{"snapshot attribute needs a snapshot", "Action=DescribeSnapshotAttribute&Attribute=createVolumePermission", 400, ec2err.MissingParameter},
		{"reset needs an attribute", "Action=ResetSnapshotAttribute&SnapshotId=" + fakeSnapshot, 400, ec2err.MissingParameter},
		{"modify kms key needs a key", "Action=ModifyEbsDefaultKmsKeyId", 400, ec2err.MissingParameter},
		{"no kms", "Action=ModifyEbsDefaultKmsKeyId&KmsKeyId=alias/mine", 400, ec2err.UnsupportedOperation},
		{"not the owner", "Action=ModifySnapshotAttribute&SnapshotId=" + foreignSnapshot + "&CreateVolumePermission.Add.1.Group=all", 401, ec2err.AuthFailure},
		{"unknown parameter", "Action=DescribeVolumeStatus&Size=1", 400, ec2err.UnknownParameter},
		{"dry run", "Action=EnableEbsEncryptionByDefault&DryRun=true", 412, ec2err.DryRunOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := post(t, testHandler(&fakeCompute{}), tt.form+"&Version=2016-11-15")
			if e := ec2Error(t, rep); rep.status != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s %q, want %d %s", rep.status, e.Code, e.Message, tt.status, tt.code)
			}
		})
	}
}

// TestStorageOpsDocuments checks the elements EC2 sends: the attribute
// asked for (a list present even when empty), empty eventsSet/actionsSet,
// the modification's end time and message.
func TestStorageOpsDocuments(t *testing.T) {
	tests := []struct {
		form string
		want []string
	}{
		{"Action=DescribeVolumeAttribute&VolumeId=" + fakeVolume + "&Attribute=autoEnableIO",
			[]string{"<volumeId>" + fakeVolume + "</volumeId><autoEnableIO><value>true</value></autoEnableIO>"}},
		{"Action=DescribeVolumeAttribute&VolumeId=" + fakeVolume + "&Attribute=productCodes", []string{"<productCodes></productCodes>"}},
		{"Action=DescribeSnapshotAttribute&SnapshotId=" + fakeSnapshot + "&Attribute=createVolumePermission",
			[]string{"<createVolumePermission><item><group>all</group></item><item><userId>222222222222</userId></item></createVolumePermission>"}},
		{"Action=DescribeSnapshotAttribute&SnapshotId=" + fakeSnapshot + "&Attribute=productCodes", []string{"<productCodes></productCodes>"}},
		{"Action=DescribeVolumeStatus", []string{"<eventsSet></eventsSet><actionsSet></actionsSet>",
			"<details><item><name>io-enabled</name><status>passed</status></item><item><name>io-performance</name>",
			"<attachmentStatuses><item><ioPerformance>insufficient-data</ioPerformance><instanceId>" + fakeInstance}},
		{"Action=DescribeVolumesModifications", []string{"<volumeModificationSet><item><volumeId>" + fakeVolume,
			"<endTime>2026-11-26T10:11:12.345Z</endTime>", "<statusMessage>resize failed: no space left</statusMessage>",
			"<nextToken>next-page</nextToken>"}},
		{"Action=GetEbsEncryptionByDefault", []string{"<ebsEncryptionByDefault>true</ebsEncryptionByDefault>"}},
		{"Action=DisableEbsEncryptionByDefault", []string{"<ebsEncryptionByDefault>false</ebsEncryptionByDefault>"}},
		{"Action=GetEbsDefaultKmsKeyId", []string{"<kmsKeyId>alias/aws/ebs</kmsKeyId>"}},
	}
	for _, tt := range tests {
		rep := post(t, testHandler(&fakeCompute{}), tt.form+"&Version=2016-11-15")
		for _, w := range tt.want {
			if rep.status != 200 || !strings.Contains(rep.body, w) {
				t.Errorf("%s: got %d %s, want it to contain %s", tt.form, rep.status, rep.body, w)
			}
		}
	}
	empty := snapshotAttributeXML(&ec2labv1.SnapshotAttribute{SnapshotId: fakeSnapshot, Attribute: "createVolumePermission"})
	doc, err := marshalResponse("DescribeSnapshotAttribute", "req-1", empty)
	if err != nil || !strings.Contains(string(doc), "<createVolumePermission></createVolumePermission>") {
		t.Errorf("no permissions: %v %s, want an empty <createVolumePermission>", err, doc)
	}
}

// TestBotoStorageOps: boto3 calls every action; each answer matches
// botocore's model and parses to the fake's values; moto answers the same
// top-level keys where it serves the action.
func TestBotoStorageOps(t *testing.T) {
	needBoto3(t)
	needTool(t, "sh", "-c", "command -v moto_server")
	srv, f := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/storage_ops.py")
	if !strings.Contains(out, "STORAGE OPS OK") {
		t.Fatalf("storage_ops.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
	want := []string{
		`snapshot_id:"` + fakeSnapshot + `" create_volume_permission:{add:{user_id:"222222222222"} add:{group:"all"}}`,
		`snapshot_id:"` + fakeSnapshot + `" attribute:"createVolumePermission" operation_type:"remove" user_ids:"222222222222" group_names:"all"`,
	}
	mods := received[*ec2labv1.ModifySnapshotAttributeRequest](f)
	if len(mods) < len(want) {
		t.Fatalf("ModifySnapshotAttribute requests: %v", mods)
	}
	for i, w := range want {
		if !equalsText(t, mods[i], w) {
			t.Errorf("ModifySnapshotAttribute %d: Compute got\n%s\nwant\n%s", i, prototext.Format(mods[i]), w)
		}
	}
	vols := received[*ec2labv1.ModifyVolumeAttributeRequest](f)
	if len(vols) == 0 || !equalsText(t, vols[0], `volume_id:"`+fakeVolume+`" auto_enable_io:{value:true}`) {
		t.Errorf("ModifyVolumeAttribute reached Compute as %v", vols)
	}
	snaps := received[*ec2labv1.DescribeSnapshotsRequest](f)
	if len(snaps) == 0 || strings.Join(snaps[0].GetRestorableByUserIds(), ",") != "self,all" {
		t.Errorf("DescribeSnapshots RestorableByUserIds reached Compute as %v", snaps)
	}
}
