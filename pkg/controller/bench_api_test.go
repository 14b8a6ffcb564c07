package controller

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/store"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// BenchAccount owns the instances of NewBenchRig.
const BenchAccount = acct1

// BenchTeams is how many distinct values of the "team" tag NewBenchRig
// spreads its instances over ("t0".."t9"): a filter on one matches 1/10.
const BenchTeams = 10

// benchZones are the rig's zones: 4 default subnets (/20 each) hold the
// 10,000 instances plus what the RunInstances benchmarks add.
var benchZones = []string{"lab-1a", "lab-1b", "lab-1c", "lab-1d"}

// NewBenchRig is a Service over a real bbolt store in tb's temp dir, with
// one large fake host per zone and n lab.tiny instances of BenchAccount
// recorded through RunInstances (MaxCount 100, zones round-robin). No
// reconciler runs: the instances stay pending, no agent creates a guest.
// It returns the service and the AMI to launch. Exported for the wire
// benchmarks in package controller_test (bench_api_wire_test.go).
func NewBenchRig(tb testing.TB, n int) (*Service, string) {
	tb.Helper()
	dir := tb.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "state.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	cfg := Config{Region: "lab-1", VCPUQuota: 1 << 30, CPUOvercommit: 1, MemoryOvercommit: 1,
		InstanceTypes: []instancetypes.Type{{Name: "lab.tiny", Family: "general", VCPUs: 1, MemoryMiB: 256, Architectures: []string{"x86_64"}}}}
	for _, z := range benchZones {
		cfg.AvailabilityZones = append(cfg.AvailabilityZones, ZoneSpec{Name: z, Pool: filepath.Join(dir, z)})
	}
	svc, err := New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for _, z := range benchZones {
		inv := &agentv1.Inventory{HostId: "h-" + z, AvailabilityZone: z, Vcpus: 1 << 20, MemoryMib: 1 << 40, DomainType: "qemu"}
		if _, err := svc.AddHost(ctx, hostgrpc.InventoryFrom(inv), "fake", hostgrpc.New(newFakeAgent())); err != nil {
			tb.Fatal(err)
		}
	}
	ami := ids.New(ids.Image)
	img := Image{ID: ami, Owner: acct1, Name: "tiny", State: "available", Architecture: "x86_64", RootDeviceName: "/dev/xvda",
		Devices: []ImageDevice{{DeviceName: "/dev/xvda", SizeGiB: 1, VolumeType: "gp3", DeleteOnTermination: true}}, AZ: benchZones[0]}
	if err := put(ctx, st, prefixImage+img.ID, img); err != nil {
		tb.Fatal(err)
	}
	actx := auth.WithKey(ctx, auth.Key{AccessKeyID: "AKIA" + acct1, AccountID: acct1})
	for i := 0; i < n; i += 100 {
		count := min(100, n-i)
		tags := map[string][]Tag{"instance": {{Key: "team", Value: fmt.Sprintf("t%d", (i/100)%BenchTeams)}}}
		_, err := svc.RunInstances(actx, RunRequest{ImageID: ami, InstanceType: "lab.tiny", MinCount: count, MaxCount: count,
			AZ: benchZones[(i/100)%len(benchZones)], Tags: tags})
		if err != nil {
			tb.Fatalf("fill: RunInstances after %d: %v", i, err)
		}
	}
	return svc, ami
}

// TestBenchRig checks the rig the API benchmarks stand on: the instances
// are there, pending, and a team filter finds a tenth of them.
func TestBenchRig(t *testing.T) {
	svc, _ := NewBenchRig(t, 1000)
	ctx := ctxFor(acct1)
	all, _, err := svc.DescribeInstances(ctx, nil, nil, Page{MaxResults: 1000})
	if err != nil || len(all) != 1000 || all[0].State != "pending" {
		t.Fatalf("DescribeInstances: %d instances, err %v", len(all), err)
	}
	blue, _, err := svc.DescribeInstances(ctx, nil, []Filter{{Name: "tag:team", Values: []string{"t3"}}}, Page{})
	if err != nil || len(blue) != 100 {
		t.Fatalf("tag:team=t3: %d instances, err %v", len(blue), err)
	}
}

// BenchmarkRunInstancesAt measures RunInstances (one instance, in-process,
// real bbolt) with 1,000 and 10,000 instances already recorded: the
// addresses come from the record cache's per-subnet index, so the cost per
// call should not grow with what the region holds.
//
//	go test -run '^$' -bench RunInstancesAt -benchtime 500x ./pkg/controller/
func BenchmarkRunInstancesAt(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			svc, ami := NewBenchRig(b, n)
			ctx := ctxFor(acct1)
			b.ResetTimer()
			for i := range b.N {
				if _, err := svc.RunInstances(ctx, RunRequest{ImageID: ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
					AZ: benchZones[i%len(benchZones)]}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
