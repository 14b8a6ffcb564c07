package controller

import (
	"context"
	"testing"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

func icmpFrom(cidr string) []Permission {
	return []Permission{{Protocol: "icmp", FromPort: -1, ToPort: -1, IPRanges: []IPRange{{CIDR: cidr}}}}
}

func (r *rig) group(t *testing.T, name string) SecurityGroup {
	t.Helper()
	gs, _, err := r.svc.DescribeSecurityGroups(ctxFor(acct1), nil, []string{name}, nil, Page{})
	if err != nil || len(gs) != 1 {
		t.Fatalf("describe %s: %v %v", name, gs, err)
	}
	return gs[0]
}

// TestSecurityGroupRules walks a group through EC2's rule semantics: a
// default group per VPC, a new group with no ingress and all egress,
// duplicate and missing rules, and deletion guarded by users.
func TestSecurityGroupRules(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	def := r.group(t, DefaultGroupName)
	if len(def.Ingress) != 1 || def.Ingress[0].GroupID != def.ID || len(def.Egress) != 1 {
		t.Fatalf("default group rules: %+v", def)
	}
	g, err := r.svc.CreateSecurityGroup(ctx, "locked", "no ingress", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if g.VpcID != def.VpcID || len(g.Ingress) != 0 || len(g.Egress) != 1 {
		t.Fatalf("new group: %+v", g)
	}
	if _, err := r.svc.CreateSecurityGroup(ctx, "locked", "again", "", nil, false); errCode(err) != "InvalidGroup.Duplicate" {
		t.Errorf("second 'locked': %v", err)
	}
	steps := []struct {
		name   string
		revoke bool
		perms  []Permission
		code   string
		rules  int
	}{
		{"authorize icmp", false, icmpFrom("10.0.0.7/32"), "", 1},
		{"duplicate", false, icmpFrom("10.0.0.7/32"), "InvalidPermission.Duplicate", 1},
		{"protocol number is canonical", false, []Permission{{Protocol: "6", FromPort: 22, ToPort: 22, Groups: []GroupPair{{GroupID: def.ID}}}}, "", 2},
		{"bad port range", false, []Permission{{Protocol: "tcp", FromPort: 30, ToPort: 20, IPRanges: []IPRange{{CIDR: "0.0.0.0/0"}}}}, "InvalidParameterValue", 2},
		{"revoke missing", true, icmpFrom("10.9.9.9/32"), "InvalidPermission.NotFound", 2},
		{"revoke icmp", true, icmpFrom("10.0.0.7/32"), "", 1},
	}
	for _, s := range steps {
		edit := r.svc.AuthorizeSecurityGroup
		if s.revoke {
			edit = r.svc.RevokeSecurityGroup
		}
		if _, err := edit(ctx, RuleEdit{GroupID: g.ID, Perms: s.perms}); errCode(err) != s.code {
			t.Errorf("%s: error %v, want %q", s.name, err, s.code)
		}
		if got := r.group(t, "locked"); len(got.Ingress) != s.rules {
			t.Errorf("%s: %d ingress rules, want %d: %+v", s.name, len(got.Ingress), s.rules, got.Ingress)
		}
	}
	if got := r.group(t, "locked").Ingress[0]; got.Protocol != "tcp" {
		t.Errorf("protocol 6 stored as %q", got.Protocol)
	}

	id := r.run(t, 1, "lab-1a")[0]
	if sgs := r.get(t, id).SecurityGroups; len(sgs) != 1 || sgs[0].ID != def.ID {
		t.Errorf("launched without groups: %v, want the default group %s", sgs, def.ID)
	}
	if err := r.svc.DeleteSecurityGroup(ctx, def.ID, "", false); errCode(err) != "CannotDelete" {
		t.Errorf("delete default: %v", err)
	}
	if _, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		SecurityGroupIDs: []string{g.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteSecurityGroup(ctx, "", "locked", false); errCode(err) != "DependencyViolation" {
		t.Errorf("delete 'locked' while an instance uses it: %v", err)
	}
}

// TestFirewallPush checks what hosts are told: the local ports with their
// groups, the groups' rules and the members of groups the rules name; a
// rule change is pushed at once, and a host whose instances are gone gets
// an empty state.
func TestFirewallPush(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	g, err := r.svc.CreateSecurityGroup(ctx, "locked", "no ingress", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		AZ: "lab-1a", SecurityGroupIDs: []string{g.ID}})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Instances[0]
	b := r.run(t, 1, "lab-1b")[0]
	r.drive(a.ID)
	r.drive(b)
	fa := r.agents["lab-1a"].lastFirewall()
	if fa == nil || len(fa.Ports) != 1 || fa.Ports[0].InstanceId != a.ID || fa.Ports[0].Groups[0] != g.ID {
		t.Fatalf("host A firewall: %v", fa)
	}
	if len(fa.Groups) != 1 || len(fa.Groups[0].Ingress) != 0 {
		t.Fatalf("host A groups: %v", fa.Groups)
	}
	def := r.group(t, DefaultGroupName)
	if _, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID,
		Perms: []Permission{{Protocol: "icmp", FromPort: -1, ToPort: -1, Groups: []GroupPair{{GroupID: def.ID}}}}}); err != nil {
		t.Fatal(err)
	}
	fa = r.agents["lab-1a"].lastFirewall()
	bIP := r.get(t, b).PrivateIP
	want := &agentv1.FwMembers{GroupId: def.ID, Ips: []string{bIP}}
	if len(fa.Groups[0].Ingress) != 1 || len(fa.Members) != 1 || fa.Members[0].String() != want.String() {
		t.Fatalf("after authorize from the default group: groups %v members %v, want member %v", fa.Groups, fa.Members, want)
	}
	if _, err := r.svc.TerminateInstances(ctx, []string{a.ID}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(a.ID)
	if fa := r.agents["lab-1a"].lastFirewall(); len(fa.GetPorts()) != 0 {
		t.Errorf("host A after terminate: %v", fa)
	}
	if err := r.svc.DeleteSecurityGroup(context.Background(), g.ID, "", false); errCode(err) == "" {
		t.Error("delete without credentials succeeded")
	}
	if err := r.svc.DeleteSecurityGroup(ctx, g.ID, "", false); err != nil {
		t.Errorf("delete after terminate: %v", err)
	}
}

// TestSecurityGroupEgressRules: egress rules are edited apart from ingress;
// revoking a new group's all-traffic rule leaves it with no egress, and
// the host's firewall state carries exactly the egress rules left.
func TestSecurityGroupEgressRules(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	g, err := r.svc.CreateSecurityGroup(ctx, "egress", "egress only to ssh", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	all := []Permission{{Protocol: "-1", FromPort: -1, ToPort: -1, IPRanges: []IPRange{{CIDR: "0.0.0.0/0"}}}}
	ssh := []Permission{{Protocol: "tcp", FromPort: 22, ToPort: 22, IPRanges: []IPRange{{CIDR: "10.0.0.0/16"}}}}
	steps := []struct {
		name            string
		revoke          bool
		perms           []Permission
		code            string
		egress, ingress int
	}{
		{"authorize ssh out", false, ssh, "", 2, 0},
		{"duplicate of the default", false, all, "InvalidPermission.Duplicate", 2, 0},
		{"revoke all traffic", true, all, "", 1, 0},
		{"revoke all traffic again", true, all, "InvalidPermission.NotFound", 1, 0},
	}
	for _, s := range steps {
		edit := r.svc.AuthorizeSecurityGroup
		if s.revoke {
			edit = r.svc.RevokeSecurityGroup
		}
		if _, err := edit(ctx, RuleEdit{GroupID: g.ID, Egress: true, Perms: s.perms}); errCode(err) != s.code {
			t.Errorf("%s: error %v, want %q", s.name, err, s.code)
		}
		if got := r.group(t, "egress"); len(got.Egress) != s.egress || len(got.Ingress) != s.ingress {
			t.Errorf("%s: %d egress / %d ingress rules, want %d / %d", s.name, len(got.Egress), len(got.Ingress), s.egress, s.ingress)
		}
	}
	if got := r.group(t, "egress").Egress[0]; got.Protocol != "tcp" || got.FromPort != 22 || got.CIDR != "10.0.0.0/16" {
		t.Errorf("egress rule left: %+v, want tcp 22 to 10.0.0.0/16", got)
	}

	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		AZ: "lab-1a", SecurityGroupIDs: []string{g.ID}})
	if err != nil {
		t.Fatal(err)
	}
	r.drive(res.Instances[0].ID)
	fw := r.agents["lab-1a"].lastFirewall()
	for _, grp := range fw.GetGroups() {
		if grp.GetGroupId() != g.ID {
			continue
		}
		if e := grp.GetEgress(); len(e) != 1 || e[0].GetProtocol() != "tcp" || e[0].GetFromPort() != 22 {
			t.Errorf("host told egress %v, want only tcp 22", e)
		}
		return
	}
	t.Errorf("host's firewall state lacks group %s: %v", g.ID, fw)
}
