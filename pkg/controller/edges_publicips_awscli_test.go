package controller_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// TestPublicIPsThroughTheAWSCLI: the real AWS CLI launches instances with
// auto-assigned public addresses (--associate-public-ip-address, a subnet
// mapping them on launch), sees them as EC2 shows them (PublicIpAddress,
// an interface association owned by amazon, no Elastic IP), and sees one
// go when its instance stops.
func TestPublicIPsThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	bin := newASGTools(t, e, rig.Acct1).awsBin
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, err := ec2CLI(t, e, bin, rig.Acct1, args...)
		if err != nil {
			t.Fatalf("aws ec2 %v: %v\n%s", args, err, errOut)
		}
		var doc map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("aws ec2 %v: %v\n%s", args, err, out)
			}
		}
		return doc
	}
	launch := []string{"run-instances", "--image-id", rig.AMI, "--instance-type", "lab.tiny", "--placement", "AvailabilityZone=lab-1a"}
	if _, errOut, err := ec2CLI(t, e, bin, rig.Acct1, append(launch, "--associate-public-ip-address")...); err == nil ||
		!strings.Contains(errOut, "AddressLimitExceeded") {
		t.Fatalf("run-instances --associate-public-ip-address without a pool: %v\n%s", err, errOut)
	}
	rig.SetElasticIPPool(t, "198.51.100.0/29")
	subnets := run("describe-subnets", "--filters", "Name=availability-zone,Values=lab-1a", "Name=default-for-az,Values=true")["Subnets"].([]any)
	sn := subnets[0].(map[string]any)
	if sn["MapPublicIpOnLaunch"] != false {
		t.Errorf("default subnet MapPublicIpOnLaunch %v, want false", sn["MapPublicIpOnLaunch"])
	}
	snID := sn["SubnetId"].(string)
	first := run(append(launch, "--associate-public-ip-address")...)["Instances"].([]any)[0].(map[string]any)
	id, ip := first["InstanceId"].(string), first["PublicIpAddress"]
	if ip != "198.51.100.1" {
		t.Fatalf("run-instances --associate-public-ip-address: PublicIpAddress %v, want 198.51.100.1", ip)
	}
	described := func(id string) map[string]any {
		t.Helper()
		return run("describe-instances", "--instance-ids", id)["Reservations"].([]any)[0].(map[string]any)["Instances"].([]any)[0].(map[string]any)
	}
	inst := described(id)
	ni := inst["NetworkInterfaces"].([]any)[0].(map[string]any)
	if as, _ := ni["Association"].(map[string]any); inst["PublicIpAddress"] != ip || as["PublicIp"] != ip || as["IpOwnerId"] != "amazon" {
		t.Errorf("describe-instances: PublicIpAddress %v, interface association %v", inst["PublicIpAddress"], ni["Association"])
	}
	if got := run("describe-addresses")["Addresses"].([]any); len(got) != 0 {
		t.Errorf("describe-addresses lists the auto-assigned address: %v", got)
	}
	enis := run("describe-network-interfaces", "--filters", "Name=association.public-ip,Values=198.51.100.1")["NetworkInterfaces"].([]any)
	if len(enis) != 1 || enis[0].(map[string]any)["Association"].(map[string]any)["IpOwnerId"] != "amazon" {
		t.Errorf("describe-network-interfaces association.public-ip: %v", enis)
	}

	run("modify-subnet-attribute", "--subnet-id", snID, "--map-public-ip-on-launch")
	if got := run("describe-subnets", "--subnet-ids", snID)["Subnets"].([]any)[0].(map[string]any); got["MapPublicIpOnLaunch"] != true {
		t.Errorf("describe-subnets after --map-public-ip-on-launch: %v", got["MapPublicIpOnLaunch"])
	}
	mapped := run(append(launch, "--subnet-id", snID)...)["Instances"].([]any)[0].(map[string]any)
	if mapped["PublicIpAddress"] != "198.51.100.2" {
		t.Errorf("launch into a mapping subnet: PublicIpAddress %v, want 198.51.100.2", mapped["PublicIpAddress"])
	}
	refused := run(append(launch, "--subnet-id", snID, "--no-associate-public-ip-address")...)["Instances"].([]any)[0].(map[string]any)
	if refused["PublicIpAddress"] != nil {
		t.Errorf("--no-associate-public-ip-address: PublicIpAddress %v, want none", refused["PublicIpAddress"])
	}

	run("stop-instances", "--instance-ids", id)
	if got := described(id)["PublicIpAddress"]; got != nil {
		t.Errorf("stopped instance keeps PublicIpAddress %v", got)
	}
	alloc := run("allocate-address", "--domain", "vpc")
	if alloc["PublicIp"] != "198.51.100.1" {
		t.Errorf("allocate-address after the stop: %v, want the released 198.51.100.1", alloc["PublicIp"])
	}
}
