package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// liveEncryptedSnapshots allows snapshots of encrypted volumes attached to
// running instances: the agent creates the new head encrypted with the
// volume's key and gives libvirt the disk's <encryption> for it.
const liveEncryptedSnapshots = true

// checkEncryptedSnapshot (when liveEncryptedSnapshots is off) refuses a snapshot of an encrypted volume while it
// is attached to a running instance: a live (external) snapshot would need
// libvirt to create the new head encrypted, which this region does not do
// yet. Offline snapshots (detached, or attached to a stopped instance)
// freeze the head and create the new head encrypted with the same key.
func (s *Service) checkEncryptedSnapshot(ctx context.Context, v Volume) error {
	if liveEncryptedSnapshots || !v.Encrypted || v.Attachment == nil {
		return nil
	}
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+v.Attachment.InstanceID)
	if err != nil {
		return nil
	}
	switch in.State {
	case StateStopped, StateTerminated:
		return nil
	}
	return ec2err.New(ec2err.IncorrectState,
		"Volume '%s' is encrypted and attached to instance '%s' (%s): live snapshots of encrypted volumes are not supported; stop the instance or detach the volume first",
		v.ID, in.ID, in.State)
}
