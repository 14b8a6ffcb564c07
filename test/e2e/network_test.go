package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/agent"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/firewall"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestVPCNetworking launches guests through ec2d into the default VPC:
// each gets its IPAM address by DHCP, one pings another, the VPC/subnet
// API enforces its rules, and terminating every instance releases the
// addresses and removes the subnet's bridge, taps and dnsmasq. A second
// VPC reuses the default VPC's CIDR on the same host: its guest X gets the
// same address as guest A, both by DHCP, each is told its own instance ID
// by the metadata service, X reaches its neighbour Y but no address that
// exists only in the default VPC, and A cannot reach Y.
func TestVPCNetworking(t *testing.T) {
	requireHost(t)
	nptest.RequireNetAdmin(t)
	prefix := fmt.Sprintf("e2n%04x-", rand.Intn(1<<16))
	dataDir := hvtest.ScratchDir(t)
	plane := observer(t, prefix, dataDir) // first, so its sweep runs after ec2d stopped
	r := startRegion(t, dataDir, "--domain-prefix", prefix)
	t.Cleanup(func() { removeDomains(t, prefix) })
	ctx := context.Background()

	subnet := defaultSubnet(t, r)
	cidr := netip.MustParsePrefix(subnet.GetCidrBlock())
	full := subnet.GetAvailableIpAddressCount()

	ami := waitTinyAMI(t, r)
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 2, MaxCount: 2})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	ids := instanceIDsOf(res.GetInstances())
	for _, in := range r.waitState(t, "running", ids...) {
		checkNIC(t, in, subnet)
	}
	a := r.waitState(t, "running", ids[0])[0]
	for _, id := range ids {
		in := r.waitState(t, "running", id)[0]
		r.waitConsole(t, id, fmt.Sprintf("ec2lab: dhcp eth0 %s/%d", in.GetPrivateIpAddress(), cidr.Bits()))
	}

	t.Run("address rules", func(t *testing.T) {
		expectCode(t, "requested address in use", "InvalidIPAddress.InUse", runErr(r, ami, a.GetPrivateIpAddress(), 1))
		expectCode(t, "address with MaxCount 2", "InvalidParameterCombination", runErr(r, ami, "172.31.0.99", 2))
		expectCode(t, "address outside the subnet", "InvalidParameterValue", runErr(r, ami, "10.9.9.9", 1))
	})

	// The second guest has leased its pool address; it makes room (the
	// host has 8 vCPUs) for the twin VPC's X (A's address) and Y, which
	// boot while B asks for a given address and pings A.
	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids[1:2]}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", ids[1])
	wantB := nthAddr(cidr, 100)
	twin := launchTwin(t, r, ami, subnet, a.GetPrivateIpAddress(), nthAddr(cidr, 150).String())
	script := fmt.Sprintf("#!/bin/sh\nn=0\nwhile [ $n -lt 30 ] && ! ip -4 addr show eth0 | grep -q inet; do n=$((n+1)); sleep 1; done\n"+
		"ping -c 3 -W 3 %s\necho \"ping-a exit $?\"\n", a.GetPrivateIpAddress())
	resB, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
		SubnetId: subnet.GetSubnetId(), PrivateIpAddress: wantB.String(), UserData: []byte(script)})
	if err != nil {
		t.Fatalf("RunInstances B: %v", err)
	}
	b := r.waitState(t, "running", resB.GetInstances()[0].GetInstanceId())[0]
	checkNIC(t, b, subnet)
	if b.GetPrivateIpAddress() != wantB.String() {
		t.Errorf("B got %s, asked for %s", b.GetPrivateIpAddress(), wantB)
	}
	out := r.waitConsole(t, b.GetInstanceId(), fmt.Sprintf("ec2lab: dhcp eth0 %s/%d", wantB, cidr.Bits()), "ping-a exit")
	if !strings.Contains(out, " 0% packet loss") || !strings.Contains(out, "ping-a exit 0") {
		t.Errorf("B could not ping A at %s:\n%s", a.GetPrivateIpAddress(), tail(out, 1500))
	}
	ids = append(ids, b.GetInstanceId())
	checkTwin(t, r, twin, a, wantB.String())
	ids = append(ids, twin.x, twin.y)

	if sn := defaultSubnet(t, r); sn.GetAvailableIpAddressCount() != full-2 {
		t.Errorf("available addresses with 2 instances: %d, want %d", sn.GetAvailableIpAddressCount(), full-2)
	}
	checkTwoPlanes(t, observe(t, plane), 4)

	t.Run("vpc and subnet rules", func(t *testing.T) { vpcRules(t, r, subnet.GetSubnetId()) })

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	for _, in := range r.waitState(t, "terminated", ids...) {
		if in.GetPrivateIpAddress() != "" {
			t.Errorf("terminated %s still shows address %s", in.GetInstanceId(), in.GetPrivateIpAddress())
		}
	}
	if sn := defaultSubnet(t, r); sn.GetAvailableIpAddressCount() != full {
		t.Errorf("available addresses after terminate: %d, want %d", sn.GetAvailableIpAddressCount(), full)
	}
	deleteTwin(t, r, twin)
	waitPlaneEmpty(t, plane)
}

// waitTinyAMI waits for the tiny AMI that ec2d registers at start.
func waitTinyAMI(t *testing.T, r *region) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		imgs, err := r.Client.DescribeImages(context.Background(), &v1.DescribeImagesRequest{Owners: []string{"self"},
			Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}, {Name: "state", Values: []string{"available"}}}})
		if err == nil && len(imgs.GetImages()) == 1 {
			return imgs.GetImages()[0].GetImageId()
		}
		if time.Now().After(deadline) {
			t.Fatalf("tiny AMI not available: %v %v\n%s", imgs, err, tail(r.log.String(), 3000))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// defaultSubnet checks the default VPC and returns its only subnet.
func defaultSubnet(t *testing.T, r *region) *v1.Subnet {
	t.Helper()
	ctx := context.Background()
	vpcs, err := r.Client.DescribeVpcs(ctx, &v1.DescribeVpcsRequest{Filters: []*v1.Filter{{Name: "is-default", Values: []string{"true"}}}})
	if err != nil || len(vpcs.GetVpcs()) != 1 {
		t.Fatalf("DescribeVpcs: %v %v", vpcs, err)
	}
	vpc := vpcs.GetVpcs()[0]
	if vpc.GetCidrBlock() != "172.31.0.0/16" || vpc.GetState() != "available" {
		t.Errorf("default VPC %v", vpc)
	}
	subs, err := r.Client.DescribeSubnets(ctx, &v1.DescribeSubnetsRequest{Filters: []*v1.Filter{{Name: "vpc-id", Values: []string{vpc.GetVpcId()}}}})
	if err != nil || len(subs.GetSubnets()) != 1 {
		t.Fatalf("DescribeSubnets of %s: %v %v", vpc.GetVpcId(), subs, err)
	}
	sn := subs.GetSubnets()[0]
	if !sn.GetDefaultForAz() || sn.GetCidrBlock() != "172.31.0.0/20" {
		t.Errorf("default subnet %v", sn)
	}
	return sn
}

func checkNIC(t *testing.T, in *v1.Instance, sn *v1.Subnet) {
	t.Helper()
	ip, err := netip.ParseAddr(in.GetPrivateIpAddress())
	if err != nil || !netip.MustParsePrefix(sn.GetCidrBlock()).Contains(ip) {
		t.Errorf("%s: private IP %q not in %s", in.GetInstanceId(), in.GetPrivateIpAddress(), sn.GetCidrBlock())
	}
	if in.GetSubnetId() != sn.GetSubnetId() || in.GetVpcId() != sn.GetVpcId() || !strings.HasPrefix(in.GetMacAddress(), "02:") {
		t.Errorf("%s: subnet %s vpc %s mac %s", in.GetInstanceId(), in.GetSubnetId(), in.GetVpcId(), in.GetMacAddress())
	}
	if want := "ip-" + strings.ReplaceAll(ip.String(), ".", "-"); !strings.HasPrefix(in.GetPrivateDnsName(), want+".") {
		t.Errorf("%s: private DNS name %q, want %s.*", in.GetInstanceId(), in.GetPrivateDnsName(), want)
	}
}

func runErr(r *region, ami, ip string, count int32) error {
	_, err := r.Client.RunInstances(context.Background(), &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano",
		MinCount: 1, MaxCount: count, PrivateIpAddress: ip})
	return err
}

func expectCode(t *testing.T, what, code string, err error) {
	t.Helper()
	if got := ec2err.Code(errgrpc.ToNative(err)); got != code {
		t.Errorf("%s: error %v, want %s", what, err, code)
	}
}

func nthAddr(p netip.Prefix, n int) netip.Addr {
	a := p.Addr()
	for range n {
		a = a.Next()
	}
	return a
}

// vpcRules checks CreateVpc/CreateSubnet validation and the dependency
// checks of DeleteVpc/DeleteSubnet.
func vpcRules(t *testing.T, r *region, usedSubnet string) {
	ctx := context.Background()
	_, err := r.Client.DeleteSubnet(ctx, &v1.DeleteSubnetRequest{SubnetId: usedSubnet})
	expectCode(t, "delete a subnet in use", "DependencyViolation", err)
	vpc, err := r.Client.CreateVpc(ctx, &v1.CreateVpcRequest{CidrBlock: "10.77.0.0/16"})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	_, err = r.Client.CreateVpc(ctx, &v1.CreateVpcRequest{CidrBlock: "10.0.0.0/8"})
	expectCode(t, "VPC too large", "InvalidVpc.Range", err)
	sn, err := r.Client.CreateSubnet(ctx, &v1.CreateSubnetRequest{VpcId: vpc.GetVpcId(), CidrBlock: "10.77.1.0/24"})
	if err != nil || sn.GetAvailableIpAddressCount() != 251 {
		t.Fatalf("CreateSubnet: %v %v", sn, err)
	}
	_, err = r.Client.CreateSubnet(ctx, &v1.CreateSubnetRequest{VpcId: vpc.GetVpcId(), CidrBlock: "10.77.1.128/25"})
	expectCode(t, "overlapping subnet", "InvalidSubnet.Conflict", err)
	_, err = r.Client.CreateSubnet(ctx, &v1.CreateSubnetRequest{VpcId: vpc.GetVpcId(), CidrBlock: "10.78.0.0/24"})
	expectCode(t, "subnet outside the VPC", "InvalidSubnet.Range", err)
	_, err = r.Client.DeleteVpc(ctx, &v1.DeleteVpcRequest{VpcId: vpc.GetVpcId()})
	expectCode(t, "delete a VPC with subnets", "DependencyViolation", err)
	if _, err := r.Client.DeleteSubnet(ctx, &v1.DeleteSubnetRequest{SubnetId: sn.GetSubnetId()}); err != nil {
		t.Errorf("DeleteSubnet: %v", err)
	}
	if _, err := r.Client.DeleteVpc(ctx, &v1.DeleteVpcRequest{VpcId: vpc.GetVpcId()}); err != nil {
		t.Errorf("DeleteVpc: %v", err)
	}
	_, err = r.Client.DescribeVpcs(ctx, &v1.DescribeVpcsRequest{VpcIds: []string{vpc.GetVpcId()}})
	expectCode(t, "describe a deleted VPC", "InvalidVpcID.NotFound", err)
}

// observer is a read-only view of the embedded agent's data plane (same
// prefix and state dir); at cleanup it sweeps whatever the test left,
// security group tables included.
func observer(t *testing.T, domainPrefix, dataDir string) *netplane.Plane {
	t.Helper()
	p, err := netplane.New(netplane.Config{Prefix: agent.NetPrefix(domainPrefix), StateDir: filepath.Join(dataDir, "agent", "net")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Reconcile(context.Background(), nil); err != nil {
			t.Errorf("sweep data plane: %v", err)
		}
		p.Close()
		if fw, err := firewall.New(firewall.Config{TableName: agent.FirewallTable(domainPrefix)}); err == nil {
			fw.Close() // removes the tables
		}
	})
	return p
}

func observe(t *testing.T, p *netplane.Plane) netplane.Observed {
	t.Helper()
	o, err := p.Observe()
	if err != nil {
		t.Fatalf("observe data plane: %v", err)
	}
	return o
}

func waitPlaneEmpty(t *testing.T, p *netplane.Plane) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		o := observe(t, p)
		if o.Empty() {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("data plane after terminating everything: %+v, want nothing", o)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}
