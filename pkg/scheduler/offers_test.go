package scheduler

import "testing"

// TestFits: a host offers a type when, empty, it has the vCPUs (under the
// CPU overcommit), the memory and the devices the type needs; what is
// allocated now and the host's health do not matter.
func TestFits(t *testing.T) {
	pol := Policy{CPUOvercommit: 1, MemoryOvercommit: 1}
	tests := []struct {
		name string
		h    Host
		typ  string
		pol  Policy
		want bool
	}{
		{"small type on a big host", host("h", "a", 8, 32768), "t3.micro", pol, true},
		{"full host still offers", host("h", "a", 8, 32768, used(8, 32768), unhealthy), "t3.micro", pol, true},
		{"too few vCPUs", host("h", "a", 4, 65536), "m5.2xlarge", pol, false},
		{"vCPUs under overcommit", host("h", "a", 4, 65536), "m5.2xlarge", Policy{CPUOvercommit: 2}, true},
		{"too little memory", host("h", "a", 16, 8192), "r5.large", pol, false},
		{"no CPUs to pin", host("h", "a", 8, 32768, dedicated(1)), "c5.large", pol, false},
		{"CPUs to pin", host("h", "a", 8, 32768, dedicated(7)), "c5.large", pol, true},
		{"no hugepages", host("h", "a", 8, 65536), "r5.large", pol, false},
		{"hugepages", host("h", "a", 8, 65536, hugepages(16384)), "r5.large", pol, true},
		{"no GPU", host("h", "a", 16, 65536, disk(1000)), "g4dn.xlarge", pol, false},
		{"GPU and disk", host("h", "a", 16, 65536, gpus(1), disk(1000)), "g4dn.xlarge", pol, true},
		{"GPU without local disk", host("h", "a", 16, 65536, gpus(1)), "g4dn.xlarge", pol, false},
		{"invalid policy", host("h", "a", 8, 32768), "t3.micro", Policy{CPUOvercommit: 0.5}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fits(tt.h, typ(tt.typ), tt.pol); got != tt.want {
				t.Errorf("Fits(%s) = %v, want %v", tt.typ, got, tt.want)
			}
		})
	}
}
