package controller_test

import (
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// TestAccountSettingsThroughTheAWSCLI: the real AWS CLI reads and changes
// the account's serial console access, instance metadata defaults and
// default credit specification and reads the ID formats; a launch
// through it takes the metadata defaults; ec2ctl prints the same
// documents over gRPC.
func TestAccountSettingsThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	a := ec2Tools{asg: newASGTools(t, e, rig.Acct1)}
	same := func(args ...string) map[string]any {
		t.Helper()
		doc := a.aws(args...)
		if viaCtl := a.ec2ctl(args...); !reflect.DeepEqual(viaCtl, doc) {
			t.Errorf("ec2ctl %v:\n%v\naws:\n%v", args, viaCtl, doc)
		}
		return doc
	}

	t.Run("serial console access", func(t *testing.T) {
		if doc := same("get-serial-console-access-status"); doc["SerialConsoleAccessEnabled"] != true || doc["ManagedBy"] != "account" {
			t.Errorf("status: %v", doc)
		}
		if doc := a.aws("disable-serial-console-access"); doc["SerialConsoleAccessEnabled"] != false {
			t.Errorf("disable: %v", doc)
		}
		if doc := same("get-serial-console-access-status"); doc["SerialConsoleAccessEnabled"] != false {
			t.Errorf("status after disable: %v", doc)
		}
		a.awsFails("DryRunOperation", "enable-serial-console-access", "--dry-run")
		if doc := a.ec2ctl("enable-serial-console-access"); doc["SerialConsoleAccessEnabled"] != true {
			t.Errorf("enable: %v", doc)
		}
	})
	t.Run("instance metadata defaults", func(t *testing.T) {
		if doc := same("get-instance-metadata-defaults"); !reflect.DeepEqual(doc["AccountLevel"], map[string]any{"ManagedBy": "account"}) {
			t.Errorf("before any change: %v", doc)
		}
		if doc := a.aws("modify-instance-metadata-defaults", "--http-tokens", "required", "--http-put-response-hop-limit", "2"); doc["Return"] != true {
			t.Errorf("modify: %v", doc)
		}
		a.awsFails("InvalidParameterValue", "modify-instance-metadata-defaults", "--http-endpoint", "sometimes")
		a.awsFails("UnsupportedOperation", "modify-instance-metadata-defaults", "--instance-metadata-tags", "enabled")
		want := map[string]any{"HttpTokens": "required", "HttpPutResponseHopLimit": float64(2), "ManagedBy": "account"}
		if doc := same("get-instance-metadata-defaults"); !reflect.DeepEqual(doc["AccountLevel"], want) {
			t.Errorf("after modify: %v, want %v", doc, want)
		}
		run := a.aws("run-instances", "--image-id", rig.AMI, "--instance-type", "lab.tiny", "--count", "1",
			"--placement", "AvailabilityZone=lab-1a")
		if got := docAt(t, run, "Instances.0.MetadataOptions.HttpTokens"); got != "required" {
			t.Errorf("launch under the defaults: HttpTokens %v", got)
		}
		a.aws("modify-instance-metadata-defaults", "--http-tokens", "no-preference", "--http-put-response-hop-limit", "-1")
	})
	t.Run("default credit specification", func(t *testing.T) {
		if doc := same("get-default-credit-specification", "--instance-family", "t3"); docAt(t, doc, "InstanceFamilyCreditSpecification.CpuCredits") != "unlimited" {
			t.Errorf("t3 default: %v", doc)
		}
		doc := a.aws("modify-default-credit-specification", "--instance-family", "t3", "--cpu-credits", "standard")
		if docAt(t, doc, "InstanceFamilyCreditSpecification.CpuCredits") != "standard" ||
			docAt(t, doc, "InstanceFamilyCreditSpecification.InstanceFamily") != "t3" {
			t.Errorf("modify: %v", doc)
		}
		a.awsFails("InvalidParameterValue", "modify-default-credit-specification", "--instance-family", "m5", "--cpu-credits", "standard")
		if doc := same("get-default-credit-specification", "--instance-family", "t3"); docAt(t, doc, "InstanceFamilyCreditSpecification.CpuCredits") != "standard" {
			t.Errorf("t3 after modify: %v", doc)
		}
	})
	t.Run("report instance status", func(t *testing.T) {
		if doc := a.aws("report-instance-status", "--instances", rig.Instance, "--status", "impaired",
			"--reason-codes", "unresponsive", "--start-time", "2026-12-07T20:00:00Z", "--description", "ssh hangs"); doc != nil {
			t.Errorf("report-instance-status printed %v", doc)
		}
		a.ec2ctl("report-instance-status", "--instances", rig.Instance, "--status", "ok", "--reason-codes", "other")
		a.awsFails("InvalidParameterValue", "report-instance-status", "--instances", rig.Instance, "--status", "sad", "--reason-codes", "other")
		got, err := rig.Svc.InstanceReports(rig.Ctx1(), rig.Instance)
		if err != nil || len(got) != 2 || got[0].Status != "impaired" || got[1].Status != "ok" || got[0].Start.IsZero() {
			t.Errorf("recorded reports: %+v %v", got, err)
		}
	})
	t.Run("ID formats", func(t *testing.T) {
		doc := same("describe-id-format", "--resource", "instance")
		if !reflect.DeepEqual(doc["Statuses"], []any{map[string]any{"Resource": "instance", "UseLongIds": true}}) {
			t.Errorf("describe-id-format instance: %v", doc)
		}
		all := same("describe-aggregate-id-format")
		if all["UseLongIdsAggregated"] != true || len(all["Statuses"].([]any)) < 20 {
			t.Errorf("describe-aggregate-id-format: %v", all)
		}
		same("describe-identity-id-format", "--principal-arn", "arn:aws:iam::"+rig.Acct1+":root", "--resource", "volume")
		a.awsFails("InvalidParameterValue", "describe-id-format", "--resource", "spaceship")
	})
}
