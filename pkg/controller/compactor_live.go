package controller

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Live merges: a running instance's QEMU owns its volume's head, so only
// QEMU may write there. The agent of the instance's host streams the
// layers between the head and the new backing into the head (libvirt
// block stream); QEMU then closes them and the file collector removes the
// hidden ones. QEMU holds the keys of encrypted volumes already, so their
// chains merge live too.

// liveMergeTimeout bounds one live merge (the volume and instance stay
// locked meanwhile). A stream cut short is aborted by the agent; the data
// it copied stays in the head, so the next pass has less to copy.
const liveMergeTimeout = 5 * time.Minute

// overlays reports a chain whose head is head, directly on backing ("" for
// a standalone head).
func overlays(chain []string, head, backing string) bool {
	want := []string{head}
	if backing != "" {
		want = append(want, backing)
	}
	return len(chain) >= len(want) && slices.Equal(chain[:len(want)], want) && (backing != "" || len(chain) == 1)
}

// mergeLive has the agent of in's host perform st on the running instance
// and checks the chain it reports.
func (s *Service) mergeLive(ctx context.Context, az string, st mergeStep, volID string, in Instance) error {
	ag, err := s.agent(in.HostID)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, liveMergeTimeout)
	defer cancel()
	start := time.Now()
	res, err := ag.StreamVolume(ctx, in.ID, st.Child, st.NewBacking)
	if err != nil {
		return fmt.Errorf("live merge of %s on %s: %w", st.Child, in.ID, err)
	}
	if !overlays(res.Chain, st.Child, st.NewBacking) {
		return fmt.Errorf("live merge of %s onto %q: agent reports chain %v", st.Child, st.NewBacking, res.Chain)
	}
	s.log.Info("compactor: merged layers live", "az", az, "child", st.Child, "onto", st.NewBacking,
		"merged", st.Skip, "reason", st.Reason, "volume", volID, "instance", in.ID, "took", time.Since(start))
	return nil
}
