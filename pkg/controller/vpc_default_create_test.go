package controller

import (
	"testing"
)

// deleteDefaultVPC deletes acct1's default VPC as EC2's API lets one:
// its internet gateway detached and deleted, its subnets, then the VPC.
func (r *rig) deleteDefaultVPC(t *testing.T) VPC {
	t.Helper()
	ctx := ctxFor(acct1)
	v, ok, err := r.svc.defaultVPC(ctx, acct1)
	if err != nil || !ok {
		if err = r.svc.ensureDefaultVPC(ctx, acct1); err != nil {
			t.Fatal(err)
		}
		if v, ok, err = r.svc.defaultVPC(ctx, acct1); err != nil || !ok {
			t.Fatalf("no default VPC: %v", err)
		}
	}
	if igw, err := r.svc.vpcInternetGateway(ctx, v.ID); err != nil {
		t.Fatal(err)
	} else if igw != "" { // EC2's DeleteVpc wants it detached first
		if err := r.svc.DetachInternetGateway(ctx, igw, v.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.DeleteInternetGateway(ctx, igw, false); err != nil {
			t.Fatal(err)
		}
	}
	subs, _, err := r.svc.DescribeSubnets(ctx, nil, []Filter{{Name: "vpc-id", Values: []string{v.ID}}}, Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range subs {
		if err := r.svc.DeleteSubnet(ctx, sn.ID, false); err != nil {
			t.Fatalf("DeleteSubnet %s: %v", sn.ID, err)
		}
	}
	if err := r.svc.DeleteVpc(ctx, v.ID, false); err != nil {
		t.Fatalf("DeleteVpc of the default VPC: %v (EC2 allows it)", err)
	}
	return v
}

// TestDefaultVpcDeletedStaysDeleted: EC2 lets an account delete its
// default VPC and never makes it again by itself; CreateDefaultVpc does,
// with a default subnet per zone, and then refuses a second one.
func TestDefaultVpcDeletedStaysDeleted(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	if _, err := r.svc.CreateDefaultVpc(ctx, false); errCode(err) != "DefaultVpcAlreadyExists" {
		t.Fatalf("CreateDefaultVpc of a new account: %v, want DefaultVpcAlreadyExists (it has one)", err)
	}
	old := r.deleteDefaultVPC(t)
	vpcs, _, err := r.svc.DescribeVpcs(ctx, nil, nil, Page{})
	if err != nil || len(vpcs) != 0 {
		t.Fatalf("after deleting the default VPC: %+v, %v; want none (not made again)", vpcs, err)
	}
	if _, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1}); errCode(err) != "VPCIdNotSpecified" {
		t.Errorf("launch without a default VPC: %v, want VPCIdNotSpecified", err)
	}
	if _, err := r.svc.CreateDefaultSubnet(ctx, DefaultSubnetRequest{AZ: "lab-1a"}); errCode(err) != "DefaultVpcDoesNotExist" {
		t.Errorf("CreateDefaultSubnet without a default VPC: %v", err)
	}
	if _, err := r.svc.CreateDefaultVpc(ctx, true); errCode(err) != "DryRunOperation" {
		t.Errorf("dry run: %v", err)
	}
	v, err := r.svc.CreateDefaultVpc(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if !v.IsDefault || v.CIDR != "172.31.0.0/16" || v.ID == old.ID || v.State != "available" {
		t.Errorf("new default VPC %+v", v)
	}
	subs, _, err := r.svc.DescribeSubnets(ctx, nil, []Filter{{Name: "default-for-az", Values: []string{"true"}}}, Page{})
	if err != nil || len(subs) != 2 {
		t.Fatalf("default subnets %+v, %v", subs, err)
	}
	for _, sn := range subs {
		want := map[string]string{"lab-1a": "172.31.0.0/20", "lab-1b": "172.31.16.0/20"}[sn.AZ]
		if sn.VpcID != v.ID || sn.CIDR != want {
			t.Errorf("default subnet %+v, want %s in %s", sn, want, v.ID)
		}
	}
	groups, _, err := r.svc.DescribeSecurityGroups(ctx, nil, nil, []Filter{{Name: "vpc-id", Values: []string{v.ID}}}, Page{})
	if err != nil || len(groups) != 1 || groups[0].Name != DefaultGroupName {
		t.Errorf("the new default VPC's groups: %+v, %v", groups, err)
	}
	if _, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1b"}); err != nil {
		t.Errorf("launch into the new default VPC: %v", err)
	}
	if _, err := r.svc.CreateDefaultVpc(ctx, false); errCode(err) != "DefaultVpcAlreadyExists" {
		t.Errorf("second CreateDefaultVpc: %v", err)
	}
	other, _, err := r.svc.DescribeVpcs(ctxFor(acct2), nil, nil, Page{})
	if err != nil || len(other) != 1 || other[0].ID == v.ID {
		t.Errorf("another account's VPCs: %+v, %v", other, err)
	}
}

// TestCreateDefaultSubnet: a deleted default subnet is made again (by zone
// name or ID) in its own block, or the first free one; EC2's refusals.
func TestCreateDefaultSubnet(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	subs, _, err := r.svc.DescribeSubnets(ctx, nil, nil, Page{})
	if err != nil {
		t.Fatal(err)
	}
	byAZ := map[string]Subnet{}
	for _, sn := range subs {
		byAZ[sn.AZ] = sn
	}
	if _, err := r.svc.CreateDefaultSubnet(ctx, DefaultSubnetRequest{AZ: "lab-1a"}); errCode(err) != "DefaultSubnetAlreadyExistsInAvailabilityZone" {
		t.Errorf("zone with its default subnet: %v", err)
	}
	if err := r.svc.DeleteSubnet(ctx, byAZ["lab-1b"].ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.CreateDefaultSubnet(ctx, DefaultSubnetRequest{AZ: "lab-1b", DryRun: true}); errCode(err) != "DryRunOperation" {
		t.Errorf("dry run: %v", err)
	}
	sn, err := r.svc.CreateDefaultSubnet(ctx, DefaultSubnetRequest{AZID: "lab-1-az2"})
	if err != nil {
		t.Fatal(err)
	}
	if sn.AZ != "lab-1b" || sn.CIDR != "172.31.16.0/20" || !sn.DefaultForAZ || sn.VpcID != byAZ["lab-1a"].VpcID || sn.Available != 4091 {
		t.Errorf("new default subnet %+v", sn)
	}
	// Its block taken by another subnet, the next one is the first free /20.
	if err := r.svc.DeleteSubnet(ctx, sn.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.CreateSubnet(ctx, sn.VpcID, "172.31.16.0/24", "lab-1a", nil, false); err != nil {
		t.Fatal(err)
	}
	sn, err = r.svc.CreateDefaultSubnet(ctx, DefaultSubnetRequest{AZ: "lab-1b"})
	if err != nil || sn.CIDR != "172.31.32.0/20" {
		t.Errorf("default subnet beside a user subnet: %+v, %v; want 172.31.32.0/20", sn, err)
	}
	in, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1b"})
	if err != nil || in.Instances[0].SubnetID != sn.ID {
		t.Errorf("launch in lab-1b: %+v, %v; want in %s", in.Instances, err, sn.ID)
	}
	for _, tt := range []struct {
		name string
		req  DefaultSubnetRequest
		code string
	}{
		{"no zone", DefaultSubnetRequest{}, "MissingParameter"},
		{"both", DefaultSubnetRequest{AZ: "lab-1a", AZID: "lab-1-az1"}, "InvalidParameterCombination"},
		{"unknown zone", DefaultSubnetRequest{AZ: "lab-9z"}, "InvalidParameterValue"},
		{"unknown zone ID", DefaultSubnetRequest{AZID: "lab-1-az9"}, "InvalidParameterValue"},
		{"IPv6 only", DefaultSubnetRequest{AZ: "lab-1a", IPv6Native: true}, "UnsupportedOperation"},
		{"dry run of a refused call", DefaultSubnetRequest{AZ: "lab-1b", DryRun: true}, "DefaultSubnetAlreadyExistsInAvailabilityZone"},
	} {
		if _, err := r.svc.CreateDefaultSubnet(ctx, tt.req); errCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}
