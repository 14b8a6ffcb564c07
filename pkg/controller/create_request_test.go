package controller

import (
	"context"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestCreateRequestByFamily: what the agent is asked to build follows the
// instance type's family: a CPU cap for burstable t*, pinned CPUs for c*,
// hugepages for r*, instance-store disks for i*, GPUs for g*.
func TestCreateRequestByFamily(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	img := Image{ID: r.ami, BootMode: "bios"}
	for _, tc := range []struct {
		typ                  string
		vcpus                int32
		baseline             int32
		dedicated, hugepages bool
		storeDisks, gpus     int
		storeBytes           int64
	}{
		{typ: "t3.nano", vcpus: 2, baseline: 5},
		{typ: "m5.large", vcpus: 2},
		{typ: "c5.large", vcpus: 2, dedicated: true},
		{typ: "r5.large", vcpus: 2, hugepages: true},
		{typ: "i3.large", vcpus: 2, storeDisks: 1, storeBytes: 475e9},
		{typ: "d2.xlarge", vcpus: 4, storeDisks: 3, storeBytes: 2048e9},
		{typ: "g4dn.xlarge", vcpus: 4, gpus: 1, storeDisks: 1, storeBytes: 125e9},
	} {
		in := Instance{ID: ids.New(ids.Instance), Owner: acct1, Type: tc.typ, AZ: "lab-1a", ImageID: r.ami}
		req, err := r.svc.createRequest(context.Background(), in, img, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.typ, err)
			continue
		}
		if req.GetVcpus() != tc.vcpus || req.GetCpuBaselinePercent() != tc.baseline || req.GetDedicatedCpus() != tc.dedicated ||
			req.GetHugepages() != tc.hugepages || int(req.GetGpus()) != tc.gpus || len(req.GetInstanceStore()) != tc.storeDisks {
			t.Errorf("%s: vcpus %d baseline %d dedicated %v hugepages %v gpus %d store %d; want %+v", tc.typ, req.GetVcpus(),
				req.GetCpuBaselinePercent(), req.GetDedicatedCpus(), req.GetHugepages(), req.GetGpus(), len(req.GetInstanceStore()), tc)
			continue
		}
		for _, d := range req.GetInstanceStore() {
			if d.GetSizeBytes() != tc.storeBytes {
				t.Errorf("%s: instance-store disk of %d bytes, want %d", tc.typ, d.GetSizeBytes(), tc.storeBytes)
			}
		}
	}
}
