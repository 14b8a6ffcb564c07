package controller

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// setMetadata records what the host was told (f.mu held).
func (f *fakeAgent) setMetadata(id, tokens, endpoint string) {
	if f.metadata == nil {
		f.metadata = map[string]string{}
	}
	f.metadata[id] = tokens + "/" + endpoint
}

func (f *fakeAgent) SetMetadataOptions(_ context.Context, in *agentv1.SetMetadataOptionsRequest, _ ...grpc.CallOption) (*agentv1.SetMetadataOptionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.metadataDown {
		return nil, errFake
	}
	f.setMetadata(in.GetInstanceId(), in.GetHttpTokens(), in.GetHttpEndpoint())
	return &agentv1.SetMetadataOptionsResponse{}, nil
}

func hop(n int32) *int32 { return &n }

// TestRunMetadataOptions: RunInstances' MetadataOptions are validated as
// EC2 does, defaulted, stored and sent to the host with CreateInstance.
func TestRunMetadataOptions(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	tests := []struct {
		name  string
		opts  MetadataOptionsRequest
		want  MetadataOptions
		agent string // what CreateInstance told the host
		code  string
	}{
		{"defaults", MetadataOptionsRequest{}, MetadataOptions{"optional", "enabled", 1, false}, "optional/enabled", ""},
		{"required", MetadataOptionsRequest{HTTPTokens: "required"}, MetadataOptions{"required", "enabled", 1, false}, "required/enabled", ""},
		{"disabled, hop 64", MetadataOptionsRequest{HTTPEndpoint: "disabled", HopLimit: hop(64)},
			MetadataOptions{"optional", "disabled", 64, false}, "optional/disabled", ""},
		{"bad tokens", MetadataOptionsRequest{HTTPTokens: "Required"}, MetadataOptions{}, "", ec2err.InvalidParameterValue},
		{"bad endpoint", MetadataOptionsRequest{HTTPEndpoint: "off"}, MetadataOptions{}, "", ec2err.InvalidParameterValue},
		{"hop 0", MetadataOptionsRequest{HopLimit: hop(0)}, MetadataOptions{}, "", ec2err.InvalidParameterValue},
		{"hop 65", MetadataOptionsRequest{HopLimit: hop(65)}, MetadataOptions{}, "", ec2err.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny",
				MinCount: 1, MaxCount: 1, AZ: "lab-1a", MetadataOptions: tt.opts})
			if tt.code != "" {
				var e *ec2err.Error
				if !errors.As(err, &e) || e.Code != tt.code {
					t.Fatalf("RunInstances: %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			id := res.Instances[0].ID
			r.drive(id)
			if got := r.get(t, id).Metadata.WithDefaults(); got != tt.want {
				t.Errorf("stored %+v, want %+v", got, tt.want)
			}
			if got := r.agents["lab-1a"].metadata[id]; got != tt.agent {
				t.Errorf("CreateInstance told the host %q, want %q", got, tt.agent)
			}
		})
	}
}

// TestModifyMetadataOptions: changes apply on top of the current options
// (unset values stay), reach the running instance's host at once, and are
// refused for bad values, other accounts and terminated instances.
func TestModifyMetadataOptions(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	gone := r.run(t, 1, "lab-1a")[0]
	r.setState(t, gone, StateTerminated)
	tests := []struct {
		name  string
		acct  string
		id    string
		req   MetadataOptionsRequest
		want  MetadataOptions
		agent string
		code  string
	}{
		{"require tokens", acct1, id, MetadataOptionsRequest{HTTPTokens: "required"},
			MetadataOptions{"required", "enabled", 1, false}, "required/enabled", ""},
		{"hop limit only keeps tokens", acct1, id, MetadataOptionsRequest{HopLimit: hop(3)},
			MetadataOptions{"required", "enabled", 3, false}, "required/enabled", ""},
		{"disable endpoint", acct1, id, MetadataOptionsRequest{HTTPEndpoint: "disabled", HTTPTokens: "optional"},
			MetadataOptions{"optional", "disabled", 3, false}, "optional/disabled", ""},
		{"bad value changes nothing", acct1, id, MetadataOptionsRequest{HTTPTokens: "always"},
			MetadataOptions{"optional", "disabled", 3, false}, "optional/disabled", ec2err.InvalidParameterValue},
		{"other account", acct2, id, MetadataOptionsRequest{HTTPTokens: "required"},
			MetadataOptions{"optional", "disabled", 3, false}, "optional/disabled", "InvalidInstanceID.NotFound"},
		{"terminated", acct1, gone, MetadataOptionsRequest{HTTPTokens: "required"},
			MetadataOptions{"optional", "enabled", 1, false}, "", ec2err.IncorrectInstanceState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.svc.ModifyInstanceMetadataOptions(ctxFor(tt.acct), tt.id, tt.req, false)
			if tt.code != "" {
				var e *ec2err.Error
				if !errors.As(err, &e) || e.Code != tt.code {
					t.Fatalf("modify: %v, want %s", err, tt.code)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("modify: %+v %v, want %+v", got, err, tt.want)
			}
			if s := r.get(t, tt.id).Metadata.WithDefaults(); s != tt.want {
				t.Errorf("stored %+v, want %+v", s, tt.want)
			}
			if a := r.agents["lab-1a"].metadata[tt.id]; a != tt.agent {
				t.Errorf("host told %q, want %q", a, tt.agent)
			}
		})
	}
	if _, err := r.svc.ModifyInstanceMetadataOptions(ctxFor(acct1), id, MetadataOptionsRequest{HTTPTokens: "required"}, true); !isCode(err, "DryRunOperation") {
		t.Errorf("dry run: %v", err)
	}
	if s := r.get(t, id).Metadata.HTTPTokens; s != "optional" {
		t.Errorf("dry run changed HttpTokens to %s", s)
	}
}

func isCode(err error, code string) bool {
	var e *ec2err.Error
	return errors.As(err, &e) && e.Code == code
}

// TestMetadataOptionsReachAHostThatWasDown: a Modify while the host does
// not answer is stored as unpushed; the next reconcile pass pushes it and
// clears the mark.
func TestMetadataOptionsReachAHostThatWasDown(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	ag := r.agents["lab-1a"]
	ag.mu.Lock()
	ag.metadataDown = true
	ag.mu.Unlock()
	if _, err := r.svc.ModifyInstanceMetadataOptions(ctxFor(acct1), id, MetadataOptionsRequest{HTTPTokens: "required"}, false); err != nil {
		t.Fatal(err)
	}
	if m := r.get(t, id).Metadata; !m.Unpushed || ag.metadata[id] == "required/enabled" {
		t.Fatalf("after a Modify the host missed: stored %+v, host has %q", m, ag.metadata[id])
	}
	ag.mu.Lock()
	ag.metadataDown = false
	ag.mu.Unlock()
	r.svc.reconcileOnce(context.Background())
	if m := r.get(t, id).Metadata; m.Unpushed || ag.metadata[id] != "required/enabled" {
		t.Errorf("after a reconcile: stored %+v, host has %q, want pushed required/enabled", m, ag.metadata[id])
	}
}
