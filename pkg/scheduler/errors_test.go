package scheduler

import (
	"errors"
	"testing"
)

func TestCapacityErrorMessages(t *testing.T) {
	const gib = 1024
	tests := []struct {
		name  string
		hosts []Host
		req   Request
		pol   Policy
		want  string
	}{
		{name: "dedicated cpus", req: Request{Type: typ("c5.large"), MinCount: 1, MaxCount: 1, AZ: "lab-1a"},
			hosts: []Host{host("h-1", "lab-1a", 8, 32*gib, dedicated(1)), host("h-2", "lab-1a", 8, 32*gib), host("h-3", "lab-1b", 8, 32*gib, dedicated(8))},
			want:  "Insufficient capacity in lab-1a for c5.large: no host with 2 free dedicated CPUs (best: h-1 1 free)"},
		{name: "hugepages", req: Request{Type: typ("r5.large"), MinCount: 1, MaxCount: 1, AZ: "lab-1a"},
			hosts: []Host{host("h-1", "lab-1a", 8, 64*gib, hugepages(512)), host("h-2", "lab-1a", 8, 64*gib, hugepages(8192))},
			want:  "Insufficient capacity in lab-1a for r5.large: no host with 16384 MiB hugepages free (best: h-2 8192 MiB free)"},
		{name: "deepest stage wins and zone named when request spans zones", req: one(typ("p3.2xlarge")),
			hosts: []Host{host("h-1", "lab-1a", 2, 8*gib), host("h-2", "lab-1b", 16, 128*gib)},
			want:  "Insufficient capacity for p3.2xlarge: no host with 1 free GPUs (best: h-2 in lab-1b 0 free)"},
		{name: "vcpus with overcommit", req: one(typ("m5.xlarge")), pol: Policy{CPUOvercommit: 2},
			hosts: []Host{host("h-1", "a", 4, 64*gib, used(6, 0)), host("h-2", "a", 4, 64*gib, used(5, 0))},
			want:  "Insufficient capacity for m5.xlarge: no host with 4 free vCPUs at 2x CPU overcommit (best: h-2 in a 3 free)"},
		{name: "memory", req: Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 1, AZ: "a"},
			hosts: []Host{host("h-1", "a", 4, 8*gib, used(0, 4*gib))},
			want:  "Insufficient capacity in a for m5.large: no host with 8192 MiB free memory at 1x memory overcommit (best: h-1 4096 MiB free)"},
		{name: "local disk", req: Request{Type: typ("i3.xlarge"), MinCount: 1, MaxCount: 1, AZ: "a"},
			hosts: []Host{host("h-1", "a", 8, 64*gib, disk(500))},
			want:  "Insufficient capacity in a for i3.xlarge: no host with 950 GB free local disk for instance store (best: h-1 500 GB free)"},
		{name: "partial count", req: Request{Type: typ("m5.large"), MinCount: 3, MaxCount: 3, AZ: "a"},
			hosts: []Host{host("h-1", "a", 4, 16*gib)},
			want:  "Insufficient capacity in a for m5.large: only 2 of minimum 3 instances fit; no host with 8192 MiB free memory at 1x memory overcommit (best: h-1 0 MiB free)"},
		{name: "no hosts in zone", req: Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 1, AZ: "lab-9z"},
			hosts: []Host{host("h-1", "a", 4, 16*gib)},
			want:  "Insufficient capacity in lab-9z for m5.large: no hosts in availability zone lab-9z"},
		{name: "unhealthy", req: one(typ("m5.large")),
			hosts: []Host{host("h-1", "a", 4, 16*gib, unhealthy)},
			want:  "Insufficient capacity for m5.large: no healthy host"},
		{name: "spread zone limit", req: Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, AZ: "a", Group: group("web", GroupSpread, 0)},
			hosts: []Host{host("h-1", "a", 4, 16*gib, inGroup("web", 7)), host("h-2", "a", 4, 16*gib)},
			want:  `Insufficient capacity in a for t3.micro: spread placement group "web" already has 7 instances in a (limit 7 per availability zone)`},
		{name: "spread out of hosts", req: Request{Type: typ("t3.micro"), MinCount: 2, MaxCount: 2, Group: group("web", GroupSpread, 0)},
			hosts: []Host{host("h-1", "a", 4, 16*gib)},
			want:  `Insufficient capacity for t3.micro: only 1 of minimum 2 instances fit; every host already runs an instance of spread placement group "web"`},
		{name: "partition", req: Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, Group: group("db", GroupPartition, 2), PartitionNumber: 2},
			hosts: []Host{host("h-1", "a", 4, 16*gib, inGroup("db", 1), partition("db", 1))},
			want:  `Insufficient capacity for t3.micro: no host free to serve partition 2 of placement group "db"`},
		{name: "cluster names its zone", req: Request{Type: typ("m5.4xlarge"), MinCount: 1, MaxCount: 1, Group: group("hpc", GroupCluster, 0)},
			hosts: []Host{host("h-1", "a", 8, 32*gib, inGroup("hpc", 1)), host("h-2", "b", 64, 256*gib)},
			want:  "Insufficient capacity in a for m5.4xlarge: no host with 65536 MiB free memory at 1x memory overcommit (best: h-1 32768 MiB free)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Place(tt.hosts, tt.req, tt.pol)
			var ice *InsufficientCapacityError
			if !errors.As(err, &ice) {
				t.Fatalf("err = %v, want *InsufficientCapacityError", err)
			}
			if err.Error() != tt.want {
				t.Fatalf("message\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}
