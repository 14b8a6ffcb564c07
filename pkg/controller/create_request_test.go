package controller

import (
	"context"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestCreateRequestByFamily: what the agent is asked to build follows the
// instance type's family: a CPU cap for burstable t* in standard credit
// mode (unlimited, the default, has none), pinned CPUs for c*, hugepages
// for r*, instance-store disks for i*, GPUs for g*.
func TestCreateRequestByFamily(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	img := Image{ID: r.ami, BootMode: "bios"}
	for _, tc := range []struct {
		typ, credits         string
		vcpus                int32
		baseline             int32
		dedicated, hugepages bool
		storeDisks, gpus     int
		storeBytes           int64
	}{
		{typ: "t3.nano", vcpus: 2},
		{typ: "t3.nano", credits: CreditsUnlimited, vcpus: 2},
		{typ: "t3.nano", credits: CreditsStandard, vcpus: 2, baseline: 5},
		{typ: "m5.large", vcpus: 2},
		{typ: "c5.large", vcpus: 2, dedicated: true},
		{typ: "r5.large", vcpus: 2, hugepages: true},
		{typ: "i3.large", vcpus: 2, storeDisks: 1, storeBytes: 475e9},
		{typ: "d2.xlarge", vcpus: 4, storeDisks: 3, storeBytes: 2048e9},
		{typ: "g4dn.xlarge", vcpus: 4, gpus: 1, storeDisks: 1, storeBytes: 125e9},
	} {
		in := Instance{ID: ids.New(ids.Instance), Owner: acct1, Type: tc.typ, AZ: "lab-1a", ImageID: r.ami, CPUCredits: tc.credits}
		req, err := r.svc.createRequest(context.Background(), in, img, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.typ, err)
			continue
		}
		if req.VCPUs != tc.vcpus || req.CPUBaselinePercent != tc.baseline || req.DedicatedCPUs != tc.dedicated ||
			req.Hugepages != tc.hugepages || int(req.GPUs) != tc.gpus || len(req.InstanceStore) != tc.storeDisks {
			t.Errorf("%s: vcpus %d baseline %d dedicated %v hugepages %v gpus %d store %d; want %+v", tc.typ, req.VCPUs,
				req.CPUBaselinePercent, req.DedicatedCPUs, req.Hugepages, req.GPUs, len(req.InstanceStore), tc)
			continue
		}
		for _, size := range req.InstanceStore {
			if size != tc.storeBytes {
				t.Errorf("%s: instance-store disk of %d bytes, want %d", tc.typ, size, tc.storeBytes)
			}
		}
	}
}

// TestCreditSpecification: burstable instances run unlimited unless asked
// for standard; the option is refused for other types and bad values.
func TestCreditSpecification(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	run := func(typ, credits string) (RunResult, error) {
		return r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: typ, MinCount: 1, MaxCount: 1, CPUCredits: credits})
	}
	for _, tc := range []struct{ typ, credits, want, code string }{
		{"t3.nano", "", CreditsUnlimited, ""},
		{"t3.nano", CreditsStandard, CreditsStandard, ""},
		{"lab.tiny", "", "", ""},
		{"lab.tiny", CreditsStandard, "", "InvalidParameterCombination"},
		{"t3.nano", "sometimes", "", "InvalidParameterValue"},
	} {
		res, err := run(tc.typ, tc.credits)
		if errCode(err) != tc.code {
			t.Errorf("%s %q: %v, want %q", tc.typ, tc.credits, err, tc.code)
			continue
		}
		if err == nil {
			if got := r.get(t, res.Instances[0].ID).CPUCredits; got != tc.want {
				t.Errorf("%s %q: credits %q, want %q", tc.typ, tc.credits, got, tc.want)
			}
		}
	}
}
