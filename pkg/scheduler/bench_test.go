package scheduler

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/instancetypes"
)

var benchMix = []string{"t3.micro", "t3.small", "m5.large", "c5.large", "r5.large", "t3.medium", "m5.xlarge", "i3.large"}

// benchHosts builds n hosts over zones zones holding instances instances in
// total, spread evenly with a mix of types.
func benchHosts(n, zones, instances int) []Host {
	hosts := make([]Host, n)
	for i := range hosts {
		hosts[i] = Host{ID: fmt.Sprintf("h-%05d", i), AZ: fmt.Sprintf("lab-1%c", 'a'+i%zones), Healthy: true,
			VCPUs: 64, MemoryMiB: 512 * 1024, FreeDedicatedCPUs: 32, HugepagesFreeMiB: 256 * 1024,
			FreeLocalDiskGB: 8000, LastPlaced: int64(i)}
	}
	for k := 0; k < instances; k++ {
		hosts[(k*7919)%n].Reserve(typ(benchMix[k%len(benchMix)]), "", 0)
	}
	return hosts
}

// BenchmarkPlace10kHosts100kInstances places single-instance requests on
// 10,000 hosts in 3 zones that already hold 100,000 instances, applying
// each placement to the hosts as the controller would.
func BenchmarkPlace10kHosts100kInstances(b *testing.B) {
	hosts := benchHosts(10000, 3, 100000)
	index := make(map[string]int, len(hosts))
	for i, h := range hosts {
		index[h.ID] = i
	}
	types := make([]instancetypes.Type, len(benchMix))
	for i, n := range benchMix {
		types[i] = typ(n)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t := types[i%len(types)]
		t0 := time.Now()
		ps, err := Place(hosts, Request{Type: t, MinCount: 1, MaxCount: 1}, Policy{})
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		hosts[index[ps[0].HostID]].Reserve(t, "", 0)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns/op")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "placements/s")
}

// BenchmarkPlaceBatch100 places one 100-instance request spread over the
// zones of the same 10,000 hosts (the zone round-robin path).
func BenchmarkPlaceBatch100(b *testing.B) {
	hosts := benchHosts(10000, 3, 100000)
	req := Request{Type: typ("m5.large"), MinCount: 100, MaxCount: 100}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Place(hosts, req, Policy{}); err != nil {
			b.Fatal(err)
		}
	}
}
