package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// instanceSpec is what the agent keeps per instance in specs/<id>.json: the
// domain spec it last defined, plus what libvirt does not record. Keys are
// never written here (libvirt keeps them as secrets).
type instanceSpec struct {
	Domain    hypervisor.DomainSpec
	Dedicated bool    // PinnedCPUs are reallocated on each start
	GPUCount  int     // GPUs are reallocated on each start
	Ephemeral []int64 // instance-store disk sizes, in order
}

func (a *Agent) saveSpec(id string, s *instanceSpec) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("spec of %s: %w", id, err)
	}
	tmp := a.specPath(id) + ".tmp"
	if err := fsmode.WriteFile(tmp, b, fsmode.File); err != nil {
		return fmt.Errorf("save spec of %s: %w", id, err)
	}
	if err := os.Rename(tmp, a.specPath(id)); err != nil {
		return fmt.Errorf("save spec of %s: %w", id, err)
	}
	return nil
}

// loadSpec reads the spec; a missing one is instanceNotFound.
func (a *Agent) loadSpec(id string) (*instanceSpec, error) {
	b, err := os.ReadFile(a.specPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, instanceNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("load spec of %s: %w", id, err)
	}
	var s instanceSpec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parse spec of %s: %w", id, err)
	}
	return &s, nil
}

// editSpec applies edit to the saved spec (disks changed by attach, detach,
// snapshot, iotune) so a later redefinition keeps them.
func (a *Agent) editSpec(id string, edit func(*instanceSpec)) error {
	s, err := a.loadSpec(id)
	if err != nil {
		return err
	}
	edit(s)
	return a.saveSpec(id, s)
}

// define (re)defines the domain from the spec, reallocating dedicated CPUs
// and GPUs when other domains took them meanwhile.
func (a *Agent) define(ctx context.Context, id string, s *instanceSpec) error {
	a.allocMu.Lock()
	defer a.allocMu.Unlock()
	if err := a.allocate(ctx, s); err != nil {
		return err
	}
	if err := a.saveSpec(id, s); err != nil {
		return err
	}
	return a.hv.Define(ctx, s.Domain)
}
