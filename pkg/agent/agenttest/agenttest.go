// Package agenttest is a conformance suite for implementations of the agent
// API (ec2lab.agent.v1 Host): the contract the controller relies on, with
// errors compared by EC2 code. The real agent (pkg/agent, over in-process
// gRPC on a real libvirtd) is the reference and runs the suite in its
// integration tests; the controller's fake agent runs the same suite in its
// unit tests, so the fake cannot drift from what a host does.
//
// The suite boots one instance (three boots: create, reboot, start) and
// defines one more without booting it; everything else only reads them or
// touches volume files.
package agenttest

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Harness is one agent under test.
type Harness struct {
	// Client reaches the agent. Errors must reach the suite as
	// *ec2err.Error (over gRPC: errgrpc's interceptors on both ends).
	Client agentv1.HostClient
	// Instance returns a request for a bootable instance with the given ID
	// whose root disk (Disks[0], a file in the shared pool) exists, made
	// for that ID (calls with the same ID may share it). The suite sets
	// Start itself.
	Instance func(t *testing.T, id string) *agentv1.CreateInstanceRequest
	// Timeout bounds the whole suite (default 5 minutes).
	Timeout time.Duration
}

// Instance and volume names the suite uses (an agent is expected to be
// otherwise empty, as a fresh test agent is).
const (
	lifecycleID = "i-0c0f0000000000001"
	definedID   = "i-0c0f0000000000002"
	brokenID    = "i-0c0f0000000000003"
	unknownID   = "i-0c0f000000000dead"
	dataVolume  = "vol-0c0f0000000000001.qcow2"
	otherVolume = "vol-0c0f0000000000002.qcow2"
	volumeSize  = 64 << 20
)

// RunConformance runs the suite against h.
func RunConformance(t *testing.T, h Harness) {
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s := &suite{h: h, c: h.Client}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, id := range []string{lifecycleID, definedID, brokenID} {
			_, _ = s.c.DestroyInstance(cctx, &agentv1.InstanceRef{InstanceId: id})
		}
	})
	t.Run("unknown instance", func(t *testing.T) { s.unknownInstance(ctx, t, unknownID) })
	t.Run("missing parameters", func(t *testing.T) { s.missingParameters(ctx, t) })
	t.Run("volumes", func(t *testing.T) { s.volumes(ctx, t) })
	t.Run("create without start", func(t *testing.T) { s.createStopped(ctx, t) })
	t.Run("create with a missing root disk", func(t *testing.T) { s.createBroken(ctx, t) })
	t.Run("lifecycle", func(t *testing.T) { s.lifecycle(ctx, t) })
}

type suite struct {
	h Harness
	c agentv1.HostClient
}

// code is err's EC2 code, "" for no error.
func code(err error) string {
	if err == nil {
		return ""
	}
	return ec2err.Code(err)
}

// wantCode fails t unless err carries the EC2 code want ("" for success).
func wantCode(t *testing.T, what string, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		if want == "" {
			want = "success"
		}
		t.Errorf("%s = %v (code %q), want %s", what, err, code(err), want)
	}
}

// listed is id's entry in ListInstances (nil when absent; t fails when it
// is listed more than once).
func (s *suite) listed(ctx context.Context, t *testing.T, id string) *agentv1.InstanceStatus {
	t.Helper()
	list, err := s.c.ListInstances(ctx, &agentv1.ListInstancesRequest{})
	if err != nil {
		t.Fatalf("ListInstances: %v", err)
	}
	var found *agentv1.InstanceStatus
	for _, st := range list.GetInstances() {
		if st.GetInstanceId() != id {
			continue
		}
		if found != nil {
			t.Errorf("ListInstances lists %s twice: %v", id, list.GetInstances())
		}
		found = st
	}
	return found
}

// wantListed fails t unless ListInstances shows id in state (absent for "").
func (s *suite) wantListed(ctx context.Context, t *testing.T, id, state string) {
	t.Helper()
	st := s.listed(ctx, t, id)
	switch {
	case state == "" && st != nil:
		t.Errorf("ListInstances still shows %s (%s)", id, st.GetState())
	case state != "" && st == nil:
		t.Errorf("ListInstances lacks %s, want it %s", id, state)
	case state != "" && st.GetState() != state:
		t.Errorf("ListInstances shows %s %s, want %s", id, st.GetState(), state)
	}
}

// unknownInstance: every operation on an instance the host does not have
// answers InvalidInstanceID.NotFound, except DestroyInstance (nothing to
// do is no error), and none of them makes the instance appear.
func (s *suite) unknownInstance(ctx context.Context, t *testing.T, id string) {
	if _, err := s.c.CreateVolume(ctx, &agentv1.CreateVolumeRequest{VolumeId: otherVolume, SizeBytes: volumeSize}); err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	ref := &agentv1.InstanceRef{InstanceId: id}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"StartInstance", func() error { _, err := s.c.StartInstance(ctx, ref); return err }, ec2err.InvalidInstanceIDNotFound},
		{"StopInstance", func() error {
			_, err := s.c.StopInstance(ctx, &agentv1.StopInstanceRequest{InstanceId: id, TimeoutSeconds: 5})
			return err
		}, ec2err.InvalidInstanceIDNotFound},
		{"StopInstance force", func() error {
			_, err := s.c.StopInstance(ctx, &agentv1.StopInstanceRequest{InstanceId: id, Force: true})
			return err
		}, ec2err.InvalidInstanceIDNotFound},
		{"RebootInstance", func() error { _, err := s.c.RebootInstance(ctx, ref); return err }, ec2err.InvalidInstanceIDNotFound},
		{"AttachVolume", func() error {
			_, err := s.c.AttachVolume(ctx, &agentv1.AttachVolumeRequest{InstanceId: id,
				Disk: &agentv1.Disk{VolumeId: "vol-0c0f0000000000002", Path: otherVolume}})
			return err
		}, ec2err.InvalidInstanceIDNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.name+"("+id+")", tt.call(), tt.want) })
	}
	s.wantListed(ctx, t, id, "")
	_, err := s.c.DestroyInstance(ctx, ref)
	wantCode(t, "DestroyInstance("+id+")", err, "")
	if _, err := s.c.DeleteVolume(ctx, &agentv1.VolumeRef{VolumeId: otherVolume}); err != nil {
		t.Errorf("DeleteVolume: %v", err)
	}
}

// missingParameters: requests without an instance ID (or a disk to
// attach) are refused and make nothing.
func (s *suite) missingParameters(ctx context.Context, t *testing.T) {
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"DestroyInstance", func() error { _, err := s.c.DestroyInstance(ctx, &agentv1.InstanceRef{}); return err }, ec2err.MissingParameter},
		{"CreateInstance", func() error {
			req := s.h.Instance(t, definedID)
			req.InstanceId = ""
			_, err := s.c.CreateInstance(ctx, req)
			return err
		}, ec2err.MissingParameter},
		{"AttachVolume without a disk", func() error {
			_, err := s.c.AttachVolume(ctx, &agentv1.AttachVolumeRequest{InstanceId: definedID})
			return err
		}, ec2err.MissingParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.name, tt.call(), tt.want) })
	}
	s.wantListed(ctx, t, "", "")
	s.wantListed(ctx, t, definedID, "")
}

// volumes: create (idempotent), inspect, delete (only the named file;
// idempotent), and a deleted or never-made volume is
// InvalidVolume.NotFound.
func (s *suite) volumes(ctx context.Context, t *testing.T) {
	create := &agentv1.CreateVolumeRequest{VolumeId: dataVolume, SizeBytes: volumeSize}
	for i := range 2 { // the second create is a retry of one that succeeded
		info, err := s.c.CreateVolume(ctx, create)
		if err != nil {
			t.Fatalf("CreateVolume #%d: %v", i+1, err)
		}
		if info.GetVolumeId() != dataVolume || info.GetVirtualSize() != volumeSize {
			t.Errorf("CreateVolume #%d = %v, want %s of %d bytes", i+1, info, dataVolume, volumeSize)
		}
	}
	info, err := s.c.InspectVolume(ctx, &agentv1.VolumeRef{VolumeId: dataVolume})
	if err != nil || info.GetVolumeId() != dataVolume || info.GetVirtualSize() != volumeSize {
		t.Errorf("InspectVolume = %v, %v; want %s of %d bytes", info, err, dataVolume, volumeSize)
	}
	// A file whose name begins with the volume's is another file.
	longer := dataVolume + ".keep"
	if _, err := s.c.CreateVolume(ctx, &agentv1.CreateVolumeRequest{VolumeId: longer, SizeBytes: volumeSize}); err != nil {
		t.Fatalf("CreateVolume %s: %v", longer, err)
	}
	for i := range 2 { // deleting a deleted volume is no error
		if _, err := s.c.DeleteVolume(ctx, &agentv1.VolumeRef{VolumeId: dataVolume}); err != nil {
			t.Errorf("DeleteVolume #%d: %v", i+1, err)
		}
	}
	tests := []struct {
		name, volume, want string
	}{
		{"deleted", dataVolume, ec2err.InvalidVolumeNotFound},
		{"never created", "vol-0c0f000000000dead.qcow2", ec2err.InvalidVolumeNotFound},
		{"name with a deleted one's prefix", longer, ""},
	}
	for _, tt := range tests {
		t.Run("InspectVolume "+tt.name, func(t *testing.T) {
			_, err := s.c.InspectVolume(ctx, &agentv1.VolumeRef{VolumeId: tt.volume})
			wantCode(t, "InspectVolume("+tt.volume+")", err, tt.want)
		})
	}
	if _, err := s.c.DeleteVolume(ctx, &agentv1.VolumeRef{VolumeId: longer}); err != nil {
		t.Errorf("DeleteVolume %s: %v", longer, err)
	}
}

// createStopped: CreateInstance with start=false defines a stopped
// instance (the controller then calls StartInstance).
func (s *suite) createStopped(ctx context.Context, t *testing.T) {
	req := s.h.Instance(t, definedID)
	req.Start = false
	st, err := s.c.CreateInstance(ctx, req)
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	if st.GetInstanceId() != definedID || st.GetState() != "stopped" {
		t.Errorf("CreateInstance = %v, want %s stopped", st, definedID)
	}
	s.wantListed(ctx, t, definedID, "stopped")
	if _, err := s.c.DestroyInstance(ctx, &agentv1.InstanceRef{InstanceId: definedID}); err != nil {
		t.Fatalf("DestroyInstance: %v", err)
	}
	s.wantListed(ctx, t, definedID, "")
}

// createBroken: a create whose root disk does not exist fails and leaves
// no instance behind.
func (s *suite) createBroken(ctx context.Context, t *testing.T) {
	req := s.h.Instance(t, brokenID)
	req.Start = true
	req.Disks[0].Path = "vol-0c0f00000000absent.qcow2"
	if _, err := s.c.CreateInstance(ctx, req); err == nil {
		t.Errorf("CreateInstance with a missing root disk succeeded")
	}
	s.wantListed(ctx, t, brokenID, "")
}

// lifecycle drives one booted instance through create (twice), start,
// reboot, stop (twice), start and destroy (twice).
func (s *suite) lifecycle(ctx context.Context, t *testing.T) {
	id := lifecycleID
	ref := &agentv1.InstanceRef{InstanceId: id}
	req := s.h.Instance(t, id)
	req.Start = true
	root := req.Disks[0].GetPath()
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow() // later steps build on this one
		}
	}
	wantStatus := func(t *testing.T, what string, st *agentv1.InstanceStatus, err error, state string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if st.GetInstanceId() != id || st.GetState() != state {
			t.Fatalf("%s = %v, want %s %s", what, st, id, state)
		}
	}
	step("create boots it", func(t *testing.T) {
		st, err := s.c.CreateInstance(ctx, req)
		wantStatus(t, "CreateInstance", st, err, "running")
		if st.GetDomainType() == "" {
			t.Errorf("CreateInstance reports no domain type: %v", st)
		}
		s.wantListed(ctx, t, id, "running")
	})
	step("create is idempotent", func(t *testing.T) {
		st, err := s.c.CreateInstance(ctx, req)
		wantStatus(t, "second CreateInstance", st, err, "running")
		s.wantListed(ctx, t, id, "running") // and only once
	})
	step("start of a running instance", func(t *testing.T) {
		st, err := s.c.StartInstance(ctx, ref)
		wantStatus(t, "StartInstance", st, err, "running")
	})
	step("reboot", func(t *testing.T) {
		st, err := s.c.RebootInstance(ctx, ref)
		wantStatus(t, "RebootInstance", st, err, "running")
		s.wantListed(ctx, t, id, "running")
	})
	step("stop", func(t *testing.T) {
		st, err := s.c.StopInstance(ctx, &agentv1.StopInstanceRequest{InstanceId: id, Force: true})
		wantStatus(t, "StopInstance", st, err, "stopped")
		s.wantListed(ctx, t, id, "stopped")
	})
	step("stopped instance", func(t *testing.T) {
		tests := []struct {
			name string
			call func() error
			want string
		}{
			{"StopInstance again", func() error {
				_, err := s.c.StopInstance(ctx, &agentv1.StopInstanceRequest{InstanceId: id, TimeoutSeconds: 5})
				return err
			}, ""},
			{"RebootInstance", func() error { _, err := s.c.RebootInstance(ctx, ref); return err }, ec2err.IncorrectInstanceState},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.name, tt.call(), tt.want) })
		}
		s.wantListed(ctx, t, id, "stopped")
	})
	step("start", func(t *testing.T) {
		st, err := s.c.StartInstance(ctx, ref)
		wantStatus(t, "StartInstance", st, err, "running")
		if st.GetDomainType() == "" {
			t.Errorf("StartInstance reports no domain type: %v", st)
		}
		s.wantListed(ctx, t, id, "running")
	})
	step("destroy", func(t *testing.T) {
		for i := range 2 { // the second call checks idempotence
			if _, err := s.c.DestroyInstance(ctx, ref); err != nil {
				t.Fatalf("DestroyInstance #%d: %v", i+1, err)
			}
		}
		s.wantListed(ctx, t, id, "")
		if _, err := s.c.InspectVolume(ctx, &agentv1.VolumeRef{VolumeId: root}); err != nil {
			t.Errorf("the root volume did not survive DestroyInstance (EBS volumes stay): %v", err)
		}
	})
	t.Run("destroyed instance is unknown", func(t *testing.T) { s.unknownInstance(ctx, t, id) })
}
