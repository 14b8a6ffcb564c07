package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// InstanceTopology is where a running instance sits in the network, as
// DescribeInstanceTopology answers it: three network nodes, top to
// bottom — the region's (every zone's hosts reach each other through it),
// its zone's (its hosts share one VXLAN fabric) and its host's. Node IDs
// are hashed with the account, as EC2's are, so that two accounts cannot
// tell they share a host.
type InstanceTopology struct {
	InstanceID, InstanceType, GroupName, AZ, ZoneID string
	NetworkNodes                                    []string
}

// TopologyRequest is DescribeInstanceTopology's input; filters are
// availability-zone, instance-type and zone-id.
type TopologyRequest struct {
	InstanceIDs, GroupNames []string
	Filters                 []Filter
	Page                    Page
	DryRun                  bool
}

// maxTopologyNames bounds InstanceId.N and GroupName.N (EC2's limit).
const maxTopologyNames = 100

// DescribeInstanceTopology answers the topology of the caller's running
// instances (those asked for, or in the placement groups named), every
// instance type included, sorted by ID.
func (s *Service) DescribeInstanceTopology(ctx context.Context, req TopologyRequest) ([]InstanceTopology, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkTopologyRequest(req); err != nil {
		return nil, "", err
	}
	insts, err := s.ownedInstances(ctx, acct, req.InstanceIDs)
	if err != nil {
		return nil, "", err
	}
	if req.DryRun {
		return nil, "", DryRun()
	}
	byID := map[string]InstanceTopology{}
	for _, in := range insts {
		if in.State != StateRunning || in.HostID == "" ||
			len(req.GroupNames) > 0 && !contains(req.GroupNames, in.PlacementGroup) {
			continue
		}
		it := s.topologyOf(acct, in)
		if ok, _ := matches(req.Filters, it.field); ok {
			byID[in.ID] = it
		}
	}
	sorted := make([]string, 0, len(byID))
	for id := range byID {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	page, next, err := paginate(sorted, req.Page)
	if err != nil {
		return nil, "", err
	}
	out := make([]InstanceTopology, len(page))
	for i, id := range page {
		out[i] = byID[id]
	}
	return out, next, nil
}

// checkTopologyRequest refuses what EC2 refuses: too many names, a page
// size out of 1 to 100, an unknown filter.
func checkTopologyRequest(req TopologyRequest) error {
	if len(req.InstanceIDs) > maxTopologyNames || len(req.GroupNames) > maxTopologyNames {
		return ec2err.New(ec2err.InvalidParameterValue, "At most %d instance IDs and %d group names can be given", maxTopologyNames, maxTopologyNames)
	}
	if err := checkMaxResults(req.Page, false, 1, 100); err != nil {
		return err
	}
	for _, f := range req.Filters {
		if _, ok := (InstanceTopology{}).field(f.Name); !ok {
			return ec2err.New(ec2err.InvalidParameterValue, "The filter '%s' is invalid", f.Name)
		}
	}
	return nil
}

// topologyOf places in under the region, its zone and its host.
func (s *Service) topologyOf(acct string, in Instance) InstanceTopology {
	it := InstanceTopology{InstanceID: in.ID, InstanceType: in.Type, GroupName: in.PlacementGroup, AZ: in.AZ}
	if z, ok := s.cfg.Zone(in.AZ); ok {
		it.ZoneID = z.ID
	}
	for _, key := range []string{"region/" + s.cfg.Region, "zone/" + in.AZ, "host/" + in.HostID} {
		it.NetworkNodes = append(it.NetworkNodes, networkNode(acct, key))
	}
	return it
}

// networkNode is a node's ID as acct sees it: "nn-" and 17 hex digits.
func networkNode(acct, key string) string {
	sum := sha256.Sum256([]byte(acct + "\x00" + key))
	return "nn-" + hex.EncodeToString(sum[:])[:17]
}

// field answers DescribeInstanceTopology's filters.
func (it InstanceTopology) field(name string) ([]string, bool) {
	switch name {
	case "availability-zone":
		return []string{it.AZ}, true
	case "instance-type":
		return []string{it.InstanceType}, true
	case "zone-id":
		return []string{it.ZoneID}, true
	}
	return nil, false
}
