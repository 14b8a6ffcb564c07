package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestVPCDNS boots A and B in the default VPC and X in a second VPC with
// the same CIDR (so the same DNS server address, 172.31.0.2) and asks the
// Amazon-provided DNS server from inside the guests: DHCP named it as A's
// resolver; at the VPC's base + 2 and at 169.254.169.253 it resolves B's
// private DNS name (as DescribeInstances shows it) to B's address and B's
// address back to the name, answers NXDOMAIN for a name only the other VPC
// has and refuses other zones. X's VPC, new, has DNS hostnames off (EC2's
// default): X's own name is NXDOMAIN until ModifyVpcAttribute turns them
// on; then X is answered from its own VPC's zone. Once the default VPC's
// DNS support is turned off its server stops answering while X's keeps
// answering.
func TestVPCDNS(t *testing.T) {
	requireHost(t)
	nptest.RequireNetAdmin(t)
	prefix := fmt.Sprintf("e2d%04x-", rand.Intn(1<<16))
	dataDir := hvtest.ScratchDir(t)
	plane := observer(t, prefix, dataDir)
	r := startRegion(t, dataDir, "--domain-prefix", prefix)
	t.Cleanup(func() { removeDomains(t, prefix) })
	ctx := context.Background()
	ami := waitTinyAMI(t, r)
	subnet := defaultSubnet(t, r)
	cidr := netip.MustParsePrefix(subnet.GetCidrBlock())

	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 2, MaxCount: 2})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	vpc, err := r.Client.CreateVpc(ctx, &v1.CreateVpcRequest{CidrBlock: "172.31.0.0/16"})
	if err != nil {
		t.Fatalf("CreateVpc with the default VPC's CIDR: %v", err)
	}
	twin, err := r.Client.CreateSubnet(ctx, &v1.CreateSubnetRequest{VpcId: vpc.GetVpcId(), CidrBlock: subnet.GetCidrBlock()})
	if err != nil {
		t.Fatalf("CreateSubnet: %v", err)
	}
	resX, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
		SubnetId: twin.GetSubnetId(), PrivateIpAddress: nthAddr(cidr, 150).String()})
	if err != nil {
		t.Fatalf("RunInstances in %s: %v", twin.GetSubnetId(), err)
	}
	ids := append(instanceIDsOf(res.GetInstances()), resX.GetInstances()[0].GetInstanceId())
	insts := r.waitState(t, "running", ids...)
	byID := map[string]*v1.Instance{}
	for _, in := range insts {
		byID[in.GetInstanceId()] = in
		r.waitConsole(t, in.GetInstanceId(), fmt.Sprintf("ec2lab: dhcp eth0 %s/%d", in.GetPrivateIpAddress(), cidr.Bits()))
	}
	a, b, x := byID[ids[0]], byID[ids[1]], byID[ids[2]]
	for _, in := range []*v1.Instance{a, b, x} {
		ip := netip.MustParseAddr(in.GetPrivateIpAddress())
		if want := "ip-" + strings.ReplaceAll(ip.String(), ".", "-") + ".lab-1.compute.internal"; in.GetPrivateDnsName() != want {
			t.Errorf("%s: PrivateDnsName %q, want %q", in.GetInstanceId(), in.GetPrivateDnsName(), want)
		}
	}
	const server = "172.31.0.2"

	if out := r.guestRun(t, a.GetInstanceId(), "cat /etc/resolv.conf"); !strings.Contains(out, "nameserver "+server) {
		t.Errorf("A's resolv.conf from DHCP lacks nameserver %s:\n%s", server, out)
	}
	if out := nslookup(t, r, x.GetInstanceId(), x.GetPrivateDnsName(), server); !strings.Contains(out, "NXDOMAIN") {
		t.Errorf("X's name resolves with DNS hostnames off in its VPC:\n%s", out)
	}
	modifyDNS(t, r, vpc.GetVpcId(), &v1.ModifyVpcAttributeRequest{EnableDnsHostnames: &v1.AttributeBooleanValue{Value: true}})
	waitLookup(t, r, x.GetInstanceId(), x.GetPrivateDnsName(), server, "Address: "+x.GetPrivateIpAddress())

	tests := []struct {
		name, guest, query, server string
		want                       string
	}{
		{"B's name at base+2", a.GetInstanceId(), b.GetPrivateDnsName(), server, "Address: " + b.GetPrivateIpAddress()},
		{"B's name at 169.254.169.253", a.GetInstanceId(), b.GetPrivateDnsName(), "169.254.169.253", "Address: " + b.GetPrivateIpAddress()},
		{"B's address (PTR)", a.GetInstanceId(), b.GetPrivateIpAddress(), server, "name = " + b.GetPrivateDnsName()},
		{"X's name is the other VPC's", a.GetInstanceId(), x.GetPrivateDnsName(), server, "NXDOMAIN"},
		{"another zone", a.GetInstanceId(), "example.com", server, "REFUSED"},
		{"X asks for its own name", x.GetInstanceId(), x.GetPrivateDnsName(), server, "Address: " + x.GetPrivateIpAddress()},
		{"X asks for B's name", x.GetInstanceId(), b.GetPrivateDnsName(), "169.254.169.253", "NXDOMAIN"},
		{"X asks for B's address", x.GetInstanceId(), b.GetPrivateIpAddress(), server, "NXDOMAIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := nslookup(t, r, tt.guest, tt.query, tt.server); !strings.Contains(out, tt.want) {
				t.Errorf("nslookup %s %s in %s: want %q in\n%s", tt.query, tt.server, tt.guest, tt.want, out)
			}
		})
	}

	modifyDNS(t, r, subnet.GetVpcId(), &v1.ModifyVpcAttributeRequest{EnableDnsSupport: &v1.AttributeBooleanValue{Value: false}})
	waitLookup(t, r, a.GetInstanceId(), b.GetPrivateDnsName(), server, "timed out")
	if out := nslookup(t, r, a.GetInstanceId(), b.GetPrivateDnsName(), "169.254.169.253"); !strings.Contains(out, "timed out") {
		t.Errorf("169.254.169.253 still answers with DNS support off:\n%s", out)
	}
	if out := nslookup(t, r, x.GetInstanceId(), x.GetPrivateDnsName(), server); !strings.Contains(out, "Address: "+x.GetPrivateIpAddress()) {
		t.Errorf("the other VPC's server stopped answering too:\n%s", out)
	}

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", ids...)
	if _, err := r.Client.DeleteSubnet(ctx, &v1.DeleteSubnetRequest{SubnetId: twin.GetSubnetId()}); err != nil {
		t.Errorf("DeleteSubnet: %v", err)
	}
	if _, err := r.Client.DeleteVpc(ctx, &v1.DeleteVpcRequest{VpcId: vpc.GetVpcId()}); err != nil {
		t.Errorf("DeleteVpc: %v", err)
	}
	waitPlaneEmpty(t, plane)
}

// modifyDNS sends ModifyVpcAttribute req for vpcID.
func modifyDNS(t *testing.T, r *region, vpcID string, req *v1.ModifyVpcAttributeRequest) {
	t.Helper()
	req.VpcId = vpcID
	if _, err := r.Client.ModifyVpcAttribute(context.Background(), req); err != nil {
		t.Fatalf("ModifyVpcAttribute %v: %v", req, err)
	}
}

// waitLookup repeats an nslookup in guest id until its output has want
// (the attribute change reaching the host) and fails t after 30 s.
func waitLookup(t *testing.T, r *region, id, query, server, want string) {
	t.Helper()
	start := time.Now()
	for {
		out := nslookup(t, r, id, query, server)
		if strings.Contains(out, want) {
			t.Logf("nslookup %s %s in %s: %q after %v", query, server, id, want, time.Since(start).Round(time.Second))
			return
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("nslookup %s %s in %s: no %q after 30 s:\n%s", query, server, id, want, out)
		}
		time.Sleep(time.Second)
	}
}

// nslookup runs busybox nslookup of query at server in guest id and
// returns its output (a failed lookup is output too).
func nslookup(t *testing.T, r *region, id, query, server string) string {
	t.Helper()
	return r.guestRun(t, id, "nslookup "+query+" "+server+" 2>&1; echo nslookup exit $?")
}
