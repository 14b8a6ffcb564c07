package controller

import (
	"context"
	"slices"
	"sort"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Page sizes of the Auto Scaling describe calls (AWS's defaults and most).
const (
	groupsPage, groupsPageMax         = 50, 100
	instancesPage, instancesPageMax   = 50, 50
	activitiesPage, activitiesPageMax = 100, 100
)

// asgPage checks MaxRecords and fills its default.
func asgPage(p Page, def, most int) (Page, error) {
	if p.MaxResults < 0 || p.MaxResults > most {
		return p, validationError("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to %d", p.MaxResults, most)
	}
	if p.MaxResults == 0 {
		p.MaxResults = def
	}
	return p, nil
}

// pageOf is paginate with Auto Scaling's error for a bad token.
func pageOf(keys []string, p Page) ([]string, string, error) {
	page, next, err := paginate(keys, p)
	if err != nil {
		return nil, "", ec2err.New(ec2err.InvalidNextToken, "The token '%s' is invalid.", p.NextToken)
	}
	return page, next, nil
}

// DescribeAutoScalingGroups lists the caller's groups (names: only
// those; a name that does not exist is left out), by name.
func (s *Service) DescribeAutoScalingGroups(ctx context.Context, names []string, p Page) ([]AutoScalingGroup, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if p, err = asgPage(p, groupsPage, groupsPageMax); err != nil {
		return nil, "", err
	}
	gs, err := store.ListJSON[AutoScalingGroup](ctx, s.st, prefixASG+acct+"/")
	if err != nil {
		return nil, "", err
	}
	byName := map[string]AutoScalingGroup{}
	var keys []string
	for _, g := range gs {
		if len(names) == 0 || slices.Contains(names, g.Name) {
			byName[g.Name] = g
			keys = append(keys, g.Name)
		}
	}
	sort.Strings(keys)
	page, next, err := pageOf(keys, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]AutoScalingGroup, len(page))
	for i, k := range page {
		out[i] = byName[k]
	}
	return out, next, nil
}

// GroupInstance is a member with its group's name
// (DescribeAutoScalingInstances).
type GroupInstance struct {
	GroupMember
	Group string
}

// DescribeAutoScalingInstances lists the instances of the caller's
// groups (ids: only those), by instance ID.
func (s *Service) DescribeAutoScalingInstances(ctx context.Context, ids []string, p Page) ([]GroupInstance, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if p, err = asgPage(p, instancesPage, instancesPageMax); err != nil {
		return nil, "", err
	}
	gs, err := store.ListJSON[AutoScalingGroup](ctx, s.st, prefixASG+acct+"/")
	if err != nil {
		return nil, "", err
	}
	byID := map[string]GroupInstance{}
	var keys []string
	for _, g := range gs {
		for _, m := range g.Instances {
			if len(ids) == 0 || slices.Contains(ids, m.ID) {
				byID[m.ID] = GroupInstance{GroupMember: m, Group: g.Name}
				keys = append(keys, m.ID)
			}
		}
	}
	sort.Strings(keys)
	page, next, err := pageOf(keys, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]GroupInstance, len(page))
	for i, k := range page {
		out[i] = byID[k]
	}
	return out, next, nil
}

// DescribeScalingActivities lists the activities of the caller's groups
// (group: of that one; ids: only those), newest first.
func (s *Service) DescribeScalingActivities(ctx context.Context, group string, ids []string, p Page) ([]ScalingActivity, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if p, err = asgPage(p, activitiesPage, activitiesPageMax); err != nil {
		return nil, "", err
	}
	prefix := prefixASGActivity + acct + "/"
	if group != "" {
		if _, _, err := s.ownASG(ctx, acct, group); err != nil {
			return nil, "", err
		}
		prefix = activityPrefix(acct, group)
	}
	acts, err := store.ListJSON[ScalingActivity](ctx, s.st, prefix)
	if err != nil {
		return nil, "", err
	}
	byKey := map[string]ScalingActivity{}
	var keys []string
	for _, a := range acts {
		if len(ids) > 0 && !slices.Contains(ids, a.ID) {
			continue
		}
		k := newestFirstKey(a)
		byKey[k] = a
		keys = append(keys, k)
	}
	sort.Strings(keys)
	page, next, err := pageOf(keys, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]ScalingActivity, len(page))
	for i, k := range page {
		out[i] = byKey[k]
	}
	return out, next, nil
}

// newestFirstKey sorts activities newest first (then by ID).
func newestFirstKey(a ScalingActivity) string {
	const far = int64(1) << 62
	return padInt(far-a.StartTime.UnixNano()) + "/" + a.ID
}

func padInt(n int64) string {
	b := []byte("0000000000000000000")
	for i := len(b) - 1; i >= 0 && n > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}
