package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/scheduler"
)

// Location types of DescribeInstanceTypeOfferings (EC2's LocationType).
const (
	LocationRegion  = "region"
	LocationZone    = "availability-zone"
	LocationZoneID  = "availability-zone-id"
	LocationOutpost = "outpost"
)

// InstanceTypeOffering is one instance type offered in one location.
type InstanceTypeOffering struct {
	InstanceType, LocationType, Location string
}

// OfferingsRequest is DescribeInstanceTypeOfferings' input.
type OfferingsRequest struct {
	// LocationType is region (the default), availability-zone or
	// availability-zone-id.
	LocationType string
	// Filters: instance-type and location.
	Filters []Filter
	Page    Page
	DryRun  bool
}

// InstanceTypeOfferings answers which catalog types each location offers:
// a zone offers a type when one of the hosts registered in it could hold
// an instance of it empty (scheduler.Fits: enough vCPUs under the CPU
// overcommit, memory, CPUs to pin, hugepages, GPUs, local disk), whatever
// is free now; the region offers what any of its zones offers. Offerings
// come in zone order (the configuration's), then catalog order.
func (s *Service) InstanceTypeOfferings(ctx context.Context, req OfferingsRequest) ([]InstanceTypeOffering, string, error) {
	if _, err := account(ctx); err != nil {
		return nil, "", err
	}
	if err := checkLocationType(req.LocationType); err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(req.Page, false, 5, 1000); err != nil {
		return nil, "", err
	}
	offers, err := s.offerings(ctx, req.LocationType)
	if err != nil {
		return nil, "", err
	}
	kept, err := filterOfferings(offers, req.Filters)
	if err != nil {
		return nil, "", err
	}
	if req.DryRun {
		return nil, "", DryRun()
	}
	order := make([]string, len(kept))
	for i, o := range kept {
		order[i] = o.Location + "/" + o.InstanceType
	}
	start, stop, next, err := pageBounds(order, req.Page)
	if err != nil {
		return nil, "", err
	}
	return kept[start:stop], next, nil
}

// checkLocationType accepts EC2's location types but Outposts, which
// ec2lab does not have.
func checkLocationType(lt string) error {
	switch lt {
	case "", LocationRegion, LocationZone, LocationZoneID:
		return nil
	case LocationOutpost:
		return ec2err.New(ec2err.UnsupportedOperation, "ec2lab has no Outposts: use region, availability-zone or availability-zone-id")
	}
	return ec2err.New(ec2err.InvalidParameterValue,
		"Value (%s) for parameter LocationType is invalid. Valid values: region, availability-zone, availability-zone-id, outpost", lt)
}

// offerings lists every offering of the location type, unfiltered.
func (s *Service) offerings(ctx context.Context, lt string) ([]InstanceTypeOffering, error) {
	byZone, err := s.zoneOffers(ctx)
	if err != nil {
		return nil, err
	}
	var out []InstanceTypeOffering
	if lt == "" || lt == LocationRegion {
		for _, t := range s.types.List() {
			for _, z := range s.cfg.AvailabilityZones {
				if byZone[z.Name][t.Name] {
					out = append(out, InstanceTypeOffering{InstanceType: t.Name, LocationType: LocationRegion, Location: s.cfg.Region})
					break
				}
			}
		}
		return out, nil
	}
	for _, z := range s.cfg.AvailabilityZones {
		loc := map[string]string{LocationZone: z.Name, LocationZoneID: z.ID}[lt]
		for _, t := range s.types.List() {
			if byZone[z.Name][t.Name] {
				out = append(out, InstanceTypeOffering{InstanceType: t.Name, LocationType: lt, Location: loc})
			}
		}
	}
	return out, nil
}

// zoneOffers is, per zone name, the set of types its registered hosts fit.
func (s *Service) zoneOffers(ctx context.Context) (map[string]map[string]bool, error) {
	hs, err := s.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	pol := scheduler.Policy{CPUOvercommit: s.cfg.CPUOvercommit, MemoryOvercommit: s.cfg.MemoryOvercommit}
	types := s.types.List()
	out := map[string]map[string]bool{}
	for _, h := range hs {
		if out[h.AZ] == nil {
			out[h.AZ] = map[string]bool{}
		}
		c := hostCapacity(h)
		for _, t := range types {
			if !out[h.AZ][t.Name] && scheduler.Fits(c, t, pol) {
				out[h.AZ][t.Name] = true
			}
		}
	}
	return out, nil
}

// hostCapacity is a host's scheduler view when empty: its CPUs less one
// to pin (as schedulerHosts counts them), all its hugepages (2 MiB each),
// GPUs and local pool space. A record from before capacities were kept
// counts what was free at its last heartbeat.
func hostCapacity(h HostRecord) scheduler.Host {
	huge, local := h.HugepagesTotal, h.LocalGB
	if huge == 0 {
		huge = h.HugepagesFree
	}
	if local == 0 {
		local = h.FreeLocalGB
	}
	return scheduler.Host{ID: h.ID, AZ: h.AZ, Healthy: true, VCPUs: h.VCPUs, MemoryMiB: h.MemoryMiB,
		FreeDedicatedCPUs: h.VCPUs - 1, HugepagesFreeMiB: huge * 2, FreeGPUs: h.GPUs, FreeLocalDiskGB: local}
}

// filterOfferings applies the instance-type and location filters.
func filterOfferings(offers []InstanceTypeOffering, filters []Filter) ([]InstanceTypeOffering, error) {
	for _, f := range filters {
		if f.Name != "instance-type" && f.Name != "location" {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "The filter '%s' is invalid", f.Name)
		}
	}
	var out []InstanceTypeOffering
	for _, o := range offers {
		if ok, _ := matches(filters, o.field); ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// field answers the filters of DescribeInstanceTypeOfferings.
func (o InstanceTypeOffering) field(name string) ([]string, bool) {
	switch name {
	case "instance-type":
		return []string{o.InstanceType}, true
	case "location":
		return []string{o.Location}, true
	}
	return nil, false
}
