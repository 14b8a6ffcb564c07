package controller_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// ec2CLI runs `aws ec2 args... --output json` as acct against e's Query
// API (ec2Tools.run) and returns its output, error text and failure.
func ec2CLI(t *testing.T, e *edges, bin, acct string, args ...string) (string, string, error) {
	t.Helper()
	out, errOut, ok := ec2Tools{asg: &asgTools{t: t, e: e, acct: acct, awsBin: bin}}.run(args...)
	if !ok {
		return out, errOut, errors.New("aws ec2 failed")
	}
	return out, errOut, nil
}

// TestElasticIPsThroughTheAWSCLI: the real AWS CLI allocates, associates,
// describes, disassociates and releases Elastic IPs on the Query API of a
// real controller, and sees them on the instance and its interface.
func TestElasticIPsThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	rig.SetElasticIPPool(t, "198.51.100.0/29")
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
	alloc := run("allocate-address", "--domain", "vpc",
		"--tag-specifications", "ResourceType=elastic-ip,Tags=[{Key=Name,Value=web}]")
	if alloc["PublicIp"] != "198.51.100.1" || alloc["Domain"] != "vpc" || alloc["NetworkBorderGroup"] != "lab-1" ||
		!strings.HasPrefix(alloc["AllocationId"].(string), "eipalloc-") {
		t.Fatalf("allocate-address: %v", alloc)
	}
	allocID := alloc["AllocationId"].(string)
	vpc := run("describe-instances", "--instance-ids", rig.Instance)["Reservations"].([]any)[0].(map[string]any)["Instances"].([]any)[0].(map[string]any)["VpcId"].(string)
	// The default VPC comes with a gateway; without it the address has no way in.
	igws := run("describe-internet-gateways", "--filters", "Name=attachment.vpc-id,Values="+vpc)["InternetGateways"].([]any)
	if len(igws) != 1 {
		t.Fatalf("the default VPC's internet gateways: %v", igws)
	}
	defGW := igws[0].(map[string]any)["InternetGatewayId"].(string)
	run("detach-internet-gateway", "--internet-gateway-id", defGW, "--vpc-id", vpc)
	run("delete-internet-gateway", "--internet-gateway-id", defGW)
	if _, errOut, err := ec2CLI(t, e, bin, rig.Acct1, "associate-address", "--allocation-id", allocID, "--instance-id", rig.Instance); err == nil ||
		!strings.Contains(errOut, "Gateway.NotAttached") {
		t.Fatalf("associate-address without an internet gateway: %v\n%s", err, errOut)
	}
	igw := run("create-internet-gateway")["InternetGateway"].(map[string]any)["InternetGatewayId"].(string)
	run("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
	assoc := run("associate-address", "--allocation-id", allocID, "--instance-id", rig.Instance)
	assocID, _ := assoc["AssociationId"].(string)
	if !strings.HasPrefix(assocID, "eipassoc-") {
		t.Fatalf("associate-address: %v", assoc)
	}
	addrs := run("describe-addresses", "--filters", "Name=instance-id,Values="+rig.Instance)["Addresses"].([]any)
	if len(addrs) != 1 {
		t.Fatalf("describe-addresses: %v", addrs)
	}
	a := addrs[0].(map[string]any)
	if a["AssociationId"] != assocID || a["InstanceId"] != rig.Instance || a["NetworkInterfaceOwnerId"] != rig.Acct1 ||
		a["PrivateIpAddress"] == nil || a["PublicIp"] != "198.51.100.1" || len(a["Tags"].([]any)) != 1 {
		t.Errorf("describe-addresses item: %v", a)
	}
	inst := run("describe-instances", "--instance-ids", rig.Instance)["Reservations"].([]any)[0].(map[string]any)["Instances"].([]any)[0].(map[string]any)
	if inst["PublicIpAddress"] != "198.51.100.1" {
		t.Errorf("describe-instances PublicIpAddress %v", inst["PublicIpAddress"])
	}
	ni := inst["NetworkInterfaces"].([]any)[0].(map[string]any)
	if as, _ := ni["Association"].(map[string]any); as["PublicIp"] != "198.51.100.1" || as["IpOwnerId"] != rig.Acct1 {
		t.Errorf("instance interface association %v", ni["Association"])
	}
	enis := run("describe-network-interfaces", "--filters", "Name=association.allocation-id,Values="+allocID)["NetworkInterfaces"].([]any)
	if len(enis) != 1 {
		t.Fatalf("describe-network-interfaces by allocation: %v", enis)
	}
	if as, _ := enis[0].(map[string]any)["Association"].(map[string]any); as["AllocationId"] != allocID || as["AssociationId"] != assocID {
		t.Errorf("interface association %v", as)
	}
	// EC2's errors reach the CLI with their codes.
	if _, errOut, err := ec2CLI(t, e, bin, rig.Acct1, "release-address", "--allocation-id", allocID); err == nil ||
		!strings.Contains(errOut, "InvalidIPAddress.InUse") {
		t.Errorf("release-address while associated: %v %s", err, errOut)
	}
	if _, errOut, err := ec2CLI(t, e, bin, rig.Acct1, "allocate-address", "--address", "203.0.113.9"); err == nil ||
		!strings.Contains(errOut, "InvalidAddress.NotFound") {
		t.Errorf("allocate-address outside the pool: %v %s", err, errOut)
	}
	run("disassociate-address", "--association-id", assocID)
	run("release-address", "--allocation-id", allocID)
	if got := run("describe-addresses")["Addresses"].([]any); len(got) != 0 {
		t.Errorf("after release: %v", got)
	}
}
