package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/agent"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestSecurityGroups runs A in a group without ingress and B in the
// default group, B pinging A every ~2 s: pings fail until icmp from B is
// authorized on A's group, pass within seconds after, fail again once the
// rule is revoked; the group cannot be deleted while A uses it, and after
// terminate it can, and the host's nftables tables are gone.
func TestSecurityGroups(t *testing.T) {
	requireHost(t)
	nptest.RequireNetAdmin(t)
	prefix := fmt.Sprintf("e2s%04x-", rand.Intn(1<<16))
	dataDir := hvtest.ScratchDir(t)
	t.Cleanup(func() { removeDomains(t, prefix) }) // after a failure; a passing run terminates its guests
	r := startRegion(t, dataDir, "--domain-prefix", prefix)
	plane := observer(t, prefix, dataDir)
	table := agent.FirewallTable(prefix)
	t.Cleanup(func() { // a failed run may leave guests, hence tables
		for _, family := range []string{"inet", "bridge"} {
			_ = exec.Command("nft", "delete", "table", family, table).Run()
		}
	})
	ctx := context.Background()
	ami := waitTinyAMI(t, r)

	locked, err := r.Client.CreateSecurityGroup(ctx, &v1.CreateSecurityGroupRequest{GroupName: "locked", Description: "no ingress"})
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	lockedID := locked.GetGroupId()
	resA, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
		SecurityGroupIds: []string{lockedID}})
	if err != nil {
		t.Fatalf("RunInstances A: %v", err)
	}
	a := r.waitState(t, "running", resA.GetInstances()[0].GetInstanceId())[0]
	script := fmt.Sprintf("#!/bin/sh\nn=0\nwhile [ $n -lt 30 ] && ! ip -4 addr show eth0 | grep -q inet; do n=$((n+1)); sleep 1; done\n"+
		"i=0\nwhile [ $i -lt 45 ]; do i=$((i+1))\n"+
		"if ping -c 1 -W 1 %s >/dev/null 2>&1; then echo \"PING-OK $i\"; else echo \"PING-FAIL $i\"; sleep 1; fi\nsleep 1\ndone\n",
		a.GetPrivateIpAddress())
	resB, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
		UserData: []byte(script)})
	if err != nil {
		t.Fatalf("RunInstances B: %v", err)
	}
	b := r.waitState(t, "running", resB.GetInstances()[0].GetInstanceId())[0]
	ids := []string{a.GetInstanceId(), b.GetInstanceId()}
	checkGroups(t, a, lockedID, "locked")
	defaultID := b.GetSecurityGroups()[0].GetGroupId()
	checkGroups(t, b, defaultID, "default")
	if !tableExists(t, table) {
		t.Errorf("no nftables table %s with guests in security groups", table)
	}

	pings := pingWatch{r: r, id: b.GetInstanceId()}
	if got := pings.next(t, 150*time.Second); got != "PING-FAIL" {
		t.Fatalf("A's group has no ingress, yet B's first ping: %s", got)
	}
	pings.next(t, 10*time.Second) // a second attempt, still before any rule
	if pings.ok > 0 {
		t.Fatalf("B reached A before any rule:\n%s", pings.out)
	}

	icmpFromB := []*v1.IpPermission{{IpProtocol: "icmp", FromPort: -1, ToPort: -1,
		IpRanges: []*v1.IpRange{{CidrIp: b.GetPrivateIpAddress() + "/32"}}}}
	start := time.Now()
	if _, err := r.Client.AuthorizeSecurityGroupIngress(ctx, &v1.SecurityGroupRulesRequest{GroupId: lockedID, IpPermissions: icmpFromB}); err != nil {
		t.Fatalf("AuthorizeSecurityGroupIngress: %v", err)
	}
	ingressA := "ingress_" + plane.TapName(a.GetInstanceId(), 0)
	if chain := nftChain(t, table, ingressA); !strings.Contains(chain, b.GetPrivateIpAddress()) {
		t.Errorf("rule not enforced when AuthorizeSecurityGroupIngress returned; %s:\n%s", ingressA, chain)
	}
	pings.until(t, "PING-OK", 15*time.Second)
	t.Logf("icmp authorized: first PING-OK %v after the call", time.Since(start).Round(100*time.Millisecond))
	_, err = r.Client.AuthorizeSecurityGroupIngress(ctx, &v1.SecurityGroupRulesRequest{GroupId: lockedID, IpPermissions: icmpFromB})
	expectCode(t, "authorize the same rule twice", "InvalidPermission.Duplicate", err)
	t.Run("aws cli describe", func(t *testing.T) {
		out := r.awsCLI(t, "describe-security-groups", "--group-ids", lockedID,
			"--query", "SecurityGroups[0].[GroupName,IpPermissions[0].IpProtocol,IpPermissions[0].IpRanges[0].CidrIp,IpPermissionsEgress[0].IpProtocol]")
		want := fmt.Sprintf(`["locked","icmp","%s/32","-1"]`, b.GetPrivateIpAddress())
		if got := strings.Join(strings.Fields(out), ""); got != want {
			t.Errorf("aws ec2 describe-security-groups: %s, want %s", got, want)
		}
	})

	start = time.Now()
	if _, err := r.Client.RevokeSecurityGroupIngress(ctx, &v1.RevokeSecurityGroupRulesRequest{GroupId: lockedID, IpPermissions: icmpFromB}); err != nil {
		t.Fatalf("RevokeSecurityGroupIngress: %v", err)
	}
	if chain := nftChain(t, table, ingressA); strings.Contains(chain, b.GetPrivateIpAddress()) {
		t.Errorf("rule still enforced when RevokeSecurityGroupIngress returned; %s:\n%s", ingressA, chain)
	}
	pings.until(t, "PING-FAIL", 15*time.Second)
	t.Logf("icmp revoked: first PING-FAIL %v after the call", time.Since(start).Round(100*time.Millisecond))
	_, err = r.Client.RevokeSecurityGroupIngress(ctx, &v1.RevokeSecurityGroupRulesRequest{GroupId: lockedID, IpPermissions: icmpFromB})
	expectCode(t, "revoke a rule that is gone", "InvalidPermission.NotFound", err)

	_, err = r.Client.DeleteSecurityGroup(ctx, &v1.DeleteSecurityGroupRequest{GroupId: lockedID})
	expectCode(t, "delete a group in use", "DependencyViolation", err)

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", ids...)
	if _, err := r.Client.DeleteSecurityGroup(ctx, &v1.DeleteSecurityGroupRequest{GroupId: lockedID}); err != nil {
		t.Errorf("DeleteSecurityGroup after terminate: %v", err)
	}
	_, err = r.Client.DescribeSecurityGroups(ctx, &v1.DescribeSecurityGroupsRequest{GroupIds: []string{lockedID}})
	expectCode(t, "describe a deleted group", "InvalidGroup.NotFound", err)
	deadline := time.Now().Add(30 * time.Second)
	for tableExists(t, table) {
		if time.Now().After(deadline) {
			t.Errorf("nftables table %s left after terminating every instance", table)
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func checkGroups(t *testing.T, in *v1.Instance, id, name string) {
	t.Helper()
	sgs := in.GetSecurityGroups()
	if len(sgs) != 1 || sgs[0].GetGroupId() != id || sgs[0].GetGroupName() != name {
		t.Errorf("%s: security groups %v, want %s (%s)", in.GetInstanceId(), sgs, id, name)
	}
}

// tableExists reports whether `nft list tables` shows table.
func tableExists(t *testing.T, table string) bool {
	t.Helper()
	out, err := exec.Command("nft", "list", "tables").CombinedOutput()
	if err != nil {
		t.Fatalf("nft list tables: %v: %s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[2] == table {
			return true
		}
	}
	return false
}

// nftChain lists one chain of the inet table.
func nftChain(t *testing.T, table, chain string) string {
	t.Helper()
	out, err := exec.Command("nft", "list", "chain", "inet", table, chain).CombinedOutput()
	if err != nil {
		t.Fatalf("nft list chain %s %s: %v: %s", table, chain, err, out)
	}
	return string(out)
}

// pingWatch follows B's console: each PING-OK/PING-FAIL line is one attempt.
type pingWatch struct {
	r    *region
	id   string
	seen int // attempts consumed
	ok   int
	out  string
}

// next waits for the next attempt's result.
func (p *pingWatch) next(t *testing.T, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		res, err := p.r.Client.GetConsoleOutput(context.Background(), &v1.GetConsoleOutputRequest{InstanceId: p.id})
		if err == nil {
			p.out = string(res.GetOutput())
			var results []string
			for _, l := range strings.Split(p.out, "\n") {
				if f := strings.Fields(l); len(f) > 0 && (f[0] == "PING-OK" || f[0] == "PING-FAIL") {
					results = append(results, f[0])
				}
			}
			if len(results) > p.seen {
				got := results[p.seen]
				p.seen++
				if got == "PING-OK" {
					p.ok++
				}
				return got
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("no ping attempt from %s within %v; console:\n%s\nec2d log tail:\n%s", p.id, within, tail(p.out, 2000),
		tail(p.r.log.String(), 4000))
	return ""
}

// until consumes attempts until one says want.
func (p *pingWatch) until(t *testing.T, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if p.next(t, time.Until(deadline)+3*time.Second) == want {
			return
		}
	}
	t.Fatalf("no %s within %v; console:\n%s", want, within, tail(p.out, 2000))
}
