package controller_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// TestImageLifecycleThroughTheAWSCLI: the real AWS CLI protects an image
// (DeregisterImage refused until the protection is lifted), deprecates it
// and describes the instance's image metadata; ec2ctl prints the same.
func TestImageLifecycleThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	a := ec2Tools{asg: newASGTools(t, e, rig.Acct1)}
	if doc := a.aws("enable-image-deregistration-protection", "--image-id", rig.AMI, "--with-cooldown"); doc["Return"] != "enabled-with-cooldown" {
		t.Errorf("enable-image-deregistration-protection: %v", doc)
	}
	a.awsFails("InvalidParameterValue", "deregister-image", "--image-id", rig.AMI)
	doc := a.aws("disable-image-deregistration-protection", "--image-id", rig.AMI)
	if r, _ := doc["Return"].(string); !strings.HasPrefix(r, "disabled-after-") {
		t.Errorf("disable-image-deregistration-protection with a cooldown: %v", doc)
	}
	a.awsFails("InvalidParameterValue", "deregister-image", "--image-id", rig.AMI)
	if got := docAt(t, a.aws("describe-images", "--image-ids", rig.AMI), "Images.0.DeregistrationProtection"); got != doc["Return"] {
		t.Errorf("describe-images DeregistrationProtection = %v, want %v", got, doc["Return"])
	}
	a.awsFails("InvalidAMIID.NotFound", "enable-image-deregistration-protection", "--image-id", "ami-00000000000000000")

	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute).Add(20 * time.Second)
	if doc := a.aws("enable-image-deprecation", "--image-id", rig.AMI, "--deprecate-at", at.Format(time.RFC3339)); doc["Return"] != true {
		t.Errorf("enable-image-deprecation: %v", doc)
	}
	a.awsFails("InvalidParameterValue", "enable-image-deprecation", "--image-id", rig.AMI, "--deprecate-at", "2001-01-01T00:00:00Z")
	images := a.aws("describe-images", "--image-ids", rig.AMI)
	if got := docAt(t, images, "Images.0.DeprecationTime"); got != at.Round(time.Minute).Format("2006-01-02T15:04:05Z") {
		t.Errorf("DeprecationTime = %v (asked %v)", got, at)
	}
	if viaCtl := a.ec2ctl("describe-images", "--image-ids", rig.AMI); docAt(t, viaCtl, "Images.0.DeprecationTime") != docAt(t, images, "Images.0.DeprecationTime") {
		t.Errorf("ec2ctl describe-images:\n%v\naws:\n%v", viaCtl, images)
	}
	a.aws("disable-image-deprecation", "--image-id", rig.AMI)
	if _, ok := docAt(t, a.aws("describe-images", "--image-ids", rig.AMI), "Images.0").(map[string]any)["DeprecationTime"]; ok {
		t.Error("DeprecationTime left after disable-image-deprecation")
	}
	a.awsFails("InvalidParameterValue", "cancel-image-launch-permission", "--image-id", rig.AMI)

	meta := a.aws("describe-instance-image-metadata", "--instance-ids", rig.Instance)
	if docAt(t, meta, "InstanceImageMetadata.0.ImageMetadata.ImageId") != rig.AMI ||
		docAt(t, meta, "InstanceImageMetadata.0.State.Name") != "running" {
		t.Errorf("describe-instance-image-metadata: %v", meta)
	}
	if viaCtl := a.ec2ctl("describe-instance-image-metadata", "--instance-ids", rig.Instance); !reflect.DeepEqual(viaCtl, meta) {
		t.Errorf("ec2ctl describe-instance-image-metadata:\n%v\naws:\n%v", viaCtl, meta)
	}
	a.awsFails("InvalidInstanceID.NotFound", "describe-instance-image-metadata", "--instance-ids", "i-00000000000000000")
	a.aws("disable-image-deregistration-protection", "--image-id", rig.AMI) // the cooldown still runs
	a.awsFails("InvalidParameterValue", "deregister-image", "--image-id", rig.AMI)
}

// TestInterfaceAttributesThroughTheAWSCLI: the real AWS CLI reads and
// changes the primary interface's attributes; groups and the
// source/destination check are the instance's.
func TestInterfaceAttributesThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	a := ec2Tools{asg: newASGTools(t, e, rig.Acct1)}
	eni := docAt(t, a.aws("describe-instances", "--instance-ids", rig.Instance),
		"Reservations.0.Instances.0.NetworkInterfaces.0.NetworkInterfaceId").(string)
	vpc := docAt(t, a.aws("describe-instances", "--instance-ids", rig.Instance), "Reservations.0.Instances.0.VpcId").(string)

	a.aws("modify-network-interface-attribute", "--network-interface-id", eni, "--description", "Value=primary")
	if got := docAt(t, a.aws("describe-network-interface-attribute", "--network-interface-id", eni, "--attribute", "description"),
		"Description.Value"); got != "primary" {
		t.Errorf("description = %v", got)
	}
	a.aws("modify-network-interface-attribute", "--network-interface-id", eni, "--no-source-dest-check")
	if got := docAt(t, a.aws("describe-instance-attribute", "--instance-id", rig.Instance, "--attribute", "sourceDestCheck"),
		"SourceDestCheck.Value"); got != false {
		t.Errorf("instance sourceDestCheck after the interface's: %v", got)
	}
	a.aws("reset-network-interface-attribute", "--network-interface-id", eni, "--source-dest-check", "sourceDestCheck")
	check := a.aws("describe-network-interface-attribute", "--network-interface-id", eni, "--attribute", "sourceDestCheck")
	if docAt(t, check, "SourceDestCheck.Value") != true {
		t.Errorf("sourceDestCheck after reset: %v", check)
	}
	if viaCtl := a.ec2ctl("describe-network-interface-attribute", "--network-interface-id", eni, "--attribute", "sourceDestCheck"); !reflect.DeepEqual(viaCtl, check) {
		t.Errorf("ec2ctl:\n%v\naws:\n%v", viaCtl, check)
	}
	sg := docAt(t, a.aws("create-security-group", "--group-name", "eni", "--description", "eni", "--vpc-id", vpc), "GroupId").(string)
	a.aws("modify-network-interface-attribute", "--network-interface-id", eni, "--groups", sg)
	if got := docAt(t, a.aws("describe-instances", "--instance-ids", rig.Instance), "Reservations.0.Instances.0.SecurityGroups.0.GroupId"); got != sg {
		t.Errorf("instance groups after the interface's: %v", got)
	}
	attach := docAt(t, a.aws("describe-network-interface-attribute", "--network-interface-id", eni, "--attribute", "attachment"),
		"Attachment.AttachmentId").(string)
	a.aws("modify-network-interface-attribute", "--network-interface-id", eni, "--attachment", "AttachmentId="+attach+",DeleteOnTermination=true")
	a.awsFails("UnsupportedOperation", "modify-network-interface-attribute", "--network-interface-id", eni,
		"--attachment", "AttachmentId="+attach+",DeleteOnTermination=false")
	a.awsFails("InvalidAttachmentID.NotFound", "modify-network-interface-attribute", "--network-interface-id", eni,
		"--attachment", "AttachmentId=eni-attach-00000000000000000,DeleteOnTermination=true")
	a.awsFails("UnsupportedOperation", "modify-network-interface-attribute", "--network-interface-id", eni, "--associate-public-ip-address")
	a.awsFails("InvalidParameterCombination", "modify-network-interface-attribute", "--network-interface-id", eni,
		"--description", "Value=x", "--source-dest-check")
	a.awsFails("InvalidNetworkInterfaceID.NotFound", "describe-network-interface-attribute", "--network-interface-id",
		"eni-00000000000000000", "--attribute", "description")

	refs := a.aws("describe-security-group-references", "--group-id", sg)
	if n := len(docAt(t, refs, "SecurityGroupReferenceSet").([]any)); n != 0 {
		t.Errorf("describe-security-group-references: %v", refs)
	}
	a.awsFails("InvalidGroup.NotFound", "describe-security-group-references", "--group-id", "sg-00000000000000000")
	forVpc := a.aws("get-security-groups-for-vpc", "--vpc-id", vpc, "--filters", "Name=group-name,Values=eni")
	if docAt(t, forVpc, "SecurityGroupForVpcs.0.GroupId") != sg || docAt(t, forVpc, "SecurityGroupForVpcs.0.PrimaryVpcId") != vpc {
		t.Errorf("get-security-groups-for-vpc: %v", forVpc)
	}
	if viaCtl := a.ec2ctl("get-security-groups-for-vpc", "--vpc-id", vpc, "--filters", "Name=group-name,Values=eni"); !reflect.DeepEqual(viaCtl, forVpc) {
		t.Errorf("ec2ctl get-security-groups-for-vpc:\n%v\naws:\n%v", viaCtl, forVpc)
	}
	if stale := a.aws("describe-stale-security-groups", "--vpc-id", vpc); len(docAt(t, stale, "StaleSecurityGroupSet").([]any)) != 0 {
		t.Errorf("describe-stale-security-groups: %v", stale)
	}
	a.awsFails("InvalidVpcID.NotFound", "describe-stale-security-groups", "--vpc-id", "vpc-00000000000000000")
}
