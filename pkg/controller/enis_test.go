package controller

import (
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// eniRig is a rig with a VPC of its own (subnet and group), one instance
// launched there through NetworkInterface.1, and one in the default
// subnet of lab-1a.
type eniRig struct {
	*rig
	vpc      VPC
	subnet   Subnet
	group    SecurityGroup
	custom   Instance // in subnet, with group, 10.8.1.20, description "web eni"
	fallback Instance // default VPC
}

func newENIRig(t *testing.T) *eniRig {
	t.Helper()
	r := &eniRig{rig: newRig(t, 64, hostSpec{8, 8192})}
	ctx := ctxFor(acct1)
	var err error
	if r.vpc, err = r.svc.CreateVpc(ctx, "10.8.0.0/16", nil, false); err != nil {
		t.Fatal(err)
	}
	if r.subnet, err = r.svc.CreateSubnet(ctx, r.vpc.ID, "10.8.1.0/24", "lab-1b", nil, false); err != nil {
		t.Fatal(err)
	}
	if r.group, err = r.svc.CreateSecurityGroup(ctx, "web", "web servers", r.vpc.ID, nil, false); err != nil {
		t.Fatal(err)
	}
	zero, yes, no := 0, true, false
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		Tags: map[string][]Tag{"network-interface": {{"role", "web"}}},
		NetworkInterfaces: []InterfaceSpec{{DeviceIndex: &zero, SubnetID: r.subnet.ID, GroupIDs: []string{r.group.ID},
			PrivateIP: "10.8.1.20", Description: "web eni", DeleteOnTermination: &yes, AssociatePublicIP: &no}}})
	if err != nil {
		t.Fatalf("RunInstances with NetworkInterface.1: %v", err)
	}
	r.custom = res.Instances[0]
	r.fallback = r.get(t, r.run(t, 1, "lab-1a")[0])
	return r
}

// TestRunInstancesNetworkInterfaceSpec: NetworkInterface.1 places the
// instance as the instance-level parameters would, and its description
// and tags are the interface's.
func TestRunInstancesNetworkInterfaceSpec(t *testing.T) {
	r := newENIRig(t)
	in := r.get(t, r.custom.ID)
	if in.SubnetID != r.subnet.ID || in.VpcID != r.vpc.ID || in.PrivateIP != "10.8.1.20" || in.AZ != "lab-1b" ||
		len(in.SecurityGroups) != 1 || in.SecurityGroups[0].ID != r.group.ID {
		t.Fatalf("instance launched with NetworkInterface.1: %+v", in)
	}
	nis := in.NetworkInterfaces()
	if len(nis) != 1 {
		t.Fatalf("NetworkInterfaces() = %+v, want the primary", nis)
	}
	ni := nis[0]
	want := NetworkInterface{ID: ids.PrimaryNetworkInterface(in.ID), Owner: acct1, VpcID: r.vpc.ID, SubnetID: r.subnet.ID,
		AZ: "lab-1b", Description: "web eni", Status: "in-use", MAC: in.MAC, PrivateIP: "10.8.1.20",
		PrivateDNS: in.PrivateDNSName, SourceDestCheck: true, InterfaceType: "interface"}
	got := ni
	got.Groups, got.Tags, got.Attachment = nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("interface\n got %+v\nwant %+v", got, want)
	}
	a := ni.Attachment
	if a == nil || a.ID != ids.PrimaryNetworkInterfaceAttachment(in.ID) || a.InstanceID != in.ID || a.InstanceOwner != acct1 ||
		a.DeviceIndex != 0 || a.Status != "attached" || !a.DeleteOnTermination || !a.AttachTime.Equal(in.LaunchTime) {
		t.Errorf("attachment %+v", a)
	}
	if len(ni.Tags) != 1 || ni.Tags[0] != (Tag{"role", "web"}) || len(in.Tags) != 0 {
		t.Errorf("interface tags %v, instance tags %v: want role=web on the interface only", ni.Tags, in.Tags)
	}
	if dflt := r.fallback.NetworkInterfaces(); len(dflt) != 1 || dflt[0].Description != "" || dflt[0].Groups[0].Name != "default" {
		t.Errorf("default-subnet instance's interface: %+v", dflt)
	}
}

// TestRunInstancesNetworkInterfaceErrors: what EC2 refuses and what
// ec2lab cannot do yet is refused with EC2's codes, and nothing launches.
func TestRunInstancesNetworkInterfaceErrors(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	zero, one, yes, no := 0, 1, true, false
	primary := func(f func(*InterfaceSpec)) []InterfaceSpec {
		s := InterfaceSpec{DeviceIndex: &zero}
		f(&s)
		return []InterfaceSpec{s}
	}
	cases := []struct {
		name string
		req  RunRequest
		code string
	}{
		{"with instance-level subnet", RunRequest{SubnetID: "subnet-0123456789abcdef0", NetworkInterfaces: primary(func(*InterfaceSpec) {})},
			ec2err.InvalidParameterCombination},
		{"with instance-level groups", RunRequest{SecurityGroupIDs: []string{"sg-0123456789abcdef0"}, NetworkInterfaces: primary(func(*InterfaceSpec) {})},
			ec2err.InvalidParameterCombination},
		{"with instance-level address", RunRequest{PrivateIP: "172.31.0.9", NetworkInterfaces: primary(func(*InterfaceSpec) {})},
			ec2err.InvalidParameterCombination},
		{"two interfaces", RunRequest{NetworkInterfaces: []InterfaceSpec{{DeviceIndex: &zero}, {DeviceIndex: &one}}},
			ec2err.UnsupportedOperation},
		{"no device index", RunRequest{NetworkInterfaces: []InterfaceSpec{{}}}, ec2err.InvalidParameterValue},
		{"device index 1 only", RunRequest{NetworkInterfaces: []InterfaceSpec{{DeviceIndex: &one}}}, ec2err.InvalidParameterValue},
		{"existing interface", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.NetworkInterfaceID = "eni-0123456789abcdef0" })},
			ec2err.UnsupportedOperation},
		{"existing interface with a subnet", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) {
			s.NetworkInterfaceID, s.SubnetID = "eni-0123456789abcdef0", "subnet-0123456789abcdef0"
		})}, ec2err.InvalidParameterCombination},
		{"public address without a pool", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.AssociatePublicIP = &yes })},
			ec2err.AddressLimitExceeded},
		{"kept after termination", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.DeleteOnTermination = &no })},
			ec2err.UnsupportedOperation},
		{"IPv6", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.IPv6AddressCount = 1 })}, ec2err.UnsupportedOperation},
		{"secondary addresses", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.SecondaryIPCount = 2 })},
			ec2err.UnsupportedOperation},
		{"secondary in PrivateIpAddresses", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) {
			s.PrivateIPs = []PrivateIPSpec{{Address: "172.31.0.9", Primary: true}, {Address: "172.31.0.10"}}
		})}, ec2err.UnsupportedOperation},
		{"primary addresses differ", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) {
			s.PrivateIP, s.PrivateIPs = "172.31.0.9", []PrivateIPSpec{{Address: "172.31.0.10", Primary: true}}
		})}, ec2err.InvalidParameterValue},
		{"efa", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.InterfaceType = "efa" })}, ec2err.UnsupportedOperation},
		{"prefixes", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.IPv4PrefixCount = 1 })}, ec2err.UnsupportedOperation},
		{"unknown subnet", RunRequest{NetworkInterfaces: primary(func(s *InterfaceSpec) { s.SubnetID = "subnet-0123456789abcdef0" })},
			ec2err.InvalidSubnetIDNotFound},
		{"address with two instances", RunRequest{MaxCount: 2, NetworkInterfaces: primary(func(s *InterfaceSpec) { s.PrivateIP = "172.31.0.9" })},
			ec2err.InvalidParameterCombination},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := c.req
			q.ImageID, q.InstanceType, q.MinCount, q.MaxCount = r.ami, "lab.tiny", 1, max(q.MaxCount, 1)
			if _, err := r.svc.RunInstances(ctx, q); errCode(err) != c.code {
				t.Errorf("error %v, want %s", err, c.code)
			}
			if r.count(t) != 0 {
				t.Error("a refused launch recorded instances")
			}
		})
	}
	t.Run("dry run", func(t *testing.T) {
		q := RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, DryRun: true,
			NetworkInterfaces: primary(func(s *InterfaceSpec) { s.PrivateIP = "172.31.0.9" })}
		if _, err := r.svc.RunInstances(ctx, q); errCode(err) != ec2err.DryRunOperation || r.count(t) != 0 {
			t.Errorf("dry run: %v, %d instances", err, r.count(t))
		}
	})
	t.Run("retry with a token", func(t *testing.T) {
		q := RunRequest{ImageID: r.ami, MinCount: 1, MaxCount: 1, ClientToken: "eni-1",
			NetworkInterfaces: primary(func(s *InterfaceSpec) { s.Description = "first" })}
		a, err := r.svc.RunInstances(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.svc.RunInstances(ctx, q) // same request: its defaults (InstanceType) are not part of the token
		if err != nil || len(b.Instances) != 1 || b.Instances[0].ID != a.Instances[0].ID {
			t.Fatalf("retry: %v %v", b, err)
		}
		q.NetworkInterfaces[0].Description = "second"
		if _, err := r.svc.RunInstances(ctx, q); errCode(err) != ec2err.IdempotentParameterMismatch {
			t.Errorf("changed interface with the same token: %v", err)
		}
	})
}
