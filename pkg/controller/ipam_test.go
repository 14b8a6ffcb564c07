package controller

import (
	"context"
	"net/netip"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/network"
)

// TestDefaultVPCAndAddresses: the default VPC appears on first use with a
// default subnet per zone; launches take the lowest free addresses of the
// zone's default subnet, never one address twice; a requested address is
// honoured once; terminated instances give their addresses back; and the
// desired network of each host lists exactly its subnets and NICs.
func TestDefaultVPCAndAddresses(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	vpcs, _, err := r.svc.DescribeVpcs(ctx, nil, nil, Page{})
	if err != nil || len(vpcs) != 1 || !vpcs[0].IsDefault || vpcs[0].CIDR != network.DefaultVPCCIDR {
		t.Fatalf("DescribeVpcs = %+v, %v", vpcs, err)
	}
	subs, _, err := r.svc.DescribeSubnets(ctx, nil, nil, Page{})
	if err != nil || len(subs) != 2 {
		t.Fatalf("DescribeSubnets = %+v, %v", subs, err)
	}
	byAZ := map[string]Subnet{}
	for _, sn := range subs {
		byAZ[sn.AZ] = sn
	}
	if byAZ["lab-1a"].CIDR != "172.31.0.0/20" || byAZ["lab-1b"].CIDR != "172.31.16.0/20" ||
		byAZ["lab-1a"].VNI == byAZ["lab-1b"].VNI || byAZ["lab-1a"].Available != 4091 {
		t.Fatalf("default subnets %+v", byAZ)
	}

	a := r.run(t, 3, "lab-1a")
	b := r.run(t, 1, "lab-1b")
	for i, id := range a {
		in := r.get(t, id)
		want := netip.MustParseAddr("172.31.0.4")
		for range i {
			want = want.Next()
		}
		if in.PrivateIP != want.String() || in.SubnetID != byAZ["lab-1a"].ID || in.MAC != network.MAC(id, 0).String() {
			t.Errorf("instance %d: ip %s subnet %s mac %s, want %s in %s", i, in.PrivateIP, in.SubnetID, in.MAC, want, byAZ["lab-1a"].ID)
		}
	}
	if in := r.get(t, b[0]); in.PrivateIP != "172.31.16.4" || in.VpcID != vpcs[0].ID {
		t.Errorf("lab-1b instance: %s in %s", in.PrivateIP, in.VpcID)
	}

	for _, tc := range []struct {
		name string
		req  RunRequest
		code string
	}{
		{"address in use", RunRequest{PrivateIP: "172.31.0.5"}, network.CodeInvalidIPAddressInUse},
		{"reserved address", RunRequest{PrivateIP: "172.31.0.1"}, network.CodeInvalidParameterValue},
		{"address with two instances", RunRequest{PrivateIP: "172.31.0.50", MaxCount: 2}, "InvalidParameterCombination"},
		{"zone differs from the subnet's", RunRequest{SubnetID: byAZ["lab-1b"].ID, AZ: "lab-1a"}, "InvalidParameterValue"},
		{"unknown subnet", RunRequest{SubnetID: "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.req
			q.ImageID, q.InstanceType, q.MinCount = r.ami, "lab.tiny", 1
			q.MaxCount = max(q.MaxCount, 1)
			before := r.count(t)
			if _, err := r.svc.RunInstances(ctx, q); errCode(err) != tc.code {
				t.Errorf("error %v, want %s", err, tc.code)
			}
			if r.count(t) != before {
				t.Error("a refused launch recorded instances")
			}
		})
	}

	t.Run("retry with a subnet", func(t *testing.T) {
		q := RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
			SubnetID: byAZ["lab-1b"].ID, ClientToken: "net-1"}
		first, err := r.svc.RunInstances(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		again, err := r.svc.RunInstances(ctx, q)
		if err != nil || again.Instances[0].ID != first.Instances[0].ID || first.Instances[0].AZ != "lab-1b" {
			t.Fatalf("retry: %v %v (first %v)", again, err, first)
		}
		b = append(b, first.Instances[0].ID)
	})
	want := map[string]int{"h-lab-1a": 3, "h-lab-1b": 2}
	checkDesired(t, r, want)
	if err := r.svc.DeleteSubnet(ctx, byAZ["lab-1a"].ID, false); errCode(err) != "DependencyViolation" {
		t.Errorf("DeleteSubnet in use: %v", err)
	}

	r.setState(t, a[1], StateTerminated)
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		SubnetID: byAZ["lab-1a"].ID, PrivateIP: "172.31.0.5"})
	if err != nil || res.Instances[0].PrivateIP != "172.31.0.5" {
		t.Fatalf("relaunch on a released address: %v %v", res, err)
	}
	if subs, _, _ := r.svc.DescribeSubnets(ctx, []string{byAZ["lab-1a"].ID}, nil, Page{}); subs[0].Available != 4091-3 {
		t.Errorf("available = %d, want %d", subs[0].Available, 4091-3)
	}
	for _, id := range append(append(a, b...), res.Instances[0].ID) {
		r.setState(t, id, StateTerminated)
	}
	checkDesired(t, r, map[string]int{})
}

func checkDesired(t *testing.T, r *rig, nics map[string]int) {
	t.Helper()
	want, err := r.svc.desiredNetwork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(nics) {
		t.Errorf("desired network on %d hosts, want %d: %v", len(want), len(nics), want)
	}
	for hostID, n := range nics {
		if len(want[hostID]) != 1 || len(want[hostID][0].NICs) != n || want[hostID][0].VNI == 0 {
			t.Errorf("host %s: desired %v, want one subnet with %d NICs", hostID, want[hostID], n)
		}
	}
}

// TestVPCAndSubnetRules: CIDR validation, overlap, dependency checks and
// per-account visibility.
func TestVPCAndSubnetRules(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	vpc, err := r.svc.CreateVpc(ctx, "10.1.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.1.0.0/24", "lab-1b", nil, false)
	if err != nil || sn.AZ != "lab-1b" || sn.Available != 251 {
		t.Fatalf("CreateSubnet = %+v, %v", sn, err)
	}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"vpc too large", second(r.svc.CreateVpc(ctx, "10.0.0.0/8", nil, false)), network.CodeInvalidVpcRange},
		{"vpc cidr malformed", second(r.svc.CreateVpc(ctx, "10.0.0.1/16", nil, false)), "InvalidParameterValue"},
		{"overlap", second(r.svc.CreateSubnet(ctx, vpc.ID, "10.1.0.128/25", "", nil, false)), network.CodeInvalidSubnetConflict},
		{"outside", second(r.svc.CreateSubnet(ctx, vpc.ID, "10.2.0.0/24", "", nil, false)), network.CodeInvalidSubnetRange},
		{"bad zone", second(r.svc.CreateSubnet(ctx, vpc.ID, "10.1.1.0/24", "mars-1a", nil, false)), "InvalidParameterValue"},
		{"other account's vpc", second(r.svc.CreateSubnet(ctxFor(acct2), vpc.ID, "10.1.1.0/24", "", nil, false)), "InvalidVpcID.NotFound"},
		{"vpc with subnets", r.svc.DeleteVpc(ctx, vpc.ID, false), "DependencyViolation"},
		{"dry run", r.svc.DeleteSubnet(ctx, sn.ID, true), "DryRunOperation"},
		{"delete subnet", r.svc.DeleteSubnet(ctx, sn.ID, false), ""},
		{"delete vpc", r.svc.DeleteVpc(ctx, vpc.ID, false), ""},
		{"deleted vpc", r.svc.DeleteVpc(ctx, vpc.ID, false), "InvalidVpcID.NotFound"},
	} {
		if got := errCode(tc.err); got != tc.code {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.code)
		}
	}
	other, _, err := r.svc.DescribeVpcs(ctxFor(acct2), nil, nil, Page{})
	if err != nil || len(other) != 1 || !other[0].IsDefault {
		t.Errorf("second account's VPCs: %+v %v", other, err)
	}
}

func second[T any](_ T, err error) error { return err }
