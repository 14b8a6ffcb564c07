package controller

import (
	"context"
	"encoding/base64"
	"reflect"
	"sync"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/uefivars"
	"github.com/ec2lab/ec2lab/pkg/uefivars/uefivarstest"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// uefiAgent is a fake agent whose domains boot with UEFI (unless bios)
// and whose firmware left nvram.
type uefiAgent struct {
	*fakeAgent
	mu    sync.Mutex
	bios  bool
	nvram []byte
	asked []string
}

func (f *uefiAgent) GetUefiVars(_ context.Context, in *agentv1.InstanceRef, _ ...grpc.CallOption) (*agentv1.UefiVars, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, in.GetInstanceId())
	return &agentv1.UefiVars{Uefi: !f.bios, Nvram: f.nvram}, nil
}

// uefiImage records an image acct1 launches UEFI instances from.
func (r *rig) uefiImage(t *testing.T) string {
	t.Helper()
	img, _, err := store.GetJSON[Image](context.Background(), r.svc.st, prefixImage+r.ami)
	if err != nil {
		t.Fatal(err)
	}
	img.ID, img.BootMode = ids.New(ids.Image), "uefi"
	if err := put(context.Background(), r.svc.st, prefixImage+img.ID, img); err != nil {
		t.Fatal(err)
	}
	return img.ID
}

// TestGetInstanceUefiData: a UEFI instance's variables, read from its
// host's NVRAM file, come back as EC2's AMZNUEFI store (base64); before
// its first boot the store is empty; a BIOS instance has none.
func TestGetInstanceUefiData(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	ag := &uefiAgent{fakeAgent: r.agents["lab-1a"]}
	r.svc.mu.Lock()
	r.svc.agents["h-lab-1a"] = hostgrpc.New(ag)
	r.svc.mu.Unlock()
	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.uefiImage(t), InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1a"})
	if err != nil {
		t.Fatal(err)
	}
	in := res.Instances[0]
	r.drive(in.ID)
	bios := r.launched(t, RunRequest{})

	decode := func(s string) []uefivars.Var {
		t.Helper()
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		vars, err := uefivars.DecodeAWS(b)
		if err != nil {
			t.Fatal(err)
		}
		return vars
	}
	got, err := r.svc.GetInstanceUefiData(ctx, in.ID, false)
	if err != nil || len(decode(got)) != 0 {
		t.Fatalf("before the first boot: %q, %v; want an empty store", got, err)
	}
	boot := uefivars.Var{Name: "BootOrder", GUID: [16]byte{0x61, 0xdf, 0xe4, 0x8b}, Attr: 7, Data: []byte{1, 0}}
	ag.nvram = uefivarstest.EDK2Store([]uefivarstest.Stored{{Var: boot, State: uefivarstest.Added}})
	got, err = r.svc.GetInstanceUefiData(ctx, in.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if vars := decode(got); !reflect.DeepEqual(vars, []uefivars.Var{boot}) {
		t.Errorf("variables %+v, want %+v", vars, boot)
	}
	r.stopped(t, in.ID)
	if _, err := r.svc.GetInstanceUefiData(ctx, in.ID, false); err != nil {
		t.Errorf("stopped instance: %v", err)
	}

	asked := len(ag.asked)
	for _, tt := range []struct {
		name, id string
		dry      bool
		code     string
	}{
		{"BIOS instance", bios.ID, false, "UnsupportedOperation"},
		{"missing", "i-0000000000000dead", false, "InvalidInstanceID.NotFound"},
		{"malformed", "i-zz", false, "InvalidInstanceID.Malformed"},
		{"dry run", in.ID, true, "DryRunOperation"},
	} {
		if _, err := r.svc.GetInstanceUefiData(ctx, tt.id, tt.dry); errCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	if len(ag.asked) != asked {
		t.Errorf("refused calls asked the host: %v", ag.asked[asked:])
	}
	ag.bios = true
	if _, err := r.svc.GetInstanceUefiData(ctx, in.ID, false); errCode(err) != "UnsupportedOperation" {
		t.Errorf("host domain without UEFI: %v", err)
	}
	r.setState(t, in.ID, StateTerminated)
	if _, err := r.svc.GetInstanceUefiData(ctx, in.ID, false); errCode(err) != "IncorrectInstanceState" {
		t.Errorf("terminated: %v", err)
	}
}
