package controller

import (
	"context"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/scheduler"
	"github.com/ec2lab/ec2lab/pkg/store"
)

const prefixPlacementGroup = "/placementgroups/"

// PlacementGroup is the record of one account's placement group; the
// scheduler (pkg/scheduler) enforces its strategy at launch.
type PlacementGroup struct {
	ID             string    `json:"id"`
	Owner          string    `json:"owner"`
	Name           string    `json:"name"`
	Strategy       string    `json:"strategy"`
	PartitionCount int       `json:"partition_count,omitempty"`
	State          string    `json:"state"`
	CreateTime     time.Time `json:"create_time"`
	Tags           []Tag     `json:"tags,omitempty"`
	// ARN is computed on read: arn:aws:ec2:REGION:ACCOUNT:placement-group/NAME.
	ARN string `json:"-"`
}

// placementGroupWithARN fills a placement group record's ARN.
func (s *Service) placementGroupWithARN(g PlacementGroup) PlacementGroup {
	g.ARN = "arn:aws:ec2:" + s.cfg.Region + ":" + g.Owner + ":placement-group/" + g.Name
	return g
}

func placementGroupKey(acct, name string) string { return prefixPlacementGroup + acct + "/" + name }

// schedulerGroupKey names a group in scheduler.Host maps: group names are
// per account, the scheduler's maps are region-wide.
func schedulerGroupKey(acct, name string) string { return acct + "/" + name }

// CreatePlacementGroup records a new group of strategy cluster, spread or
// partition (partitionCount 1..7, default 2).
func (s *Service) CreatePlacementGroup(ctx context.Context, name, strategy string, partitionCount int, tags []Tag, dryRun bool) (PlacementGroup, error) {
	acct, err := account(ctx)
	if err != nil {
		return PlacementGroup{}, err
	}
	if err := checkPlacementGroup(name, strategy, &partitionCount); err != nil {
		return PlacementGroup{}, err
	}
	if _, err := s.st.Get(ctx, placementGroupKey(acct, name)); err == nil {
		return PlacementGroup{}, placementGroupDuplicate(name)
	}
	if dryRun {
		return PlacementGroup{}, DryRun()
	}
	pg := PlacementGroup{ID: ids.New(ids.PlacementGroup), Owner: acct, Name: name, Strategy: strategy,
		PartitionCount: partitionCount, State: "available", CreateTime: s.now().UTC(), Tags: tags}
	op, err := store.PutJSON(placementGroupKey(acct, name), pg, 0)
	if err != nil {
		return PlacementGroup{}, err
	}
	if _, err := s.st.Txn(ctx, op); err != nil {
		return PlacementGroup{}, placementGroupDuplicate(name)
	}
	return s.placementGroupWithARN(pg), nil
}

func checkPlacementGroup(name, strategy string, partitions *int) error {
	if name == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter GroupName")
	}
	if len(name) > 255 || strings.ContainsAny(name, "/\n") {
		return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for GroupName.", name)
	}
	switch strategy {
	case scheduler.GroupCluster, scheduler.GroupSpread:
		if *partitions != 0 {
			return ec2err.New(ec2err.InvalidParameterValue, "PartitionCount is only valid for the partition strategy.")
		}
	case scheduler.GroupPartition:
		if *partitions == 0 {
			*partitions = 2
		}
		if *partitions < 1 || *partitions > scheduler.MaxPartitions {
			return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%d' for PartitionCount (1..%d).", *partitions, scheduler.MaxPartitions)
		}
	case "":
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Strategy")
	default:
		return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for Strategy (cluster, spread or partition).", strategy)
	}
	return nil
}

func placementGroupDuplicate(name string) error {
	return ec2err.New(ec2err.InvalidPlacementGroupDuplicate, "The Placement Group '%s' already exists.", name)
}

func placementGroupUnknown(name string) error {
	return ec2err.New(ec2err.InvalidPlacementGroupUnknown, "The Placement Group '%s' is unknown.", name)
}

// DescribePlacementGroups lists the caller's groups; a named group or ID
// that does not exist is InvalidPlacementGroup.Unknown.
func (s *Service) DescribePlacementGroups(ctx context.Context, names, groupIDs []string, filters []Filter) ([]PlacementGroup, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	all, err := store.ListJSON[PlacementGroup](ctx, s.st, prefixPlacementGroup+acct+"/")
	if err != nil {
		return nil, err
	}
	var out []PlacementGroup
	for _, g := range all {
		if (len(names) > 0 && !contains(names, g.Name)) || (len(groupIDs) > 0 && !contains(groupIDs, g.ID)) {
			continue
		}
		ok, err := matches(filters, func(n string) ([]string, bool) { return placementGroupField(g, n) })
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s.placementGroupWithARN(g))
		}
	}
	for _, n := range names {
		if !containsFunc(out, func(g PlacementGroup) bool { return g.Name == n }) {
			return nil, placementGroupUnknown(n)
		}
	}
	for _, id := range groupIDs {
		if !containsFunc(out, func(g PlacementGroup) bool { return g.ID == id }) {
			return nil, placementGroupUnknown(id)
		}
	}
	return out, nil
}

func placementGroupField(g PlacementGroup, name string) ([]string, bool) {
	switch name {
	case "group-name":
		return []string{g.Name}, true
	case "group-id":
		return []string{g.ID}, true
	case "strategy":
		return []string{g.Strategy}, true
	case "state":
		return []string{g.State}, true
	}
	return tagField(g.Tags, name)
}

// DeletePlacementGroup deletes an unused group; a group with instances
// that are not terminated is InvalidPlacementGroup.InUse.
func (s *Service) DeletePlacementGroup(ctx context.Context, name string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if name == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter GroupName")
	}
	s.mu.Lock() // against a RunInstances placing into the group
	defer s.mu.Unlock()
	_, rev, err := store.GetJSON[PlacementGroup](ctx, s.st, placementGroupKey(acct, name))
	if err != nil {
		return placementGroupUnknown(name)
	}
	insts, err := s.instancesBy(ctx, "owner", acct)
	if err != nil {
		return err
	}
	for _, in := range insts {
		if in.Owner == acct && in.PlacementGroup == name && in.State != StateTerminated {
			return ec2err.New(ec2err.InvalidPlacementGroupInUse, "The placement group '%s' is in use and may not be deleted.", name)
		}
	}
	if dryRun {
		return DryRun()
	}
	_, err = s.st.Txn(ctx, store.Op{Key: placementGroupKey(acct, name), Delete: true, ExpectRevision: rev})
	return err
}

// launchPlacementGroup resolves RunInstances' Placement.GroupName into the
// scheduler's group (nil without one).
func (s *Service) launchPlacementGroup(ctx context.Context, acct string, req RunRequest) (*scheduler.PlacementGroup, error) {
	if req.PlacementGroup == "" {
		if req.PartitionNumber != 0 {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "PartitionNumber requires a partition placement group.")
		}
		return nil, nil
	}
	g, _, err := store.GetJSON[PlacementGroup](ctx, s.st, placementGroupKey(acct, req.PlacementGroup))
	if err != nil {
		return nil, placementGroupUnknown(req.PlacementGroup)
	}
	if req.PartitionNumber != 0 && (g.Strategy != scheduler.GroupPartition || req.PartitionNumber < 0 || req.PartitionNumber > g.PartitionCount) {
		return nil, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid value '%d' for PartitionNumber of placement group '%s' (%s, %d partitions).",
			req.PartitionNumber, g.Name, g.Strategy, g.PartitionCount)
	}
	return &scheduler.PlacementGroup{Name: schedulerGroupKey(acct, g.Name), Strategy: g.Strategy,
		PartitionCount: g.PartitionCount}, nil
}

// addGroupMember counts in on h's placement-group maps.
func addGroupMember(h *scheduler.Host, in Instance) {
	if in.PlacementGroup == "" {
		return
	}
	key := schedulerGroupKey(in.Owner, in.PlacementGroup)
	if h.PlacementGroups == nil {
		h.PlacementGroups = map[string]int{}
	}
	h.PlacementGroups[key]++
	if in.Partition > 0 {
		if h.Partitions == nil {
			h.Partitions = map[string]int{}
		}
		h.Partitions[key] = in.Partition
	}
}
