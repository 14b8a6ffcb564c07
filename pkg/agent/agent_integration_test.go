package agent

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

const (
	testID   = "i-0a9b8c7d6e5f40312"
	userData = "#!/bin/sh\necho hello > /hello; cat /hello\n"
)

// TestAgentInstanceLifecycle drives one booted tiny guest through the Host
// API (over gRPC, in memory): create, volumes, stop, start, reboot,
// recovery after a crash, destroy.
func TestAgentInstanceLifecycle(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := h.client
	t.Run("create boots and runs user-data", func(t *testing.T) { h.create(ctx, t) })
	t.Run("create is idempotent", func(t *testing.T) {
		req := h.createRequest(testID, "vol-root.0.qcow2")
		st, err := c.CreateInstance(ctx, req)
		if err != nil || st.State != "running" {
			t.Fatalf("second CreateInstance = %v, %v", st, err)
		}
	})
	t.Run("capacity errors leave nothing", func(t *testing.T) { h.capacityErrors(ctx, t) })
	t.Run("console stream", func(t *testing.T) { h.streamConsole(ctx, t) })
	t.Run("volumes on the running instance", func(t *testing.T) { h.volumes(ctx, t) })
	t.Run("stop is graceful, reported and wipes the instance store", func(t *testing.T) { h.stop(ctx, t) })
	t.Run("start does not rerun user-data", func(t *testing.T) { h.start(ctx, t) })
	t.Run("reboot", func(t *testing.T) {
		if _, err := c.RebootInstance(ctx, &agentv1.InstanceRef{InstanceId: testID}); err != nil {
			t.Fatal(err)
		}
		hvtest.WaitFile(t, h.agent.consolePath(testID), 0, "instance-id="+testID+" boot=3", 90*time.Second)
	})
	t.Run("recover after a crash", func(t *testing.T) { h.recoverAfterCrash(ctx, t) })
	t.Run("destroy leaves nothing", func(t *testing.T) { h.destroy(ctx, t) })
}

func (h *harness) create(ctx context.Context, t *testing.T) {
	_, err := h.client.CreateVolume(ctx, &agentv1.CreateVolumeRequest{VolumeId: "vol-root.0.qcow2", BackingLayer: "ami-tiny.qcow2"})
	if err != nil {
		t.Fatal(err)
	}
	req := h.createRequest(testID, "vol-root.0.qcow2")
	req.UserData = []byte(userData)
	req.DedicatedCpus = true
	req.InstanceStore = []*agentv1.InstanceStoreDisk{{SizeBytes: 32 << 20}}
	req.Start = true
	start := time.Now()
	st, err := h.client.CreateInstance(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	hvtest.WaitFile(t, h.agent.consolePath(testID), 0, "instance-id="+testID+" boot=1", 90*time.Second)
	t.Logf("boot marker %v after CreateInstance", time.Since(start).Round(time.Millisecond))
	log := hvtest.WaitFile(t, h.agent.consolePath(testID), 0, "ec2lab: ready", 60*time.Second)
	if !strings.Contains(log, "\nhello") || !strings.Contains(log, hvtest.RootOK) {
		t.Errorf("console lacks user-data output or rw root:\n%s", log)
	}
	if st.State != "running" || len(st.PinnedCpus) != 1 || len(st.Disks) != 2 || st.Disks[0].Path != "vol-root.0.qcow2" || st.Disks[1].Target != "vdb" {
		t.Errorf("status = %v", st)
	}
	out, err := h.client.GetConsoleOutput(ctx, &agentv1.InstanceRef{InstanceId: testID})
	if err != nil || !strings.Contains(string(out.Output), "EC2LAB-BOOT-OK") {
		t.Errorf("GetConsoleOutput = %d bytes, %v", len(out.GetOutput()), err)
	}
}

func (h *harness) capacityErrors(ctx context.Context, t *testing.T) {
	before := files(t, h.dir)
	tests := []struct {
		name string
		edit func(*agentv1.CreateInstanceRequest)
		skip bool
	}{
		{"hugepages", func(r *agentv1.CreateInstanceRequest) { r.Hugepages = true; r.MemoryMib = 1 << 20 }, false},
		{"gpu", func(r *agentv1.CreateInstanceRequest) { r.Gpus = 1 }, len(hostGPUs()) > 0},
		{"all CPUs dedicated", func(r *agentv1.CreateInstanceRequest) { r.DedicatedCpus = true; r.Vcpus = int32(runtime.NumCPU()) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("host has GPUs")
			}
			h.copyRoot(t, "vol-cap.qcow2")
			req := h.createRequest("i-0cafe000000000001", "vol-cap.qcow2")
			tt.edit(req)
			_, err := h.client.CreateInstance(ctx, req)
			if ec2err.Code(err) != ec2err.InsufficientInstanceCapacity || errgrpc.Code(ec2err.Code(err)) != codes.ResourceExhausted {
				t.Fatalf("CreateInstance = %v, want InsufficientInstanceCapacity", err)
			}
			os.Remove(filepath.Join(h.dir, "shared", "vol-cap.qcow2"))
			if after := files(t, h.dir); !slices.Equal(after, before) {
				t.Errorf("files after failed create:\n%v\nbefore:\n%v", after, before)
			}
			if _, err := h.hv.Get(ctx, h.agent.domainName("i-0cafe000000000001")); err == nil {
				t.Errorf("a domain was left defined")
			}
		})
	}
}

func (h *harness) copyRoot(t *testing.T, name string) {
	t.Helper()
	_, err := h.client.CreateVolume(context.Background(), &agentv1.CreateVolumeRequest{VolumeId: name, BackingLayer: "ami-tiny.qcow2"})
	if err != nil {
		t.Fatal(err)
	}
}

func (h *harness) streamConsole(ctx context.Context, t *testing.T) {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := h.client.StreamConsole(sctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(&agentv1.ConsoleIn{InstanceId: testID, Data: []byte("\n")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(&agentv1.ConsoleIn{Data: []byte("echo hi-$((6*7))\n")}); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for !strings.Contains(got.String(), "hi-42\r\n") {
		out, err := s.Recv()
		if err != nil {
			t.Fatalf("console: %v after %q", err, got.String())
		}
		got.Write(out.Data)
	}
	_, err = h.client.GetConsoleOutput(ctx, &agentv1.InstanceRef{InstanceId: "i-0000000000000dead"})
	if ec2err.Code(err) != ec2err.InvalidInstanceIDNotFound || errgrpc.Code(ec2err.Code(err)) != codes.NotFound {
		t.Errorf("console of a missing instance: %v", err)
	}
}

func (h *harness) volumes(ctx context.Context, t *testing.T) {
	c := h.client
	if _, err := c.CreateVolume(ctx, &agentv1.CreateVolumeRequest{VolumeId: "vol-data.0.qcow2", SizeBytes: 64 << 20}); err != nil {
		t.Fatal(err)
	}
	att := &agentv1.AttachVolumeRequest{InstanceId: testID, Disk: &agentv1.Disk{VolumeId: "vol-0data000000000001", Path: "vol-data.0.qcow2"}}
	if _, err := c.AttachVolume(ctx, att); err != nil {
		t.Fatal(err)
	}
	disk := h.disk(ctx, t, "vol-data.0.qcow2")
	if disk == nil || disk.Target != "vdc" {
		t.Fatalf("attached disk = %v, want vdc", disk)
	}
	snap, err := c.SnapshotVolume(ctx, &agentv1.SnapshotVolumeRequest{VolumeId: "vol-data.0.qcow2", SnapshotId: "snap-01", InstanceId: testID})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Layer != "vol-data.0.qcow2" || snap.Head != "vol-data.snap-01.qcow2" {
		t.Errorf("snapshot = %v", snap)
	}
	if d := h.disk(ctx, t, snap.Head); d == nil || d.Target != "vdc" {
		t.Errorf("instance disk after live snapshot = %v", d)
	}
	info, err := c.ResizeVolume(ctx, &agentv1.ResizeVolumeRequest{VolumeId: snap.Head, SizeBytes: 128 << 20, InstanceId: testID})
	if err != nil || info.VirtualSize != 128<<20 || !slices.Equal(info.Chain, []string{snap.Head, snap.Layer}) {
		t.Errorf("online resize = %v, %v", info, err)
	}
	if _, err := c.SetIOTune(ctx, &agentv1.SetIOTuneRequest{InstanceId: testID, Target: "vdc", Iotune: &agentv1.IOTune{TotalIopsSec: 300}}); err != nil {
		t.Fatal(err)
	}
	if d := h.disk(ctx, t, snap.Head); d.GetIotune().GetTotalIopsSec() != 300 {
		t.Errorf("iotune = %v", d.GetIotune())
	}
	if _, err := c.DetachVolume(ctx, &agentv1.DetachVolumeRequest{InstanceId: testID, VolumeId: snap.Head}); err != nil {
		t.Fatal(err)
	}
	if d := h.disk(ctx, t, snap.Head); d != nil {
		t.Errorf("still attached after detach: %v", d)
	}
	list, err := c.ListFiles(ctx, &agentv1.ListFilesRequest{})
	if err != nil || !slices.Contains(list.Files, snap.Head) || !slices.Contains(list.Files, snap.Layer) {
		t.Errorf("ListFiles = %v, %v", list, err)
	}
	for _, f := range []string{snap.Head, snap.Layer} {
		if _, err := c.DeleteVolume(ctx, &agentv1.VolumeRef{VolumeId: f}); err != nil {
			t.Error(err)
		}
	}
}

func (h *harness) disk(ctx context.Context, t *testing.T, path string) *agentv1.Disk {
	t.Helper()
	list, err := h.client.ListInstances(ctx, &agentv1.ListInstancesRequest{})
	if err != nil || len(list.Instances) != 1 {
		t.Fatalf("ListInstances = %v, %v", list, err)
	}
	return findDisk(list.Instances[0].Disks, path, "")
}

func (h *harness) stop(ctx context.Context, t *testing.T) {
	c := h.client
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := c.WatchEvents(ectx, &agentv1.WatchEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	eph := ephemeralName(testID, 0)
	con := hvtest.OpenConsole(t, h.hv, h.agent.domainName(testID))
	con.Run("dd if=/dev/urandom of=/dev/vdb bs=1M count=4 2>/dev/null; sync", 60*time.Second)
	con.Close()
	used, _ := h.agent.cfg.LocalPool.Info(ctx, eph)
	start := time.Now()
	st, err := c.StopInstance(ctx, &agentv1.StopInstanceRequest{InstanceId: testID, TimeoutSeconds: 60})
	if err != nil || st.State != "stopped" {
		t.Fatalf("StopInstance = %v, %v", st, err)
	}
	t.Logf("graceful stop took %v", time.Since(start).Round(time.Millisecond))
	hvtest.WaitFile(t, h.agent.consolePath(testID), 0, "ec2lab: power button", time.Second)
	for {
		ev, err := events.Recv()
		if err != nil {
			t.Fatalf("no stopped event: %v", err)
		}
		if ev.InstanceId == testID && ev.State == "stopped" {
			if ev.Reason != "shutdown by guest" {
				t.Errorf("stop reason %q", ev.Reason)
			}
			break
		}
	}
	wiped, err := h.agent.cfg.LocalPool.Info(ctx, eph)
	if err != nil || used.ActualSize < 4<<20 || wiped.ActualSize >= 1<<20 {
		t.Errorf("instance store: %d bytes used before stop, %d after (%v)", used.ActualSize, wiped.ActualSize, err)
	}
}

func (h *harness) start(ctx context.Context, t *testing.T) {
	st, err := h.client.StartInstance(ctx, &agentv1.InstanceRef{InstanceId: testID})
	if err != nil || st.State != "running" || len(st.PinnedCpus) != 1 {
		t.Fatalf("StartInstance = %v, %v", st, err)
	}
	log := hvtest.WaitFile(t, h.agent.consolePath(testID), 0, "instance-id="+testID+" boot=2", 90*time.Second)
	log = hvtest.WaitFile(t, h.agent.consolePath(testID), len(log)-200, "ec2lab: ready", 60*time.Second)
	if !strings.Contains(log, "user-data script already ran") || strings.Count(log, "\nhello") != 1 {
		t.Errorf("user-data ran again (hello x%d):\n%s", strings.Count(log, "\nhello"), log)
	}
}

func (h *harness) recoverAfterCrash(ctx context.Context, t *testing.T) {
	state := h.agent.cfg.StateDir
	leftovers := []string{
		filepath.Join(h.agent.cfg.SharedPool.Dir, ".tmp-vol-x.qcow2-0123456789ab"),
		filepath.Join(h.agent.cfg.LocalPool.Dir, ".tmp-i-0dead-ephemeral0.qcow2-0123456789ab"),
		filepath.Join(h.agent.cfg.LocalPool.Dir, "i-0deaddeaddeaddead-ephemeral0.qcow2"),
		filepath.Join(state, "seeds", "i-0deaddeaddeaddead.iso"),
		filepath.Join(state, "seeds", ".tmp-i-0deaddeaddeaddead.iso-0123456789ab"),
		filepath.Join(state, "console", "i-0deaddeaddeaddead.log"),
		filepath.Join(state, "specs", "i-0deaddeaddeaddead.json"),
	}
	for _, f := range leftovers {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.agent.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range leftovers {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("leftover %s survived Recover", f)
		}
	}
	for _, f := range []string{h.agent.seedPath(testID), h.agent.consolePath(testID), h.agent.specPath(testID), h.agent.cfg.LocalPool.Path(ephemeralName(testID, 0))} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("Recover removed the live instance's %s: %v", f, err)
		}
	}
	list, err := h.client.ListInstances(ctx, &agentv1.ListInstancesRequest{})
	if err != nil || len(list.Instances) != 1 || list.Instances[0].State != "running" {
		t.Errorf("instances after Recover = %v, %v", list, err)
	}
}

func (h *harness) destroy(ctx context.Context, t *testing.T) {
	for range 2 { // the second call checks idempotence
		if _, err := h.client.DestroyInstance(ctx, &agentv1.InstanceRef{InstanceId: testID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.hv.Get(ctx, h.agent.domainName(testID)); err == nil {
		t.Errorf("domain still defined")
	}
	// Agent-wide state (the network's desired set, secrets) is not the
	// instance's: only files naming the instance, or outside state/, count.
	var left []string
	for _, f := range files(t, h.dir) {
		if !strings.HasPrefix(f, "state/") || strings.Contains(f, testID) {
			left = append(left, f)
		}
	}
	want := []string{"shared/ami-tiny.qcow2", "shared/vol-root.0.qcow2"} // EBS volumes stay
	if !slices.Equal(left, want) {
		t.Errorf("files after destroy = %v, want only %v", left, want)
	}
}
