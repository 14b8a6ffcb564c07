package controller_test

import (
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// TestDhcpOptionsThroughTheAWSCLI: a new VPC has the account's default
// DHCP option set, which describe-dhcp-options lists; the real AWS CLI
// creates a DHCP option set, gives it to a VPC (describe-vpcs shows it),
// meets the refusals, takes "default" back and deletes the set; ec2ctl
// prints the same documents over gRPC.
func TestDhcpOptionsThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	a := ec2Tools{asg: newASGTools(t, e, rig.Acct1)}
	newVPC := a.aws("create-vpc", "--cidr-block", "10.9.0.0/16")
	vpc := docAt(t, newVPC, "Vpc.VpcId").(string)
	defaultSet, _ := docAt(t, newVPC, "Vpc.DhcpOptionsId").(string)
	listed := a.aws("describe-dhcp-options", "--dhcp-options-ids", defaultSet)
	if docAt(t, listed, "DhcpOptions.0.DhcpConfigurations.0.Values.0.Value") != "lab-1.compute.internal" ||
		docAt(t, listed, "DhcpOptions.0.DhcpConfigurations.1.Values.0.Value") != "AmazonProvidedDNS" ||
		docAt(t, listed, "DhcpOptions.0.OwnerId") != rig.Acct1 {
		t.Errorf("the new VPC's set %q: %v", defaultSet, listed)
	}
	created := a.aws("create-dhcp-options", "--dhcp-configurations", "Key=domain-name-servers,Values=10.9.0.53,AmazonProvidedDNS",
		"Key=domain-name,Values=lab.example", "--tag-specifications", "ResourceType=dhcp-options,Tags=[{Key=Name,Value=lab}]")
	dopt := docAt(t, created, "DhcpOptions.DhcpOptionsId").(string)
	if docAt(t, created, "DhcpOptions.DhcpConfigurations.0.Key") != "domain-name" ||
		docAt(t, created, "DhcpOptions.DhcpConfigurations.1.Values.1.Value") != "AmazonProvidedDNS" ||
		docAt(t, created, "DhcpOptions.Tags.0.Value") != "lab" {
		t.Errorf("create-dhcp-options: %v", created)
	}
	a.awsFails("InvalidParameterValue", "create-dhcp-options", "--dhcp-configurations", "Key=router,Values=10.9.0.1")
	if doc := a.aws("associate-dhcp-options", "--dhcp-options-id", dopt, "--vpc-id", vpc); doc != nil {
		t.Errorf("associate-dhcp-options printed %v", doc)
	}
	if got := docAt(t, a.aws("describe-vpcs", "--vpc-ids", vpc), "Vpcs.0.DhcpOptionsId"); got != dopt {
		t.Errorf("describe-vpcs DhcpOptionsId %v, want %s", got, dopt)
	}
	a.awsFails("DependencyViolation", "delete-dhcp-options", "--dhcp-options-id", dopt)
	a.awsFails("InvalidDhcpOptionID.NotFound", "associate-dhcp-options", "--dhcp-options-id", "dopt-00000000000000000", "--vpc-id", vpc)
	described := a.aws("describe-dhcp-options", "--filters", "Name=value,Values=10.9.0.53")
	if docAt(t, described, "DhcpOptions.0.DhcpOptionsId") != dopt {
		t.Errorf("describe-dhcp-options: %v", described)
	}
	if viaCtl := a.ec2ctl("describe-dhcp-options", "--filters", "Name=value,Values=10.9.0.53"); !reflect.DeepEqual(viaCtl, described) {
		t.Errorf("ec2ctl describe-dhcp-options:\n%v\naws:\n%v", viaCtl, described)
	}
	if got := docAt(t, a.ec2ctl("describe-vpcs", "--vpc-ids", vpc), "Vpcs.0.DhcpOptionsId"); got != dopt {
		t.Errorf("ec2ctl describe-vpcs DhcpOptionsId %v, want %s", got, dopt)
	}
	a.aws("associate-dhcp-options", "--dhcp-options-id", "default", "--vpc-id", vpc)
	if got := docAt(t, a.aws("describe-vpcs", "--vpc-ids", vpc), "Vpcs.0.DhcpOptionsId"); got != "default" {
		t.Errorf("after default: %v", got)
	}
	a.aws("delete-dhcp-options", "--dhcp-options-id", dopt)
	if doc := a.aws("describe-dhcp-options"); len(doc["DhcpOptions"].([]any)) != 1 || docAt(t, doc, "DhcpOptions.0.DhcpOptionsId") != defaultSet {
		t.Errorf("after delete: %v, want the default set only", doc)
	}
}
