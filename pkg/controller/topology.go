package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
)

// Region is a region as DescribeRegions shows it.
type Region struct{ Name, Endpoint string }

// Regions lists this region and its configured peers.
func (s *Service) Regions(ctx context.Context, names []string) ([]Region, error) {
	if _, err := account(ctx); err != nil {
		return nil, err
	}
	all := []Region{{Name: s.cfg.Region, Endpoint: s.cfg.Endpoint}}
	for _, p := range s.cfg.Peers {
		all = append(all, Region{Name: p.Name, Endpoint: p.Endpoint})
	}
	if len(names) == 0 {
		return all, nil
	}
	var out []Region
	for _, n := range names {
		found := false
		for _, r := range all {
			if r.Name == n {
				out, found = append(out, r), true
			}
		}
		if !found {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid region: %s", n)
		}
	}
	return out, nil
}

// Zone is an availability zone with its health.
type Zone struct {
	Name, ID, State, Message string
}

// Zones lists the region's AZs: available with a healthy host, impaired otherwise.
func (s *Service) Zones(ctx context.Context, names []string, filters []Filter) ([]Zone, error) {
	if _, err := account(ctx); err != nil {
		return nil, err
	}
	hs, err := s.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	var out []Zone
	for _, z := range s.cfg.AvailabilityZones {
		if len(names) > 0 && !contains(names, z.Name) {
			continue
		}
		st, msg := zoneState(hs, z.Name)
		zone := Zone{Name: z.Name, ID: z.ID, State: st, Message: msg}
		ok, err := matches(filters, func(n string) ([]string, bool) {
			switch n {
			case "zone-name":
				return []string{zone.Name}, true
			case "zone-id":
				return []string{zone.ID}, true
			case "state":
				return []string{zone.State}, true
			case "region-name":
				return []string{s.cfg.Region}, true
			}
			return nil, false
		})
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, zone)
		}
	}
	for _, n := range names {
		if _, ok := s.cfg.Zone(n); !ok {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid availability zone: [%s]", n)
		}
	}
	return out, nil
}

// InstanceTypes answers DescribeInstanceTypes.
func (s *Service) InstanceTypes(ctx context.Context, names []string, filters []Filter, p Page) ([]instancetypes.Type, string, error) {
	if _, err := account(ctx); err != nil {
		return nil, "", err
	}
	// EC2 pages DescribeInstanceTypes by 5 to 100.
	if err := checkMaxResults(p, len(names) > 0, 5, 100); err != nil {
		return nil, "", err
	}
	types, err := s.filterTypes(names, filters)
	if err != nil {
		return nil, "", err
	}
	order := make([]string, len(types))
	for i, t := range types {
		order[i] = t.Name
	}
	start, stop, next, err := pageBounds(order, p)
	if err != nil {
		return nil, "", err
	}
	return types[start:stop], next, nil
}

// filterTypes applies names and filters to the catalog.
func (s *Service) filterTypes(names []string, filters []Filter) ([]instancetypes.Type, error) {
	fm := map[string][]string{}
	for _, f := range filters {
		fm[f.Name] = append(fm[f.Name], f.Values...)
	}
	types, err := s.types.Filter(names, fm)
	if err != nil {
		if nf, ok := err.(*instancetypes.NotFoundError); ok {
			return nil, ec2err.New(ec2err.InvalidInstanceType, "The following supplied instance types do not exist: %v", nf.Names)
		}
		return nil, ec2err.New(ec2err.InvalidParameterValue, "%v", err)
	}
	return types, nil
}
