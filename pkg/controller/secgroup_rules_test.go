package controller

import (
	"context"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// newGroupRig is a rig with one group "web" of acct1 in the default VPC.
func newGroupRig(t *testing.T) (*rig, SecurityGroup) {
	t.Helper()
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	g, err := r.svc.CreateSecurityGroup(ctxFor(acct1), "web", "web servers", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	return r, g
}

// rulesOf lists the rules DescribeSecurityGroupRules shows acct1 with filters.
func (r *rig) rulesOf(t *testing.T, filters ...Filter) []GroupRule {
	t.Helper()
	rules, _, err := r.svc.DescribeSecurityGroupRules(ctxFor(acct1), nil, filters, Page{})
	if err != nil {
		t.Fatalf("DescribeSecurityGroupRules %v: %v", filters, err)
	}
	return rules
}

func tcp(port int32, cidrs ...string) Permission {
	p := Permission{Protocol: "tcp", FromPort: port, ToPort: port}
	for _, c := range cidrs {
		p.IPRanges = append(p.IPRanges, IPRange{CIDR: c})
	}
	return p
}

// TestAuthorizeAnswersRulesWithIDs: each peer of a permission is one rule
// with its own sgr- ID, answered by authorize and then described alike.
func TestAuthorizeAnswersRulesWithIDs(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	def := r.group(t, DefaultGroupName)
	p := tcp(22, "10.0.0.0/8")
	p.IPRanges[0].Description = "ssh from the lab"
	p.Groups = []GroupPair{{GroupID: def.ID, Description: "ssh from default"}}
	added, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: []Permission{p, tcp(443, "0.0.0.0/0")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 3 {
		t.Fatalf("authorize answered %d rules, want 3: %+v", len(added), added)
	}
	for _, a := range added {
		if !ids.Valid(SGRuleIDPrefix, a.Rule.ID) || a.GroupID != g.ID || a.Owner != acct1 || a.Egress ||
			a.ARN != "arn:aws:ec2:lab-1:"+acct1+":security-group-rule/"+a.Rule.ID {
			t.Errorf("added rule %+v", a)
		}
	}
	if a := added[1]; a.Rule.GroupID != def.ID || a.Rule.Description != "ssh from default" || a.Rule.FromPort != 22 {
		t.Errorf("group peer rule %+v", a.Rule)
	}
	got := r.rulesOf(t, Filter{Name: "group-id", Values: []string{g.ID}})
	if len(got) != 4 { // with the group's all-traffic egress rule
		t.Fatalf("group %s has %d rules, want 4: %+v", g.ID, len(got), got)
	}
	byID := map[string]GroupRule{}
	for _, x := range got {
		byID[x.Rule.ID] = x
	}
	for _, a := range added {
		if d, ok := byID[a.Rule.ID]; !ok || d.Rule.CIDR != a.Rule.CIDR || d.Rule.Description != a.Rule.Description {
			t.Errorf("rule %s described as %+v, authorized as %+v", a.Rule.ID, d, a)
		}
	}
	perms := Permissions(r.group(t, "web").Ingress)
	if len(perms) != 2 || perms[0].IPRanges[0].Description != "ssh from the lab" || perms[0].Groups[0].Description != "ssh from default" {
		t.Errorf("DescribeSecurityGroups permissions lost descriptions: %+v", perms)
	}
	again := r.rulesOf(t, Filter{Name: "group-id", Values: []string{g.ID}})
	for i := range again {
		if again[i].Rule.ID != got[i].Rule.ID {
			t.Errorf("rule IDs changed between describes: %s then %s", got[i].Rule.ID, again[i].Rule.ID)
		}
	}
}

// TestDescribeSecurityGroupRules: IDs, filters, pagination, errors, and
// other accounts' rules.
func TestDescribeSecurityGroupRules(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	added, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID,
		Perms: []Permission{tcp(80, "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24")},
		Tags:  map[string][]Tag{"security-group-rule": {{Key: "team", Value: "web"}}}})
	if err != nil {
		t.Fatal(err)
	}
	one := added[2].Rule.ID
	tests := []struct {
		name    string
		ids     []string
		filters []Filter
		want    int
		code    string
	}{
		{"by ID", []string{one}, nil, 1, ""},
		{"by rule ID filter", nil, []Filter{{Name: "security-group-rule-id", Values: []string{one}}}, 1, ""},
		{"by tag", nil, []Filter{{Name: "tag:team", Values: []string{"web"}}}, 5, ""},
		{"by group", nil, []Filter{{Name: "group-id", Values: []string{g.ID}}}, 6, ""},
		{"unknown ID", []string{"sgr-0123456789abcdef0"}, nil, 0, "InvalidSecurityGroupRuleId.NotFound"},
		{"malformed ID", []string{"sg-0123456789abcdef0"}, nil, 0, "InvalidSecurityGroupRuleId.Malformed"},
		{"unknown filter", nil, []Filter{{Name: "cidr", Values: []string{"*"}}}, 0, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		got, _, err := r.svc.DescribeSecurityGroupRules(ctx, tt.ids, tt.filters, Page{})
		if errCode(err) != tt.code || len(got) != tt.want {
			t.Errorf("%s: %d rules, error %v; want %d, %q", tt.name, len(got), err, tt.want, tt.code)
		}
	}
	seen := map[string]bool{}
	p := Page{MaxResults: 5}
	for pages := 0; ; pages++ {
		got, next, err := r.svc.DescribeSecurityGroupRules(ctx, nil, nil, p)
		if err != nil || pages > 5 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, x := range got {
			seen[x.Rule.ID] = true
		}
		if next == "" {
			break
		}
		p.NextToken = next
	}
	if all := r.rulesOf(t); len(seen) != len(all) {
		t.Errorf("pages gave %d rules, want %d", len(seen), len(all))
	}
	if _, _, err := r.svc.DescribeSecurityGroupRules(ctx, nil, nil, Page{MaxResults: 4}); errCode(err) != "InvalidParameterValue" {
		t.Errorf("MaxResults 4: %v", err)
	}
	other := ctxFor(acct2)
	if _, _, err := r.svc.DescribeSecurityGroupRules(other, []string{one}, nil, Page{}); errCode(err) != "InvalidSecurityGroupRuleId.NotFound" {
		t.Errorf("another account named %s: %v", one, err)
	}
	theirs, _, err := r.svc.DescribeSecurityGroupRules(other, nil, nil, Page{})
	for _, x := range theirs {
		if x.Owner != acct2 {
			t.Errorf("another account sees %+v (err %v)", x, err)
		}
	}
}

// TestRevokeByRuleID removes rules by ID from their direction only, and
// the hosts are told at once.
func TestRevokeByRuleID(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	added, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: []Permission{tcp(22, "10.0.0.0/8", "10.1.0.0/16")}})
	if err != nil {
		t.Fatal(err)
	}
	egress := r.rulesOf(t, Filter{Name: "group-id", Values: []string{g.ID}})
	egressID := ""
	for _, x := range egress {
		if x.Egress {
			egressID = x.Rule.ID
		}
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		AZ: "lab-1a", SecurityGroupIDs: []string{g.ID}})
	if err != nil {
		t.Fatal(err)
	}
	r.drive(res.Instances[0].ID)
	steps := []struct {
		name string
		e    RuleEdit
		code string
	}{
		{"egress rule through ingress", RuleEdit{RuleIDs: []string{egressID}}, "InvalidSecurityGroupRuleId.NotFound"},
		{"unknown", RuleEdit{RuleIDs: []string{"sgr-0123456789abcdef0"}}, "InvalidSecurityGroupRuleId.NotFound"},
		{"malformed", RuleEdit{RuleIDs: []string{"rule-1"}}, "InvalidSecurityGroupRuleId.Malformed"},
		{"both ways", RuleEdit{RuleIDs: []string{added[0].Rule.ID}, Perms: []Permission{tcp(22, "10.0.0.0/8")}}, "InvalidParameterCombination"},
		{"with tags", RuleEdit{RuleIDs: []string{added[0].Rule.ID}, Tags: map[string][]Tag{"security-group-rule": {{Key: "a"}}}}, "InvalidParameterCombination"},
		{"dry run", RuleEdit{RuleIDs: []string{added[0].Rule.ID}, DryRun: true}, "DryRunOperation"},
		{"one of two", RuleEdit{RuleIDs: []string{added[0].Rule.ID}}, ""},
		{"again", RuleEdit{RuleIDs: []string{added[0].Rule.ID}}, "InvalidSecurityGroupRuleId.NotFound"},
	}
	for _, s := range steps {
		s.e.GroupID = g.ID
		if _, err := r.svc.RevokeSecurityGroup(ctx, s.e); errCode(err) != s.code {
			t.Errorf("%s: %v, want %q", s.name, err, s.code)
		}
	}
	left := r.group(t, "web").Ingress
	if len(left) != 1 || left[0].ID != added[1].Rule.ID || left[0].CIDR != "10.1.0.0/16" {
		t.Fatalf("ingress left %+v, want only %s", left, added[1].Rule.ID)
	}
	told := 0
	for _, fg := range r.agents["lab-1a"].lastFirewall().GetGroups() {
		if fg.GetGroupId() != g.ID {
			continue
		}
		told++
		if len(fg.GetIngress()) != 1 || fg.GetIngress()[0].GetCidrs()[0] != "10.1.0.0/16" {
			t.Errorf("host told ingress %v, want only 10.1.0.0/16", fg.GetIngress())
		}
	}
	if told != 1 {
		t.Errorf("host told of group %s %d times", g.ID, told)
	}
	gone, err := r.svc.RevokeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Egress: true, RuleIDs: []string{egressID}})
	if err != nil || len(gone) != 1 || gone[0].Rule.ID != egressID || !gone[0].Egress || gone[0].Rule.CIDR != "0.0.0.0/0" {
		t.Errorf("revoke egress by ID answered %+v, %v", gone, err)
	}
}

// TestIPv6AndPrefixListPeers: ec2lab VPCs have no IPv6 and it has no
// prefix lists; authorize says so, revoke finds no such rule (what
// Terraform's aws_security_group expects after revoking the IPv4 default).
func TestIPv6AndPrefixListPeers(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	v6 := func(cidr string) []Permission {
		return []Permission{{Protocol: "-1", FromPort: 0, ToPort: 0, IPv6Ranges: []IPRange{{CIDR: cidr}}}}
	}
	pl := []Permission{{Protocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIDs: []string{"pl-63a5400a"}}}
	steps := []struct {
		name           string
		revoke, egress bool
		perms          []Permission
		code, mention  string
	}{
		{"authorize ::/0", false, true, v6("::/0"), "InvalidParameterValue", "::/0"},
		{"authorize a prefix list", false, false, pl, "UnsupportedOperation", "pl-63a5400a"},
		{"authorize IPv4 and IPv6 together", false, false, append(v6("2001:db8::/32"), tcp(22, "10.0.0.0/8")), "InvalidParameterValue", "2001:db8::/32"},
		{"malformed IPv6", false, false, v6("2001:zz::/32"), "InvalidParameterValue", "malformed"},
		{"IPv4 in Ipv6Ranges", false, false, v6("10.0.0.0/8"), "InvalidParameterValue", "malformed"},
		{"revoke the IPv6 default egress", true, true, v6("::/0"), "InvalidPermission.NotFound", ""},
		{"revoke a prefix list", true, false, pl, "InvalidPermission.NotFound", ""},
		{"revoke IPv6 with a malformed range", true, true, v6("::1/999"), "InvalidParameterValue", "malformed"},
	}
	for _, s := range steps {
		edit := r.svc.AuthorizeSecurityGroup
		if s.revoke {
			edit = r.svc.RevokeSecurityGroup
		}
		_, err := edit(ctx, RuleEdit{GroupID: g.ID, Egress: s.egress, Perms: s.perms})
		if errCode(err) != s.code || (s.mention != "" && !strings.Contains(err.Error(), s.mention)) {
			t.Errorf("%s: %v, want %s mentioning %q", s.name, err, s.code, s.mention)
		}
	}
	if _, err := r.svc.RevokeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Egress: true, Perms: v6("::/0"), DryRun: true}); errCode(err) != "DryRunOperation" {
		t.Errorf("dry run of the IPv6 revoke: %v", err)
	}
	if got := r.group(t, "web"); len(got.Ingress) != 0 || len(got.Egress) != 1 {
		t.Errorf("rules changed: %+v / %+v", got.Ingress, got.Egress)
	}
	ipv4 := []Permission{{Protocol: "-1", FromPort: 0, ToPort: 0, IPRanges: []IPRange{{CIDR: "0.0.0.0/0"}}}}
	if _, err := r.svc.RevokeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Egress: true, Perms: ipv4}); err != nil {
		t.Errorf("Terraform's revoke of the IPv4 default egress: %v", err)
	}
}

// TestModifySecurityGroupRules replaces a rule in place: same ID, tags and
// direction; the hosts see the new traffic.
func TestModifySecurityGroupRules(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	def := r.group(t, DefaultGroupName)
	added, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: []Permission{tcp(22, "10.0.0.0/8", "10.9.0.0/16")},
		Tags: map[string][]Tag{"security-group-rule": {{Key: "Name", Value: "ssh"}}}})
	if err != nil {
		t.Fatal(err)
	}
	id, other := added[0].Rule.ID, added[1].Rule.ID
	port := func(n int32) *int32 { return &n }
	steps := []struct {
		name string
		u    RuleUpdate
		code string
	}{
		{"unknown rule", RuleUpdate{RuleID: "sgr-0123456789abcdef0", Protocol: "tcp", FromPort: port(1), ToPort: port(1), CIDR: "10.0.0.0/8"}, "InvalidSecurityGroupRuleId.NotFound"},
		{"no protocol", RuleUpdate{RuleID: id, CIDR: "10.0.0.0/8"}, "InvalidParameterValue"},
		{"tcp without ports", RuleUpdate{RuleID: id, Protocol: "tcp", CIDR: "10.0.0.0/8"}, "InvalidParameterValue"},
		{"two peers", RuleUpdate{RuleID: id, Protocol: "-1", CIDR: "10.0.0.0/8", PeerGroupID: def.ID}, "InvalidParameterCombination"},
		{"no peer", RuleUpdate{RuleID: id, Protocol: "-1"}, "MissingParameter"},
		{"IPv6", RuleUpdate{RuleID: id, Protocol: "-1", CIDRv6: "::/0"}, "InvalidParameterValue"},
		{"prefix list", RuleUpdate{RuleID: id, Protocol: "-1", PrefixListID: "pl-1"}, "UnsupportedOperation"},
		{"same as another rule", RuleUpdate{RuleID: id, Protocol: "tcp", FromPort: port(22), ToPort: port(22), CIDR: "10.9.0.0/16"}, "InvalidPermission.Duplicate"},
		{"https from a group", RuleUpdate{RuleID: id, Protocol: "tcp", FromPort: port(443), ToPort: port(443), PeerGroupID: def.ID, Description: "from default"}, ""},
	}
	for _, s := range steps {
		if err := r.svc.ModifySecurityGroupRules(ctx, g.ID, []RuleUpdate{s.u}, false); errCode(err) != s.code {
			t.Errorf("%s: %v, want %q", s.name, err, s.code)
		}
	}
	got, _, err := r.svc.DescribeSecurityGroupRules(ctx, []string{id, other}, nil, Page{})
	if err != nil || len(got) != 2 {
		t.Fatalf("describe: %v %v", got, err)
	}
	m := got[0]
	if m.Rule.ID != id {
		m = got[1]
	}
	if m.Rule.FromPort != 443 || m.Rule.GroupID != def.ID || m.Rule.CIDR != "" || m.Rule.Description != "from default" ||
		m.Egress || len(m.Rule.Tags) != 1 || m.Rule.Tags[0].Value != "ssh" {
		t.Errorf("modified rule %+v", m)
	}
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		AZ: "lab-1a", SecurityGroupIDs: []string{g.ID}})
	if err != nil {
		t.Fatal(err)
	}
	r.drive(res.Instances[0].ID)
	told := 0
	for _, fg := range r.agents["lab-1a"].lastFirewall().GetGroups() {
		in := fg.GetIngress()
		if fg.GetGroupId() != g.ID {
			continue
		}
		told++
		if len(in) != 2 || in[0].GetFromPort() != 443 || len(in[0].GetSourceGroups()) != 1 ||
			in[0].GetSourceGroups()[0] != def.ID || len(in[0].GetCidrs()) != 0 {
			t.Errorf("host told ingress %v, want https from %s first", in, def.ID)
		}
	}
	if told != 1 {
		t.Errorf("host told of group %s %d times", g.ID, told)
	}
	if err := r.svc.ModifySecurityGroupRules(ctxFor(acct2), g.ID, []RuleUpdate{{RuleID: id, Protocol: "-1", CIDR: "10.0.0.0/8"}}, false); errCode(err) != "InvalidGroup.NotFound" {
		t.Errorf("another account modified the rule: %v", err)
	}
}

// TestRuleDescriptions: descriptions are held to EC2's characters, and
// UpdateSecurityGroupRuleDescriptions* changes them by permission or ID.
func TestRuleDescriptions(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	bad := tcp(22, "10.0.0.0/8")
	bad.IPRanges[0].Description = "ssh <admins>"
	if _, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: []Permission{bad}}); errCode(err) != "InvalidParameterValue" {
		t.Errorf("description with '<': %v", err)
	}
	added, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: []Permission{tcp(22, "10.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	egressID := r.group(t, "web").Egress[0].ID
	described := tcp(22, "10.0.0.0/8")
	described.IPRanges[0].Description = "ssh: admins"
	steps := []struct {
		name   string
		egress bool
		perms  []Permission
		descs  []RuleDescription
		code   string
	}{
		{"by permission", false, []Permission{described}, nil, ""},
		{"absent permission", false, []Permission{tcp(23, "10.0.0.0/8")}, nil, "InvalidPermission.NotFound"},
		{"IPv6 permission", false, []Permission{{Protocol: "-1", IPv6Ranges: []IPRange{{CIDR: "::/0"}}}}, nil, "InvalidPermission.NotFound"},
		{"both", false, []Permission{described}, []RuleDescription{{RuleID: added[0].Rule.ID}}, "InvalidParameterCombination"},
		{"neither", false, nil, nil, "MissingParameter"},
		{"by ID", true, nil, []RuleDescription{{RuleID: egressID, Description: "all out"}}, ""},
		{"ID of the other direction", false, nil, []RuleDescription{{RuleID: egressID, Description: "x"}}, "InvalidSecurityGroupRuleId.NotFound"},
	}
	for _, s := range steps {
		if err := r.svc.UpdateSecurityGroupRuleDescriptions(ctx, g.ID, "", s.egress, s.perms, s.descs, false); errCode(err) != s.code {
			t.Errorf("%s: %v, want %q", s.name, err, s.code)
		}
	}
	if got := r.group(t, "web"); got.Ingress[0].Description != "ssh: admins" || got.Egress[0].Description != "all out" {
		t.Errorf("descriptions %q / %q", got.Ingress[0].Description, got.Egress[0].Description)
	}
}

// TestRuleTags: rules are tagged at authorize and through the tag calls.
func TestRuleTags(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	if _, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: []Permission{tcp(22, "10.0.0.0/8")},
		Tags: map[string][]Tag{"security-group": {{Key: "a", Value: "b"}}}}); errCode(err) != "InvalidParameterValue" {
		t.Errorf("TagSpecifications of another resource type: %v", err)
	}
	added, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: []Permission{tcp(22, "10.0.0.0/8")},
		Tags: map[string][]Tag{"security-group-rule": {{Key: "Name", Value: "ssh"}}}})
	if err != nil || len(added[0].Rule.Tags) != 1 {
		t.Fatalf("authorize with tags: %+v %v", added, err)
	}
	id := added[0].Rule.ID
	if err := r.svc.CreateTags(ctx, []string{id}, []Tag{{Key: "env", Value: "lab"}}, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteTags(ctx, []string{id}, []Tag{{Key: "Name"}}, false); err != nil {
		t.Fatal(err)
	}
	tags, _, err := r.svc.DescribeTags(ctx, []Filter{{Name: "resource-type", Values: []string{"security-group-rule"}}}, Page{})
	if err != nil || len(tags) != 1 || tags[0].ResourceID != id || tags[0].Key != "env" {
		t.Errorf("DescribeTags of rules: %+v %v", tags, err)
	}
	if got := r.rulesOf(t, Filter{Name: "tag:env", Values: []string{"lab"}}); len(got) != 1 || got[0].Rule.ID != id {
		t.Errorf("rules tagged env=lab: %+v", got)
	}
	if err := r.svc.CreateTags(ctxFor(acct2), []string{id}, []Tag{{Key: "x", Value: "y"}}, false); errCode(err) != "InvalidID" {
		t.Errorf("another account tagged %s: %v", id, err)
	}
	if err := r.svc.CreateTags(ctx, []string{"sgr-0123456789abcdef0"}, []Tag{{Key: "x", Value: "y"}}, false); errCode(err) != "InvalidID" {
		t.Errorf("tagging an unknown rule: %v", err)
	}
	if got := r.group(t, "web").Ingress; len(got) != 1 || got[0].CIDR != "10.0.0.0/8" {
		t.Errorf("tagging changed the rules: %+v", got)
	}
}

// TestRulesRecordedWithoutIDs: a group recorded before rules had IDs
// shows stable IDs, and keeps them once a change records them.
func TestRulesRecordedWithoutIDs(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := context.Background()
	if _, err := update(ctx, r.svc.st, prefixSecGroup+g.ID, func(rec *SecurityGroup) error {
		rec.Ingress = []SGRule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "10.0.0.0/8"}}
		rec.Egress[0].ID = ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := r.rulesOf(t, Filter{Name: "group-id", Values: []string{g.ID}})
	if len(before) != 2 || !ids.Valid(SGRuleIDPrefix, before[0].Rule.ID) || before[0].Rule.ID == before[1].Rule.ID {
		t.Fatalf("legacy rules described as %+v", before)
	}
	if _, err := r.svc.AuthorizeSecurityGroup(ctxFor(acct1), RuleEdit{GroupID: g.ID, Perms: []Permission{tcp(80, "10.0.0.0/8")}}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := store.GetJSON[SecurityGroup](ctx, r.svc.st, prefixSecGroup+g.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, x := range append(rec.Ingress, rec.Egress...) {
		stored[x.ID] = true
	}
	for _, b := range before {
		if !stored[b.Rule.ID] {
			t.Errorf("rule %s was not recorded with its ID: %+v", b.Rule.ID, rec)
		}
	}
}

// TestGroupPeerAccount: a group peer may name its account, which must be
// the caller's.
func TestGroupPeerAccount(t *testing.T) {
	r, g := newGroupRig(t)
	ctx := ctxFor(acct1)
	def := r.group(t, DefaultGroupName)
	peer := func(user string) []Permission {
		return []Permission{{Protocol: "-1", Groups: []GroupPair{{GroupID: def.ID, UserID: user}}}}
	}
	if _, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: peer(acct2)}); errCode(err) != "UnsupportedOperation" {
		t.Errorf("peer of another account: %v", err)
	}
	if _, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g.ID, Perms: peer(acct1)}); err != nil {
		t.Errorf("peer naming the caller's account: %v", err)
	}
}
