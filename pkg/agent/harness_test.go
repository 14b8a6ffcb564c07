package agent

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// harness is an agent on the real libvirtd, served over an in-memory gRPC
// connection with the production error interceptors.
type harness struct {
	agent  *Agent
	hv     *hypervisor.Libvirt
	client agentv1.HostClient
	img    hvtest.Image
	dir    string
}

func newHarness(t *testing.T) *harness {
	hv := hvtest.RequireLibvirt(t)
	hvtest.RequireTool(t, "qemu-img")
	hvtest.RequireTool(t, "genisoimage")
	img := hvtest.TinyImage(t)
	dt, err := virttype.Detect("")
	if err != nil {
		t.Fatal(err)
	}
	slog.Info("domain type", "type", dt.Type, "reason", dt.Reason)
	dir := hvtest.ScratchDir(t)
	shared, err := storage.New(filepath.Join(dir, "shared"))
	if err != nil {
		t.Fatal(err)
	}
	local, err := storage.New(filepath.Join(dir, "local"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		HostID: "host-test", Region: "us-east-1", AZ: "us-east-1a", DomainPrefix: hvtest.Prefix(t),
		DomainType: dt, SharedPool: shared, LocalPool: local, StateDir: filepath.Join(dir, "state"), Version: "test",
	}
	a, err := New(cfg, hv, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { destroyAll(t, hv, cfg.DomainPrefix) })
	hvtest.CopyRoot(t, img, shared.Dir, "ami-tiny.qcow2")
	return &harness{agent: a, hv: hv, client: serve(t, a), img: img, dir: dir}
}

func serve(t *testing.T, a *Agent) agentv1.HostClient {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(errgrpc.ServerOptions()...)
	agentv1.RegisterHostServer(srv, a)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithChainUnaryInterceptor(errgrpc.UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(errgrpc.StreamClientInterceptor()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return agentv1.NewHostClient(conn)
}

// destroyAll removes every domain with prefix, whatever the test left.
func destroyAll(t *testing.T, hv hypervisor.Hypervisor, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	doms, err := hv.List(ctx, prefix)
	if err != nil {
		t.Errorf("cleanup list: %v", err)
		return
	}
	for _, d := range doms {
		_ = hv.Destroy(ctx, d.Name)
		if err := hv.Undefine(ctx, d.Name); err != nil {
			t.Errorf("cleanup undefine %s: %v", d.Name, err)
		}
	}
}

// createRequest is a small tiny-image instance booting from root (a file
// in the shared pool).
func (h *harness) createRequest(id, root string) *agentv1.CreateInstanceRequest {
	return &agentv1.CreateInstanceRequest{
		InstanceId: id, OwnerId: "123456789012", InstanceType: "c5.large", ImageId: "ami-0tiny",
		Vcpus: 1, MemoryMib: 256, BootMode: hypervisor.BootDirectKernel,
		KernelPath: h.img.Kernel, InitrdPath: h.img.Initrd, KernelCmdline: h.img.Cmdline,
		Disks: []*agentv1.Disk{{VolumeId: "vol-0root000000000001", Path: root, Target: "vda"}},
	}
}

// files lists a directory tree's regular files, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
