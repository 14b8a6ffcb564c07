package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// regionLab is a 3-AZ region on this machine: ec2d with embedded agents for
// lab-1a and lab-1b, and a standalone ec2-agent process for lab-1c.
type regionLab struct {
	dir, config, dataDir, agentAddr, tag string
	prefixes                             map[string]string // AZ → domain prefix
	pools                                map[string]string // AZ → shared pool dir
	agent                                *exec.Cmd
	agentLog                             *bytes.Buffer
	top                                  *testing.T // owns the processes (not a subtest)
}

var zones = []string{"lab-1a", "lab-1b", "lab-1c"}

func newRegionLab(t *testing.T) *regionLab {
	t.Helper()
	dir := hvtest.ScratchDir(t)
	l := &regionLab{top: t, dir: dir, dataDir: filepath.Join(dir, "data"), agentAddr: freePort(t),
		tag: fmt.Sprintf("rg%04x", rand.Intn(1<<16)), prefixes: map[string]string{}, pools: map[string]string{}}
	for _, z := range zones {
		l.prefixes[z] = l.tag + z[len(z)-1:] + "-"
		l.pools[z] = filepath.Join(dir, "pools", z)
	}
	l.config = filepath.Join(dir, "region.yaml")
	yaml := fmt.Sprintf(`region: lab-1
availability_zones:
  - {name: lab-1a, id: lab-1-az1, pool: %[1]s/pools/lab-1a}
  - {name: lab-1b, id: lab-1-az2, pool: %[1]s/pools/lab-1b}
  - {name: lab-1c, id: lab-1-az3, pool: %[1]s/pools/lab-1c}
vcpu_quota: 64
cpu_overcommit: 8
memory_overcommit: 1.5
heartbeat_timeout: 5s
gc_grace: 3s
stop_timeout: 30s
instance_types:
  - {name: lab.tiny, family: general, vcpus: 1, memory_mib: 256, architectures: [x86_64]}
embedded_agents:
  - {host_id: h-lab-1a, availability_zone: lab-1a, domain_prefix: %[2]s, local_pool: %[1]s/local-a, state_dir: %[1]s/agent-a}
  - {host_id: h-lab-1b, availability_zone: lab-1b, domain_prefix: %[3]s, local_pool: %[1]s/local-b, state_dir: %[1]s/agent-b}
`, dir, l.prefixes["lab-1a"], l.prefixes["lab-1b"])
	if err := os.WriteFile(l.config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.cleanupDomains(t) })
	return l
}

func (l *regionLab) startEC2d(t *testing.T) *region {
	t.Helper()
	return startEC2d(t, l.dataDir, "--config", l.config, "--agent-addr", l.agentAddr)
}

// startAgent runs the standalone ec2-agent of lab-1c, until the whole test ends.
func (l *regionLab) startAgent(t *testing.T) {
	t.Helper()
	l.agentLog = &bytes.Buffer{}
	l.agent = exec.Command(filepath.Join(binaries(t), "ec2-agent"), "--controller", l.agentAddr,
		"--listen", freePort(t), "--host-id", "h-lab-1c", "--region", "lab-1", "--availability-zone", "lab-1c",
		"--domain-prefix", l.prefixes["lab-1c"], "--pool", l.pools["lab-1c"],
		"--local-pool", filepath.Join(l.dir, "local-c"), "--state-dir", filepath.Join(l.dir, "agent-c"))
	l.agent.Stdout, l.agent.Stderr = l.agentLog, l.agentLog
	if err := l.agent.Start(); err != nil {
		t.Fatal(err)
	}
	cmd := l.agent
	l.top.Cleanup(func() { killWait(cmd) })
}

// killWait kills a process with SIGKILL (no chance to clean up) and reaps it.
func killWait(cmd *exec.Cmd) {
	if cmd.Process != nil && cmd.ProcessState == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// cleanupDomains removes any domain this test's prefixes own (after a
// failure; a passing test leaves none).
func (l *regionLab) cleanupDomains(t *testing.T) {
	for _, d := range virshDomains(t, l.tag) {
		_ = exec.Command("virsh", "-c", "qemu:///system", "destroy", d).Run()
		_ = exec.Command("virsh", "-c", "qemu:///system", "undefine", d).Run()
	}
}

// TestRegionThreeAZs runs a 3-AZ region (two embedded agents, one
// standalone ec2-agent) and checks spread placement, the lifecycle calls,
// a dead host turning its zone and instances impaired, that killing
// ec2d -9 in the middle of a launch leaves nothing half-made, and an Auto
// Scaling group across the zones that outlives the loss of a host.
func TestRegionThreeAZs(t *testing.T) {
	requireHost(t)
	start := time.Now()
	l := newRegionLab(t)
	r := l.startEC2d(t)
	l.startAgent(t)
	ctx := context.Background()
	waitZones(t, r, map[string]string{"lab-1a": "available", "lab-1b": "available", "lab-1c": "available"})
	ami := tinyAMI(t, r)
	t.Logf("region up in %s", time.Since(start).Round(time.Millisecond))

	// Six instances without placement spread 2/2/2 and all boot.
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "lab.tiny", MinCount: 6, MaxCount: 6})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	ids := instanceIDsOf(res.GetInstances())
	byAZ := map[string][]string{}
	for _, in := range r.waitState(t, "running", ids...) {
		byAZ[in.GetPlacement().GetAvailabilityZone()] = append(byAZ[in.GetPlacement().GetAvailabilityZone()], in.GetInstanceId())
	}
	for _, z := range zones {
		if len(byAZ[z]) != 2 {
			t.Fatalf("placement per zone %v, want 2 in each of %v", byAZ, zones)
		}
	}
	for _, id := range ids {
		r.waitConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id+" boot=1", "ec2lab: ready")
	}
	t.Logf("6 instances running and booted at %s", time.Since(start).Round(time.Millisecond))

	t.Run("lifecycle", func(t *testing.T) { lifecycleAcrossZones(t, r, l, byAZ) })
	t.Run("volumes-across-zones", func(t *testing.T) { volumesAcrossZones(t, r, l, byAZ["lab-1a"][1], byAZ["lab-1b"][1]) })
	t.Run("dead-host", func(t *testing.T) { deadHost(t, r, l, ami, byAZ["lab-1c"]) })
	t.Logf("lifecycle + dead host done at %s", time.Since(start).Round(time.Millisecond))

	// Clear the board before the crash test (CPU: at most 10 guests).
	all := liveIDs(t, r)
	if len(all) > 0 {
		if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: all}); err != nil {
			t.Fatalf("terminate: %v", err)
		}
		r.waitState(t, "terminated", all...)
	}
	r = crashDuringLaunch(t, r, l, ami)
	t.Run("auto-scaling-group", func(t *testing.T) { autoScalingAcrossZones(t, r, l, ami) })
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// lifecycleAcrossZones stops and starts one instance, reboots another and
// terminates a third, each in a different zone.
func lifecycleAcrossZones(t *testing.T, r *region, l *regionLab, byAZ map[string][]string) {
	ctx := context.Background()
	stopID, rebootID, termID := byAZ["lab-1a"][0], byAZ["lab-1b"][0], byAZ["lab-1c"][0]
	if _, err := r.Client.StopInstances(ctx, &v1.StopInstancesRequest{InstanceIds: []string{stopID}}); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := r.Client.RebootInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{rebootID}}); err != nil {
		t.Fatalf("reboot: %v", err)
	}
	ch, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{termID}})
	if err != nil || ch.GetInstances()[0].GetCurrentState().GetName() != "shutting-down" {
		t.Fatalf("terminate: %v %v", ch, err)
	}
	r.waitState(t, "stopped", stopID)
	if _, err := r.Client.StartInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{stopID}}); err != nil {
		t.Fatalf("start: %v", err)
	}
	r.waitConsole(t, rebootID, "instance-id="+rebootID+" boot=2")
	r.waitState(t, "terminated", termID)
	if d := virshDomains(t, l.prefixes["lab-1c"]+termID); len(d) != 0 {
		t.Errorf("terminated %s still has domain %v", termID, d)
	}
	in := r.waitState(t, "running", stopID)[0]
	if in.GetPlacement().GetAvailabilityZone() != "lab-1a" {
		t.Errorf("restarted instance moved to %s", in.GetPlacement().GetAvailabilityZone())
	}
	r.waitConsole(t, stopID, "instance-id="+stopID+" boot=2")
	again, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{termID}})
	if err != nil || again.GetInstances()[0].GetCurrentState().GetName() != "terminated" {
		t.Errorf("terminate again (idempotent): %v %v", again, err)
	}
}

// deadHost kills lab-1c's agent with SIGKILL: the zone and its instances
// turn impaired, new instances avoid it, and it recovers when the agent
// comes back.
func deadHost(t *testing.T, r *region, l *regionLab, ami string, inC []string) {
	ctx := context.Background()
	killWait(l.agent)
	killed := time.Now()
	waitZones(t, r, map[string]string{"lab-1a": "available", "lab-1b": "available", "lab-1c": "impaired"})
	t.Logf("lab-1c impaired %s after the agent was killed", time.Since(killed).Round(time.Millisecond))
	live := inC[1:] // inC[0] was terminated
	waitReason(t, r, live, func(in *v1.Instance) bool {
		return in.GetState().GetName() == "running" && strings.HasPrefix(in.GetStateTransitionReason(), "impaired: host h-lab-1c")
	})
	_, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		Placement: &v1.Placement{AvailabilityZone: "lab-1c"}})
	if errCodeOf(err) != "InsufficientInstanceCapacity" {
		t.Errorf("launch into impaired lab-1c: %v, want InsufficientInstanceCapacity", err)
	}
	l.startAgent(t)
	waitZones(t, r, map[string]string{"lab-1a": "available", "lab-1b": "available", "lab-1c": "available"})
	waitReason(t, r, live, func(in *v1.Instance) bool {
		return in.GetState().GetName() == "running" && in.GetStateTransitionReason() == ""
	})
	r.waitConsole(t, live[0], "instance-id="+live[0]+" boot=1")
}

// crashDuringLaunch kills ec2d -9 while ten instances launch, restarts it
// on the same data dir, and checks every instance ends running or
// terminated with a reason, and libvirt and the pools hold exactly what
// the store says. It answers the restarted region, with no instances left.
func crashDuringLaunch(t *testing.T, r *region, l *regionLab, ami string) *region {
	ctx := context.Background()
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "lab.tiny",
		MinCount: 10, MaxCount: 10, ClientToken: "crash-" + l.tag})
	if err != nil {
		t.Fatalf("RunInstances 10: %v", err)
	}
	ids := instanceIDsOf(res.GetInstances())
	// Kill as soon as the first root volume file appears: the launches run
	// concurrently, so the others are caught at every step.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && l.volumeFiles() == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	killWait(r.cmd)
	t.Logf("ec2d killed -9 with %d volume files and %d of 10 domains made", l.volumeFiles(), len(virshDomains(t, l.tag)))

	r2 := l.startEC2d(t)
	replay, err := r2.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "lab.tiny",
		MinCount: 10, MaxCount: 10, ClientToken: "crash-" + l.tag})
	if err != nil || fmt.Sprint(instanceIDsOf(replay.GetInstances())) != fmt.Sprint(ids) {
		t.Errorf("ClientToken replay after restart: %v %v, want %v", instanceIDsOf(replay.GetInstances()), err, ids)
	}
	settled := waitReason(t, r2, ids, func(in *v1.Instance) bool {
		s := in.GetState().GetName()
		return s == "running" || (s == "terminated" && in.GetStateReason().GetCode() != "")
	})
	running := 0
	for _, in := range settled {
		if in.GetState().GetName() == "running" {
			running++
			r2.waitConsole(t, in.GetInstanceId(), "instance-id="+in.GetInstanceId()+" boot=1")
		} else {
			t.Logf("%s terminated: %s", in.GetInstanceId(), in.GetStateReason().GetMessage())
		}
	}
	t.Logf("after restart: %d running, %d terminated with a reason", running, len(ids)-running)
	waitNoOrphans(t, r2, l)
	if _, err := r2.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	r2.waitState(t, "terminated", ids...)
	waitNoOrphans(t, r2, l)
	if d := virshDomains(t, l.tag); len(d) != 0 {
		t.Errorf("domains left after terminating everything: %v", d)
	}
	return r2
}

// waitNoOrphans waits (GC grace is 3 s) until libvirt holds exactly the
// domains of the non-terminated instances, and every pool file belongs to
// a volume, snapshot or image the API shows.
func waitNoOrphans(t *testing.T, r *region, l *regionLab) {
	t.Helper()
	var problems []string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if problems = orphans(t, r, l); len(problems) == 0 {
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("store and host disagree:\n%s\nec2d log tail:\n%s", strings.Join(problems, "\n"), tail(r.log.String(), 3000))
}

func orphans(t *testing.T, r *region, l *regionLab) []string {
	ctx := context.Background()
	var problems []string
	want := map[string]bool{}
	owners := []string{}
	vols, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{})
	if err != nil {
		t.Fatalf("describe volumes: %v", err)
	}
	for _, v := range vols.GetVolumes() {
		owners = append(owners, v.GetVolumeId())
	}
	snaps, err := r.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
	if err != nil {
		t.Fatalf("describe snapshots: %v", err)
	}
	for _, s := range snaps.GetSnapshots() {
		owners = append(owners, s.GetSnapshotId())
	}
	imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"}})
	if err != nil {
		t.Fatalf("describe images: %v", err)
	}
	for _, i := range imgs.GetImages() {
		owners = append(owners, i.GetImageId())
	}
	for _, in := range allInstances(t, r) {
		if in.GetState().GetName() == "terminated" {
			continue
		}
		want[l.prefixes[in.GetPlacement().GetAvailabilityZone()]+in.GetInstanceId()] = true
		for _, b := range in.GetBlockDeviceMappings() {
			if !poolHas(l.pools[in.GetPlacement().GetAvailabilityZone()], b.GetVolumeId()+".") {
				problems = append(problems, fmt.Sprintf("volume %s of %s has no file", b.GetVolumeId(), in.GetInstanceId()))
			}
		}
	}
	have := map[string]bool{}
	for _, d := range virshDomains(t, l.tag) {
		have[d] = true
		if !want[d] {
			problems = append(problems, "orphan domain "+d)
		}
	}
	for d := range want {
		if !have[d] {
			problems = append(problems, "missing domain "+d)
		}
	}
	for z, dir := range l.pools {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !ownedBy(e.Name(), owners) {
				problems = append(problems, fmt.Sprintf("orphan file %s/%s", z, e.Name()))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// volumeFiles counts volume files in the zone pools.
func (l *regionLab) volumeFiles() int {
	n := 0
	for _, dir := range l.pools {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "vol-") {
				n++
			}
		}
	}
	return n
}

func ownedBy(file string, owners []string) bool {
	for _, o := range owners {
		if strings.HasPrefix(file, o+".") {
			return true
		}
	}
	return false
}

func poolHas(dir, prefix string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			return true
		}
	}
	return false
}

func tinyAMI(t *testing.T, r *region) string {
	t.Helper()
	imgs, err := r.Client.DescribeImages(context.Background(), &v1.DescribeImagesRequest{Owners: []string{"self"},
		Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
	if err != nil || len(imgs.GetImages()) != 1 {
		t.Fatalf("tiny AMI not registered: %v %v\n%s", imgs, err, r.log.String())
	}
	return imgs.GetImages()[0].GetImageId()
}

func instanceIDsOf(ins []*v1.Instance) []string {
	var out []string
	for _, in := range ins {
		out = append(out, in.GetInstanceId())
	}
	return out
}

func allInstances(t *testing.T, r *region) []*v1.Instance {
	t.Helper()
	out, err := r.Client.DescribeInstances(context.Background(), &v1.DescribeInstancesRequest{})
	if err != nil {
		t.Fatalf("describe instances: %v", err)
	}
	var all []*v1.Instance
	for _, res := range out.GetReservations() {
		all = append(all, res.GetInstances()...)
	}
	return all
}

func liveIDs(t *testing.T, r *region) []string {
	var ids []string
	for _, in := range allInstances(t, r) {
		if in.GetState().GetName() != "terminated" {
			ids = append(ids, in.GetInstanceId())
		}
	}
	return ids
}

// waitZones polls DescribeAvailabilityZones until every zone is in the wanted state.
func waitZones(t *testing.T, r *region, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	got := map[string]string{}
	for time.Now().Before(deadline) {
		out, err := r.Client.DescribeAvailabilityZones(context.Background(), &v1.DescribeAvailabilityZonesRequest{})
		if err == nil {
			got = map[string]string{}
			for _, z := range out.GetAvailabilityZones() {
				got[z.GetZoneName()] = z.GetState()
			}
			if fmt.Sprint(got) == fmt.Sprint(want) {
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("zones %v, want %v\nec2d log tail:\n%s", got, want, tail(r.log.String(), 3000))
}

// waitReason polls until every instance satisfies ok.
func waitReason(t *testing.T, r *region, ids []string, ok func(*v1.Instance) bool) []*v1.Instance {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	var last []*v1.Instance
	for time.Now().Before(deadline) {
		out, err := r.Client.DescribeInstances(context.Background(), &v1.DescribeInstancesRequest{InstanceIds: ids})
		if err == nil {
			last = nil
			all := true
			for _, res := range out.GetReservations() {
				for _, in := range res.GetInstances() {
					last = append(last, in)
					all = all && ok(in)
				}
			}
			if all && len(last) == len(ids) {
				return last
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	var states []string
	for _, in := range last {
		states = append(states, fmt.Sprintf("%s=%s(%q %q)", in.GetInstanceId(), in.GetState().GetName(),
			in.GetStateTransitionReason(), in.GetStateReason().GetMessage()))
	}
	t.Fatalf("instances never reached the wanted condition: %v\nec2d log tail:\n%s", states, tail(r.log.String(), 4000))
	return nil
}
