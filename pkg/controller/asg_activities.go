package controller

import (
	"context"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// A group keeps its finished scaling activities for six weeks, as AWS
// does, and at most maxActivitiesPerGroup of them (a group whose launches
// keep failing adds one a minute); activities in progress always stay.
const (
	activityRetention     = 6 * 7 * 24 * time.Hour
	maxActivitiesPerGroup = 1000
	activityPruneInterval = time.Minute
)

// activityPruner spaces out the pruning passes of this process.
type activityPruner struct {
	mu   sync.Mutex
	last time.Time
}

// pruneActivities drops the finished activities of every group that are
// older than the retention or beyond the newest maxActivitiesPerGroup,
// at most once per activityPruneInterval.
func (s *Service) pruneActivities(ctx context.Context, groups []AutoScalingGroup) {
	s.asgPrune.mu.Lock()
	due := s.now().Sub(s.asgPrune.last) >= activityPruneInterval
	if due {
		s.asgPrune.last = s.now()
	}
	s.asgPrune.mu.Unlock()
	if !due {
		return
	}
	for _, g := range groups {
		if err := s.pruneGroupActivities(ctx, g); err != nil {
			s.log.Warn("prune scaling activities", "group", g.Name, "account", g.Owner, "err", err)
		}
	}
}

func (s *Service) pruneGroupActivities(ctx context.Context, g AutoScalingGroup) error {
	acts, err := store.ListJSON[ScalingActivity](ctx, s.st, activityPrefix(g.Owner, g.Name))
	if err != nil {
		return err
	}
	// keys sort by start time: the newest are last
	var ops []store.Op
	for i, a := range acts {
		tooMany := len(acts)-i > maxActivitiesPerGroup
		tooOld := s.now().Sub(a.StartTime) > activityRetention
		if a.StatusCode != ActivityInProgress && (tooMany || tooOld) {
			ops = append(ops, store.Op{Key: activityKey(a), Delete: true, ExpectRevision: -1})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	_, err = s.st.Txn(ctx, ops...)
	return err
}
