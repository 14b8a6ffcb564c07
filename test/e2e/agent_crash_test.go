package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestAgentKilledDuringCreate SIGKILLs the standalone ec2-agent at several
// points of a CreateInstance, restarts it on the same state dir and checks
// that Recover left either a complete instance or no trace of it, and that
// the controller's retry (CreateInstance, then StartInstance when the
// instance is not running) ends with exactly one booted domain.
func TestAgentKilledDuringCreate(t *testing.T) {
	requireHost(t)
	rig := newCrashRig(t)
	// The agent's own steps (seed, instance store, spec, define) take a few
	// ms; libvirt's start of the domain takes a second or more.
	delays := []time.Duration{0, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond,
		40 * time.Millisecond, 500 * time.Millisecond, 2500 * time.Millisecond}
	for n, delay := range delays {
		t.Run(fmt.Sprintf("kill after %v", delay), func(t *testing.T) {
			id := fmt.Sprintf("i-0dead%012x", n+1)
			req := rig.request(t, id)
			t.Cleanup(func() { rig.destroyAll(t) })
			outcome := rig.killDuringCreate(t, req, delay)
			rig.restart(t)
			t.Logf("create call: %s; after restart: %s", outcome, rig.checkAllOrNothing(t, id))
			rig.retry(t, req)
		})
	}
}

// crashRig is one ec2-agent process (restartable) over scratch pools.
type crashRig struct {
	bin, addr, controller, prefix string
	dir, pool, local, state       string
	hv                            *hypervisor.Libvirt
	img                           hvtest.Image
	cmd                           *exec.Cmd
	runs                          int
	client                        agentv1.HostClient
	conn                          *grpc.ClientConn
}

func newCrashRig(t *testing.T) *crashRig {
	r := &crashRig{bin: filepath.Join(binaries(t), "ec2-agent"), hv: hvtest.RequireLibvirt(t), img: hvtest.TinyImage(t)}
	r.prefix = hvtest.Prefix(t)
	r.dir = hvtest.ScratchDir(t)
	r.pool, r.local, r.state = filepath.Join(r.dir, "shared"), filepath.Join(r.dir, "local"), filepath.Join(r.dir, "state")
	for _, d := range []string{r.pool, r.local} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	hvtest.CopyRoot(t, r.img, r.pool, "ami-tiny.qcow2")
	r.addr, r.controller = freePort(t), freePort(t) // nothing serves the controller: registration just retries
	t.Cleanup(func() { r.stop(); r.destroyAll(t) })
	r.restart(t)
	return r
}

// request is a tiny guest with an instance-store disk booting from a fresh
// overlay on the image's root.
func (r *crashRig) request(t *testing.T, id string) *agentv1.CreateInstanceRequest {
	root := "vol-" + id[2:] + ".qcow2"
	hvtest.Overlay(t, r.pool, root, "ami-tiny.qcow2")
	return &agentv1.CreateInstanceRequest{
		InstanceId: id, OwnerId: "123456789012", InstanceType: "t3.nano", ImageId: "ami-0tiny",
		Vcpus: 1, MemoryMib: 256, BootMode: hypervisor.BootDirectKernel, Start: true,
		KernelPath: r.img.Kernel, InitrdPath: r.img.Initrd, KernelCmdline: r.img.Cmdline,
		Disks:         []*agentv1.Disk{{VolumeId: "vol-" + id[2:], Path: root, Target: "vda"}},
		InstanceStore: []*agentv1.InstanceStoreDisk{{SizeBytes: 16 << 20}},
		UserData:      []byte("#!/bin/sh\necho crash-test\n"),
	}
}

// killDuringCreate starts CreateInstance, SIGKILLs the agent after delay
// and says how the call ended.
func (r *crashRig) killDuringCreate(t *testing.T, req *agentv1.CreateInstanceRequest, delay time.Duration) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := r.client.CreateInstance(ctx, req); done <- err }()
	time.Sleep(delay)
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 ec2-agent: %v", err)
	}
	_ = r.cmd.Wait()
	r.cmd = nil
	left := r.traces(req.InstanceId)
	if err := <-done; err != nil {
		return fmt.Sprintf("interrupted (%s), left %v", status.Code(err), left)
	}
	return fmt.Sprintf("completed before the kill, left %v", left)
}

// traces lists what of the instance exists (before Recover runs).
func (r *crashRig) traces(id string) []string {
	out := r.tempFiles()
	for _, f := range []string{"seeds/" + id + ".iso", "specs/" + id + ".json", "console/" + id + ".log"} {
		if _, err := os.Stat(filepath.Join(r.state, f)); err == nil {
			out = append(out, f)
		}
	}
	if _, err := os.Stat(filepath.Join(r.local, id+"-ephemeral0.qcow2")); err == nil {
		out = append(out, "ephemeral0")
	}
	if d, err := r.hv.Get(context.Background(), r.prefix+id); err == nil {
		out = append(out, "domain "+string(d.State))
	}
	return out
}

// checkAllOrNothing asserts the instance is either complete (domain, spec,
// seed, instance store) or leaves nothing at all, and says which.
func (r *crashRig) checkAllOrNothing(t *testing.T, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	owned := []string{
		filepath.Join(r.state, "seeds", id+".iso"), filepath.Join(r.state, "specs", id+".json"),
		filepath.Join(r.local, id+"-ephemeral0.qcow2"),
	}
	if temps := r.tempFiles(); len(temps) > 0 {
		t.Errorf("temp files survived Recover: %v", temps)
	}
	d, err := r.hv.Get(ctx, r.prefix+id)
	if errors.Is(err, hypervisor.ErrNotFound) {
		for _, f := range append(owned, filepath.Join(r.state, "console", id+".log")) {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("no domain, but %s survived Recover", f)
			}
		}
		return "nothing"
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range owned {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("domain %s (%s) is incomplete: %v", d.Name, d.State, err)
		}
	}
	// paused: libvirtd is still finishing the start the dead agent asked
	// for; stopped: the agent died between define and start.
	if d.State != hypervisor.StateRunning && d.State != hypervisor.StatePaused && d.State != hypervisor.StateStopped {
		t.Errorf("domain %s left in state %s", d.Name, d.State)
	}
	return "complete domain, " + string(d.State)
}

// tempFiles lists half-written files (".tmp" anywhere in the name) under
// the pools and the state dir.
func (r *crashRig) tempFiles() []string {
	var out []string
	for _, dir := range []string{r.pool, r.local, r.state} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), ".tmp") {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

// retry is the controller's launch retry; it must end with exactly one
// domain, running and booted, which is then destroyed.
func (r *crashRig) retry(t *testing.T, req *agentv1.CreateInstanceRequest) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	id := req.InstanceId
	st, err := r.client.CreateInstance(ctx, req)
	if err != nil {
		t.Fatalf("retried CreateInstance: %v", err)
	}
	if st.State != "running" {
		if st, err = r.client.StartInstance(ctx, &agentv1.InstanceRef{InstanceId: id}); err != nil {
			t.Fatalf("StartInstance after retried create: %v", err)
		}
	}
	t.Logf("retry: %s", st.State)
	var doms []hypervisor.Domain
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if doms, err = r.hv.List(ctx, r.prefix); err != nil {
			t.Fatal(err)
		}
		if len(doms) != 1 || doms[0].State == hypervisor.StateRunning || time.Now().After(deadline) {
			break
		}
	}
	if len(doms) != 1 || doms[0].Name != r.prefix+id || doms[0].State != hypervisor.StateRunning {
		t.Fatalf("domains after retry = %+v, want only %s running", doms, r.prefix+id)
	}
	hvtest.WaitFile(t, filepath.Join(r.state, "console", id+".log"), 0, hvtest.BootMarker+" instance-id="+id+" boot=1", 90*time.Second)
	if _, err := r.client.DestroyInstance(ctx, &agentv1.InstanceRef{InstanceId: id}); err != nil {
		t.Fatalf("destroy: %v", err)
	}
}

// restart runs ec2-agent (Recover happens before it listens) and waits
// until it serves.
func (r *crashRig) restart(t *testing.T) {
	t.Helper()
	r.runs++
	logPath := filepath.Join(r.dir, fmt.Sprintf("agent-%d.log", r.runs))
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(r.bin, "--listen", r.addr, "--controller", r.controller, "--host-id", "h-crash",
		"--domain-prefix", r.prefix, "--pool", r.pool, "--local-pool", r.local, "--state-dir", r.state)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.cmd = cmd
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", r.addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("ec2-agent not serving on %s: %v\n%s", r.addr, err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.conn != nil {
		r.conn.Close() // a fresh channel: the old one may be backing off
	}
	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	r.conn, r.client = conn, agentv1.NewHostClient(conn)
}

func (r *crashRig) stop() {
	if r.conn != nil {
		r.conn.Close()
	}
	if r.cmd != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

func (r *crashRig) destroyAll(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	doms, err := r.hv.List(ctx, r.prefix)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	for _, d := range doms {
		_ = r.hv.Destroy(ctx, d.Name)
		if err := r.hv.Undefine(ctx, d.Name); err != nil {
			t.Errorf("cleanup undefine %s: %v", d.Name, err)
		}
	}
}
