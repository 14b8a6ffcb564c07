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
// has and refuses other zones; X is answered from its own VPC's zone; once
// ModifyVpcAttribute turns the default VPC's DNS support off its server
// stops answering while X's keeps answering.
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

	start := time.Now()
	if _, err := r.Client.ModifyVpcAttribute(ctx, &v1.ModifyVpcAttributeRequest{VpcId: subnet.GetVpcId(),
		EnableDnsSupport: &v1.AttributeBooleanValue{Value: false}}); err != nil {
		t.Fatalf("ModifyVpcAttribute EnableDnsSupport=false: %v", err)
	}
	for {
		out := nslookup(t, r, a.GetInstanceId(), b.GetPrivateDnsName(), server)
		if strings.Contains(out, "timed out") {
			t.Logf("DNS support off took effect after %v", time.Since(start).Round(time.Second))
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the default VPC's server still answers 30 s after DNS support went off:\n%s", out)
		}
		time.Sleep(time.Second)
	}
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

// nslookup runs busybox nslookup of query at server in guest id and
// returns its output (a failed lookup is output too).
func nslookup(t *testing.T, r *region, id, query, server string) string {
	t.Helper()
	return r.guestRun(t, id, "nslookup "+query+" "+server+" 2>&1; echo nslookup exit $?")
}
