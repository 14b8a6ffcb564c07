package scheduler

import (
	"fmt"
	"sort"
)

// Place picks hosts for up to req.MaxCount instances of req.Type. When fewer
// than req.MinCount fit it places none and returns an
// *InsufficientCapacityError naming the shortage. Malformed requests and
// policies give an error wrapping ErrInvalidRequest. Each placement sees
// the capacity taken by the earlier ones; hosts itself is not modified.
func Place(hosts []Host, req Request, pol Policy) ([]Placement, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	pol, err := pol.withDefaults()
	if err != nil {
		return nil, err
	}
	var s *sim
	if req.Group != nil && req.Group.Strategy == GroupCluster {
		s, err = placeCluster(hosts, req, pol)
		if err != nil {
			return nil, err
		}
	} else {
		s = newSim(hosts, req, pol)
		s.run()
	}
	if len(s.out) < req.MinCount {
		return nil, s.capacityError()
	}
	return s.out, nil
}

// placeCluster keeps a cluster group in one zone: the zone its instances
// already run in, else the requested zone, else the zone that fits the most
// of this request (ties: the zone whose first host weighs best).
func placeCluster(hosts []Host, req Request, pol Policy) (*sim, error) {
	s := newSim(hosts, req, pol)
	if home, ok := s.clusterHome(); ok {
		if req.AZ != "" && req.AZ != home {
			return nil, fmt.Errorf("cluster placement group %q runs in %s, not %s: %w",
				req.Group.Name, home, req.AZ, ErrInvalidRequest)
		}
		s.restrict(home)
		s.run()
		return s, nil
	}
	if req.AZ != "" {
		s.restrict(req.AZ)
		s.run()
		return s, nil
	}
	zones := append([]string(nil), s.azNames...)
	sort.Strings(zones)
	var best *sim
	for _, az := range zones {
		t := newSim(hosts, req, pol)
		t.restrict(az)
		t.run()
		if best == nil || len(t.out) > len(best.out) ||
			(len(t.out) == len(best.out) && len(t.out) > 0 && t.better(&t.first, &best.first)) {
			best = t
		}
	}
	if best == nil { // no hosts at all
		s.run()
		return s, nil
	}
	return best, nil
}

// clusterHome is the zone holding most of the cluster group's instances.
func (s *sim) clusterHome() (string, bool) {
	home := -1
	for i, n := range s.azGroup {
		if n > 0 && (home < 0 || n > s.azGroup[home] ||
			(n == s.azGroup[home] && s.azNames[i] < s.azNames[home])) {
			home = i
		}
	}
	if home < 0 {
		return "", false
	}
	return s.azNames[home], true
}
