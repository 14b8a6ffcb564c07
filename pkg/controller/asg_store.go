package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// errNoChange ends a mutateGroup without writing anything.
var errNoChange = errors.New("no change")

// mutateGroup reads the group at key, applies fn and writes it back, with
// the activities fn returns (new ones, or ones it moved on), in one
// transaction checked against the group's revision; a conflict reads
// again. fn returning errNoChange writes nothing and is no error.
func (s *Service) mutateGroup(ctx context.Context, key string, fn func(*AutoScalingGroup) ([]ScalingActivity, error)) (AutoScalingGroup, error) {
	for attempt := 0; ; attempt++ {
		g, rev, err := store.GetJSON[AutoScalingGroup](ctx, s.st, key)
		if err != nil {
			return g, err
		}
		acts, err := fn(&g)
		if errors.Is(err, errNoChange) {
			return g, nil
		} else if err != nil {
			return g, err
		}
		op, err := store.PutJSON(key, g, rev)
		if err != nil {
			return g, err
		}
		ops := []store.Op{op}
		for _, a := range acts {
			aop, err := store.PutJSON(activityKey(a), a, store.AnyRevision)
			if err != nil {
				return g, err
			}
			ops = append(ops, aop)
		}
		if _, err := s.st.Txn(ctx, ops...); err == nil {
			return g, nil
		} else if !errors.Is(err, store.ErrConflict) || attempt > 50 {
			return g, fmt.Errorf("update auto scaling group %s: %w", g.Name, err)
		}
	}
}

// finishActivity moves an activity to its end (Successful or Failed).
func (s *Service) finishActivity(a *ScalingActivity, code, message string) {
	a.StatusCode, a.StatusMessage, a.Progress, a.EndTime = code, message, 100, s.now().UTC()
}

// activity reads one activity of g.
func (s *Service) activity(ctx context.Context, g AutoScalingGroup, id string) (ScalingActivity, bool) {
	acts, err := store.ListJSON[ScalingActivity](ctx, s.st, activityPrefix(g.Owner, g.Name))
	if err != nil {
		return ScalingActivity{}, false
	}
	for _, a := range acts {
		if a.ID == id {
			return a, true
		}
	}
	return ScalingActivity{}, false
}

// newActivity starts an activity of g, in progress.
func (s *Service) newActivity(g AutoScalingGroup, description, cause, details string) ScalingActivity {
	return ScalingActivity{ID: newUUID(), Owner: g.Owner, Group: g.Name, GroupARN: g.ARN, Description: description,
		Cause: cause, StartTime: s.now().UTC(), StatusCode: ActivityInProgress, Details: details}
}
