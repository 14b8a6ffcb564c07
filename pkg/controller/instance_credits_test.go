package controller

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// baselineRecorder is a fake agent that also records SetCPUBaseline calls
// ("id percent"), or fails them with err.
type baselineRecorder struct {
	*fakeAgent
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *baselineRecorder) SetCPUBaseline(_ context.Context, in *agentv1.SetCPUBaselineRequest, _ ...grpc.CallOption) (*agentv1.SetCPUBaselineResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	f.calls = append(f.calls, fmt.Sprintf("%s %d", in.GetInstanceId(), in.GetCpuBaselinePercent()))
	return &agentv1.SetCPUBaselineResponse{}, nil
}

// recordBaselines puts a baselineRecorder in front of lab-1a's agent.
func (r *rig) recordBaselines() *baselineRecorder {
	rec := &baselineRecorder{fakeAgent: r.agents["lab-1a"]}
	r.svc.mu.Lock()
	r.svc.agents["h-lab-1a"] = hostgrpc.New(rec)
	r.svc.mu.Unlock()
	return rec
}

// TestModifyInstanceCreditSpecification: a running burstable instance's
// cap changes on its host at once, a stopped one's too (its definition);
// the record (DescribeInstances) shows the new mode; the instances EC2
// refuses are answered one by one, with its codes, and left unchanged.
func TestModifyInstanceCreditSpecification(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	rec := r.recordBaselines()
	ctx := ctxFor(acct1)
	running := r.launched(t, RunRequest{InstanceType: "t3.micro"})
	stopped := r.launched(t, RunRequest{InstanceType: "t3.small", CPUCredits: CreditsStandard})
	r.stopped(t, stopped.ID)
	tiny := r.launched(t, RunRequest{})
	pending, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1, AZ: "lab-1a"})
	if err != nil {
		t.Fatal(err)
	}
	pendingID := pending.Instances[0].ID

	res, err := r.svc.ModifyInstanceCreditSpecification(ctx, []CreditChange{
		{running.ID, CreditsStandard}, {stopped.ID, CreditsUnlimited}, {tiny.ID, CreditsStandard},
		{pendingID, CreditsStandard}, {"i-0000000000000dead", CreditsStandard}, {"i-zz", CreditsStandard}}, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{running.ID, stopped.ID}; !slices.Equal(res.Successful, want) {
		t.Errorf("successful %v, want %v", res.Successful, want)
	}
	wantFail := map[string]string{tiny.ID: "InstanceCreditSpecification.NotSupported", pendingID: "IncorrectInstanceState",
		"i-0000000000000dead": "InvalidInstanceID.NotFound", "i-zz": "InvalidInstanceID.Malformed"}
	for _, f := range res.Unsuccessful {
		if wantFail[f.InstanceID] != f.Code || f.Message == "" {
			t.Errorf("unsuccessful %+v, want code %s", f, wantFail[f.InstanceID])
		}
		delete(wantFail, f.InstanceID)
	}
	if len(wantFail) > 0 {
		t.Errorf("not answered: %v", wantFail)
	}
	if got := []string{r.get(t, running.ID).CPUCredits, r.get(t, stopped.ID).CPUCredits, r.get(t, pendingID).CPUCredits}; !slices.Equal(got,
		[]string{CreditsStandard, CreditsUnlimited, CreditsUnlimited}) {
		t.Errorf("recorded modes %v", got)
	}
	if want := []string{running.ID + " 10", stopped.ID + " 0"}; !slices.Equal(rec.calls, want) {
		t.Errorf("host told %v, want %v (t3.micro's baseline is 10%%)", rec.calls, want)
	}
}

// TestModifyInstanceCreditSpecificationRefusals: what EC2 refuses whole
// changes nothing and tells no host.
func TestModifyInstanceCreditSpecificationRefusals(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	rec := r.recordBaselines()
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{InstanceType: "t3.micro"})
	if _, err := r.svc.ModifyInstanceCreditSpecification(ctx, []CreditChange{{in.ID, CreditsStandard}}, "tok", false); err != nil {
		t.Fatal(err)
	}
	rec.calls = nil
	tests := []struct {
		name    string
		changes []CreditChange
		token   string
		dryRun  bool
		code    string
	}{
		{"nothing", nil, "", false, "MissingParameter"},
		{"no instance ID", []CreditChange{{"", CreditsStandard}}, "", false, "MissingParameter"},
		{"no mode", []CreditChange{{in.ID, ""}}, "", false, "MissingParameter"},
		{"unknown mode", []CreditChange{{in.ID, "turbo"}}, "", false, "InvalidParameterValue"},
		{"token reused for another change", []CreditChange{{in.ID, CreditsUnlimited}}, "tok", false, "IdempotentParameterMismatch"},
		{"dry run", []CreditChange{{in.ID, CreditsUnlimited}}, "", true, "DryRunOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.svc.ModifyInstanceCreditSpecification(ctx, tt.changes, tt.token, tt.dryRun)
			if errCode(err) != tt.code {
				t.Fatalf("error %v, want %s", err, tt.code)
			}
			if got := r.get(t, in.ID).CPUCredits; got != CreditsStandard || len(rec.calls) > 0 {
				t.Errorf("refused call changed the mode to %s, told the host %v", got, rec.calls)
			}
		})
	}
	res, err := r.svc.ModifyInstanceCreditSpecification(ctx, []CreditChange{{in.ID, CreditsStandard}}, "tok", false)
	if err != nil || !slices.Equal(res.Successful, []string{in.ID}) {
		t.Errorf("retry with the same token: %+v, %v", res, err)
	}
}

// TestCreditSpecificationWhenTheHostCannotBeTold: the change is recorded
// and answered; the next start defines the domain anew with it.
func TestCreditSpecificationWhenTheHostCannotBeTold(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	rec := r.recordBaselines()
	rec.err = errFake
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{InstanceType: "t3.micro"})
	res, err := r.svc.ModifyInstanceCreditSpecification(ctx, []CreditChange{{in.ID, CreditsStandard}}, "", false)
	if err != nil || len(res.Successful) != 1 {
		t.Fatalf("modify: %+v, %v", res, err)
	}
	if !r.get(t, in.ID).Redefine {
		t.Fatal("the record does not ask the next start to define the domain anew")
	}
	r.stopped(t, in.ID)
	if _, err := r.svc.StartInstances(ctx, []string{in.ID}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(in.ID)
	got := r.get(t, in.ID)
	created := r.agents["lab-1a"].created[in.ID]
	if got.State != StateRunning || got.Redefine || created.GetCpuBaselinePercent() != 10 {
		t.Errorf("after the restart: %s, redefine %v, domain baseline %d%%; want running with 10%%",
			got.State, got.Redefine, created.GetCpuBaselinePercent())
	}
}

// TestDescribeInstanceCreditSpecifications: without IDs the unlimited
// instances only; with IDs their modes, a non-burstable one refused; the
// instance-id filter and pages.
func TestDescribeInstanceCreditSpecifications(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	unlimited := r.launched(t, RunRequest{InstanceType: "t3.micro"})
	unlimited2 := r.launched(t, RunRequest{InstanceType: "t3.nano"})
	standard := r.launched(t, RunRequest{InstanceType: "t3.micro", CPUCredits: CreditsStandard})
	tiny := r.launched(t, RunRequest{})
	ids := func(list []CreditSpecification) []string {
		var out []string
		for _, c := range list {
			out = append(out, c.InstanceID+"="+c.CPUCredits)
		}
		return out
	}
	sortedIDs := func(ids ...string) []string {
		out := slices.Clone(ids)
		slices.Sort(out)
		return out
	}
	all, _, err := r.svc.InstanceCreditSpecifications(ctx, nil, nil, Page{}, false)
	if want := sortedIDs(unlimited.ID+"=unlimited", unlimited2.ID+"=unlimited"); err != nil || !slices.Equal(ids(all), want) {
		t.Errorf("without IDs: %v, %v; want %v", ids(all), err, want)
	}
	got, _, err := r.svc.InstanceCreditSpecifications(ctx, []string{standard.ID, unlimited.ID}, nil, Page{}, false)
	if want := sortedIDs(standard.ID+"=standard", unlimited.ID+"=unlimited"); err != nil || !slices.Equal(ids(got), want) {
		t.Errorf("with IDs: %v, %v; want %v", ids(got), err, want)
	}
	got, _, err = r.svc.InstanceCreditSpecifications(ctx, nil, []Filter{{Name: "instance-id", Values: []string{unlimited2.ID}}}, Page{}, false)
	if err != nil || !slices.Equal(ids(got), []string{unlimited2.ID + "=unlimited"}) {
		t.Errorf("filtered: %v, %v", ids(got), err)
	}
	first, next, err := r.svc.InstanceCreditSpecifications(ctx, nil, nil, Page{MaxResults: 5}, false)
	if err != nil || len(first) != 2 || next != "" {
		t.Errorf("one page of 5: %v, %q, %v", ids(first), next, err)
	}
	for _, tt := range []struct {
		name    string
		ids     []string
		filters []Filter
		p       Page
		dry     bool
		code    string
	}{
		{"not burstable", []string{tiny.ID}, nil, Page{}, false, "InvalidParameterValue"},
		{"missing", []string{"i-0000000000000dead"}, nil, Page{}, false, "InvalidInstanceID.NotFound"},
		{"other filter", nil, []Filter{{Name: "instance-type", Values: []string{"t3.micro"}}}, Page{}, false, "InvalidParameterValue"},
		{"IDs with MaxResults", []string{unlimited.ID}, nil, Page{MaxResults: 5}, false, "InvalidParameterCombination"},
		{"MaxResults too small", nil, nil, Page{MaxResults: 4}, false, "InvalidParameterValue"},
		{"dry run", nil, nil, Page{}, true, "DryRunOperation"},
	} {
		if _, _, err := r.svc.InstanceCreditSpecifications(ctx, tt.ids, tt.filters, tt.p, tt.dry); errCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}
