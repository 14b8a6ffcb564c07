package agent

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

func TestParseCPUSet(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"3", []int{3}},
		{"0,2", []int{0, 2}},
		{"1-3,6", []int{1, 2, 3, 6}},
		{"^1", nil},
	}
	for _, tt := range tests {
		if got := parseCPUSet(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("parseCPUSet(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPickCPUs(t *testing.T) {
	n := runtime.NumCPU()
	tests := []struct {
		name    string
		current []int
		want    int
		used    map[int]string
		keep    bool
		wantErr bool
	}{
		{"fresh pick", nil, 1, map[int]string{}, false, false},
		{"keeps free pins", []int{0}, 1, map[int]string{}, true, false},
		{"moves taken pins", []int{0}, 1, map[int]string{0: "other"}, false, n < 2},
		{"not enough CPUs", nil, n + 1, map[int]string{}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pickCPUs(tt.current, tt.want, tt.used)
			if tt.wantErr {
				if ec2err.Code(err) != ec2err.InsufficientInstanceCapacity {
					t.Fatalf("err = %v, want InsufficientInstanceCapacity", err)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("pickCPUs = %v, %v", got, err)
			}
			for _, c := range got {
				if _, u := tt.used[c]; u {
					t.Errorf("picked used CPU %d", c)
				}
			}
			if tt.keep && !slices.Equal(got, tt.current) {
				t.Errorf("pins moved from %v to %v", tt.current, got)
			}
		})
	}
}

func TestNaming(t *testing.T) {
	tests := []struct{ fn, in, want string }{
		{"snapshotHead", "vol-0abc.0.qcow2", "vol-0abc.snap-01.qcow2"},
		{"snapshotHead", "vol-0abc.snap-00.qcow2", "vol-0abc.snap-01.qcow2"},
		{"snapshotHead", "vol-0abc.qcow2", "vol-0abc.snap-01.qcow2"},
		{"volumeSerial", "vol-0123456789abcdef0", "vol0123456789abcdef0"},
		{"volumeSerial", "vol-0abc", "vol-0abc"},
	}
	for _, tt := range tests {
		got := volumeSerial(tt.in)
		if tt.fn == "snapshotHead" {
			got = snapshotHead(tt.in, "snap-01")
		}
		if got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.fn, tt.in, got, tt.want)
		}
	}
	disks := []hypervisor.Disk{{Target: "vda"}, {Target: "vdc"}}
	if got := freeTarget(disks); got != "vdb" {
		t.Errorf("freeTarget = %s, want vdb", got)
	}
}

// fakeRegistry fails the first heartbeat, then accepts everything.
type fakeRegistry struct {
	mu         sync.Mutex
	registers  int
	heartbeats int
	last       *agentv1.HeartbeatRequest
}

func (f *fakeRegistry) Register(_ context.Context, r *agentv1.RegisterRequest, _ ...grpc.CallOption) (*agentv1.RegisterResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registers++
	return &agentv1.RegisterResponse{HostId: "host-from-controller"}, nil
}

func (f *fakeRegistry) Heartbeat(_ context.Context, r *agentv1.HeartbeatRequest, _ ...grpc.CallOption) (*agentv1.HeartbeatResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heartbeats++
	if f.heartbeats == 1 {
		return nil, errors.New("controller restarting")
	}
	f.last = r
	return &agentv1.HeartbeatResponse{}, nil
}

// emptyHV is a hypervisor with no domains (List is all RunHeartbeats needs).
type emptyHV struct{ hypervisor.Hypervisor }

func (emptyHV) List(context.Context, string) ([]hypervisor.Domain, error) { return nil, nil }

func TestRunHeartbeatsReRegisters(t *testing.T) {
	dir := t.TempDir()
	shared, _ := storage.New(dir + "/shared")
	local, _ := storage.New(dir + "/local")
	a, err := New(Config{HostID: "h1", DomainPrefix: "x-", DomainType: virttype.Decision{Type: "qemu"},
		SharedPool: shared, LocalPool: local, StateDir: dir + "/state"}, emptyHV{}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	reg := &fakeRegistry{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	done := make(chan error)
	go func() { done <- a.RunHeartbeats(ctx, reg, "127.0.0.1:7000", 50*time.Millisecond) }()
	for {
		reg.mu.Lock()
		ok := reg.heartbeats >= 3
		reg.mu.Unlock()
		if ok || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunHeartbeats = %v", err)
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if reg.registers < 2 || reg.heartbeats < 3 {
		t.Fatalf("registers %d heartbeats %d: want a re-register after the failed heartbeat", reg.registers, reg.heartbeats)
	}
	if reg.last.HostId != "host-from-controller" || reg.last.Inventory.GetVcpus() != int32(runtime.NumCPU()) || len(reg.last.Inventory.Pools) != 2 {
		t.Errorf("heartbeat = %v", reg.last)
	}
}

// TestNewRefusesRelativeStateDir: seeds and console logs reach QEMU through
// libvirt XML, which must not hold paths relative to this process.
func TestNewRefusesRelativeStateDir(t *testing.T) {
	dir := t.TempDir()
	shared, _ := storage.New(dir + "/shared")
	local, _ := storage.New(dir + "/local")
	_, err := New(Config{HostID: "h1", DomainPrefix: "x-", DomainType: virttype.Decision{Type: "qemu"},
		SharedPool: shared, LocalPool: local, StateDir: "var/agent"}, emptyHV{}, slog.Default())
	if err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Fatalf("New with a relative state dir: %v, want an 'absolute path' error", err)
	}
}
