package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/netplane"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// twinVPC is a second VPC reusing the default VPC's CIDR, with a subnet
// equal to the default subnet, and two guests there: X with the same
// private IP as a guest of the default VPC, and Y.
type twinVPC struct {
	subnet   *v1.Subnet
	x, y     string // instance IDs
	xIP, yIP string
}

// twinScript is X's user data: once DHCP is done it asks the metadata
// service who it is and pings Y, its VPC neighbour (retried while Y boots).
func twinScript(y string) string {
	return fmt.Sprintf(`#!/bin/sh
n=0
while [ $n -lt 30 ] && ! ip route | grep -q ^default; do n=$((n+1)); sleep 1; done
echo "IMDS-ID=$(wget -q -O - http://169.254.169.254/latest/meta-data/instance-id)"
ok=1; n=0
while [ $n -lt 60 ]; do if ping -c 1 -W 2 %s >/dev/null; then ok=0; break; fi; n=$((n+1)); sleep 1; done
echo "ping-y exit $ok"
`, y)
}

// yScript is Y's user data: it asks the metadata service who it is.
const yScript = `#!/bin/sh
n=0
while [ $n -lt 30 ] && ! ip route | grep -q ^default; do n=$((n+1)); sleep 1; done
echo "IMDS-ID=$(wget -q -O - http://169.254.169.254/latest/meta-data/instance-id)"
`

// launchTwin creates the twin VPC and launches X (asking for sameIP) and
// Y (asking for yIP) without waiting for them.
func launchTwin(t *testing.T, r *region, ami string, sn *v1.Subnet, sameIP, yIP string) twinVPC {
	t.Helper()
	ctx := context.Background()
	vpc, err := r.Client.CreateVpc(ctx, &v1.CreateVpcRequest{CidrBlock: "172.31.0.0/16"})
	if err != nil {
		t.Fatalf("CreateVpc with the default VPC's CIDR: %v", err)
	}
	sub, err := r.Client.CreateSubnet(ctx, &v1.CreateSubnetRequest{VpcId: vpc.GetVpcId(), CidrBlock: sn.GetCidrBlock()})
	if err != nil {
		t.Fatalf("CreateSubnet with the default subnet's CIDR: %v", err)
	}
	tw := twinVPC{subnet: sub, xIP: sameIP, yIP: yIP}
	run := func(ip string, ud string) string {
		res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
			SubnetId: sub.GetSubnetId(), PrivateIpAddress: ip, UserData: []byte(ud)})
		if err != nil {
			t.Fatalf("RunInstances in %s at %s: %v", sub.GetSubnetId(), ip, err)
		}
		return res.GetInstances()[0].GetInstanceId()
	}
	tw.y = run(yIP, yScript)
	tw.x = run(sameIP, twinScript(yIP))
	return tw
}

// checkTwin: X and Y got their addresses by DHCP and their own IDs from
// the metadata service and X reached Y; then, all guests up, X cannot
// reach onlyA (an address that exists only in the default VPC), and a
// (the default VPC's guest with X's address) is told its own ID and
// cannot reach Y.
func checkTwin(t *testing.T, r *region, tw twinVPC, a *v1.Instance, onlyA string) {
	t.Helper()
	bits := tw.subnet.GetCidrBlock()[strings.Index(tw.subnet.GetCidrBlock(), "/"):]
	for _, in := range r.waitState(t, "running", tw.x, tw.y) {
		checkNIC(t, in, tw.subnet)
	}
	yOut := r.waitConsole(t, tw.y, "ec2lab: dhcp eth0 "+tw.yIP+bits, "ec2lab: user-data exit")
	expectLines(t, tw.y, yOut, "IMDS-ID="+tw.y)
	xOut := r.waitConsole(t, tw.x, "ec2lab: dhcp eth0 "+tw.xIP+bits, "ec2lab: user-data exit")
	expectLines(t, tw.x, xOut, "IMDS-ID="+tw.x, "ping-y exit 0")
	if strings.Contains(xOut, "IMDS-ID="+a.GetInstanceId()) {
		t.Errorf("X (%s) was told it is %s, the other VPC's guest with its address", tw.x, a.GetInstanceId())
	}
	expectNoPing(t, r, tw.x, onlyA)
	if got := strings.TrimSpace(r.guestRun(t, a.GetInstanceId(), "wget -q -O - http://169.254.169.254/latest/meta-data/instance-id")); got != a.GetInstanceId() {
		t.Errorf("A (%s, %s) was told it is %q", a.GetInstanceId(), a.GetPrivateIpAddress(), got)
	}
	expectNoPing(t, r, a.GetInstanceId(), tw.yIP)
}

// expectNoPing runs a ping in guest id that must get no answer.
func expectNoPing(t *testing.T, r *region, id, addr string) {
	t.Helper()
	if out := r.guestRun(t, id, "ping -c 2 -W 2 "+addr+" >/dev/null; echo ping-other-vpc exit $?"); !strings.Contains(out, "ping-other-vpc exit 1") {
		t.Errorf("guest %s reached %s, which exists only in the other VPC:\n%s", id, addr, out)
	}
}

// expectLines fails t for each want not printed as a whole line.
func expectLines(t *testing.T, id, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want+"\r") && !strings.Contains(out, want+"\n") {
			t.Errorf("guest %s: console lacks %q:\n%s", id, want, tail(out, 2000))
		}
	}
}

// checkTwoPlanes: both VPCs' subnets are served on the host, each bridge
// in its own conntrack zone, behind the edge table.
func checkTwoPlanes(t *testing.T, o netplane.Observed, taps int) {
	t.Helper()
	zones := map[uint16]bool{}
	for _, z := range o.Zones {
		zones[z] = z != 0
	}
	if len(o.Bridges) != 2 || len(o.Taps) != taps || len(o.Dnsmasq) != 2 || len(zones) != 2 || zones[0] || !o.Edge {
		t.Errorf("data plane with two VPCs: %+v, want 2 bridges in 2 zones, %d taps, 2 dnsmasq and the edge table", o, taps)
	}
}

// deleteTwin removes the twin VPC once its guests are gone.
func deleteTwin(t *testing.T, r *region, tw twinVPC) {
	t.Helper()
	ctx := context.Background()
	if _, err := r.Client.DeleteSubnet(ctx, &v1.DeleteSubnetRequest{SubnetId: tw.subnet.GetSubnetId()}); err != nil {
		t.Errorf("DeleteSubnet %s: %v", tw.subnet.GetSubnetId(), err)
	}
	if _, err := r.Client.DeleteVpc(ctx, &v1.DeleteVpcRequest{VpcId: tw.subnet.GetVpcId()}); err != nil {
		t.Errorf("DeleteVpc %s: %v", tw.subnet.GetVpcId(), err)
	}
}
