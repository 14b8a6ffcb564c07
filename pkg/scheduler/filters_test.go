package scheduler

import "testing"

func TestFilters(t *testing.T) {
	const gib = 1024
	runPlaceCases(t, []placeCase{
		{name: "az pins the zone", req: Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, AZ: "b"},
			hosts: []Host{host("h1", "a", 8, 16*gib), host("h2", "b", 8, 16*gib, used(4, 8*gib))}, want: []string{"h2"}},
		{name: "unknown az", req: Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, AZ: "z"},
			hosts: []Host{host("h1", "a", 8, 16*gib)}, wantShort: ResourceHost},
		{name: "no hosts", req: one(typ("t3.micro")), wantShort: ResourceHost},
		{name: "unhealthy skipped", req: one(typ("t3.micro")),
			hosts: []Host{host("h1", "a", 8, 16*gib, unhealthy), host("h2", "a", 8, 16*gib, used(6, 8*gib))}, want: []string{"h2"}},
		{name: "all unhealthy", req: one(typ("t3.micro")),
			hosts: []Host{host("h1", "a", 8, 16*gib, unhealthy)}, wantShort: ResourceHealthyHost},
		{name: "vcpu overcommit 4x default fits", req: one(typ("m5.large")),
			hosts: []Host{host("h1", "a", 2, 64*gib, used(6, 0))}, want: []string{"h1"}},
		{name: "vcpu overcommit 4x exceeded", req: one(typ("m5.large")),
			hosts: []Host{host("h1", "a", 2, 64*gib, used(7, 0))}, wantShort: ResourceVCPU},
		{name: "vcpu overcommit 1x", req: one(typ("m5.large")), pol: Policy{CPUOvercommit: 1},
			hosts: []Host{host("h1", "a", 4, 64*gib, used(3, 0)), host("h2", "a", 4, 64*gib, used(2, 0))}, want: []string{"h2"}},
		{name: "vcpu overcommit 1.5x fractional", req: one(typ("m5.large")), pol: Policy{CPUOvercommit: 1.5},
			hosts: []Host{host("h1", "a", 3, 64*gib, used(3, 0))}, wantShort: ResourceVCPU}, // cap floor(4.5)=4
		{name: "memory not overcommitted by default", req: one(typ("m5.large")),
			hosts: []Host{host("h1", "a", 8, 16*gib, used(0, 9*gib))}, wantShort: ResourceMemory},
		{name: "memory overcommit 1.5x", req: one(typ("m5.large")), pol: Policy{MemoryOvercommit: 1.5},
			hosts: []Host{host("h1", "a", 8, 16*gib, used(0, 16*gib))}, want: []string{"h1"}},
		{name: "dedicated cpus needed", req: one(typ("c5.large")),
			hosts: []Host{host("h1", "a", 8, 16*gib, dedicated(1)), host("h2", "a", 8, 16*gib, used(4, 8*gib), dedicated(2))},
			want:  []string{"h2"}},
		{name: "dedicated cpus short", req: one(typ("c5.large")),
			hosts: []Host{host("h1", "a", 8, 16*gib, dedicated(1))}, wantShort: ResourceDedicatedCPU},
		{name: "dedicated still counts capacity", req: one(typ("c5.large")),
			hosts: []Host{host("h1", "a", 2, 16*gib, used(7, 0), dedicated(2))}, wantShort: ResourceVCPU},
		{name: "non-dedicated ignores pinned cpus", req: one(typ("m5.large")),
			hosts: []Host{host("h1", "a", 8, 16*gib, dedicated(0))}, want: []string{"h1"}},
		{name: "hugepages needed", req: one(typ("r5.large")),
			hosts: []Host{host("h1", "a", 8, 64*gib, hugepages(8*gib)), host("h2", "a", 8, 64*gib, used(6, 40*gib), hugepages(16*gib))},
			want:  []string{"h2"}},
		{name: "hugepages short", req: one(typ("r5.large")),
			hosts: []Host{host("h1", "a", 8, 64*gib, hugepages(16*gib-1))}, wantShort: ResourceHugepages},
		{name: "gpu needed", req: one(typ("p3.2xlarge")),
			hosts: []Host{host("h1", "a", 32, 128*gib), host("h2", "a", 32, 128*gib, used(16, 64*gib), gpus(1))}, want: []string{"h2"}},
		{name: "gpu short", req: one(typ("g4dn.xlarge")),
			hosts: []Host{host("h1", "a", 32, 128*gib, disk(500))}, wantShort: ResourceGPU},
		{name: "instance store disk", req: one(typ("i3.large")),
			hosts: []Host{host("h1", "a", 32, 128*gib, disk(474)), host("h2", "a", 32, 128*gib, used(20, 64*gib), disk(475))}, want: []string{"h2"}},
		{name: "instance store total for d2", req: one(typ("d2.xlarge")),
			hosts: []Host{host("h1", "a", 32, 128*gib, disk(6143))}, wantShort: ResourceLocalDisk},
		{name: "g4dn needs gpu and disk", req: one(typ("g4dn.xlarge")),
			hosts: []Host{host("h1", "a", 32, 128*gib, gpus(1), disk(100)), host("h2", "a", 32, 128*gib, gpus(1), disk(125))}, want: []string{"h2"}},
	})
}

func TestInvalidRequests(t *testing.T) {
	hosts := []Host{host("h1", "a", 8, 16384)}
	pg := func(s string, n int) *PlacementGroup {
		return &PlacementGroup{Name: "g", Strategy: s, PartitionCount: n}
	}
	tests := []struct {
		name string
		req  Request
		pol  Policy
	}{
		{"zero min", Request{Type: typ("t3.micro"), MinCount: 0, MaxCount: 1}, Policy{}},
		{"max below min", Request{Type: typ("t3.micro"), MinCount: 2, MaxCount: 1}, Policy{}},
		{"empty type", Request{MinCount: 1, MaxCount: 1}, Policy{}},
		{"bad strategy", one(typ("t3.micro")), Policy{Strategy: "random"}},
		{"overcommit below 1", one(typ("t3.micro")), Policy{CPUOvercommit: 0.5}},
		{"partition without group", Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, PartitionNumber: 1}, Policy{}},
		{"bad group strategy", Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, Group: pg("ring", 0)}, Policy{}},
		{"too many partitions", Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, Group: pg(GroupPartition, 8)}, Policy{}},
		{"partition out of range", Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, Group: pg(GroupPartition, 2), PartitionNumber: 3}, Policy{}},
		{"partition on spread group", Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, Group: pg(GroupSpread, 0), PartitionNumber: 1}, Policy{}},
	}
	for _, tt := range tests {
		if _, err := Place(hosts, tt.req, tt.pol); !errorsIs(err, ErrInvalidRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", tt.name, err)
		}
	}
}
