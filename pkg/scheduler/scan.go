package scheduler

import "sort"

// view returns the current state of host i: the private copy if this
// request touched it. cur walks the sorted touched list along with i.
func (s *sim) view(i int, cur *int) *Host {
	if *cur < len(s.touched) && s.touched[*cur].idx == i {
		h := &s.touched[*cur].host
		*cur++
		return h
	}
	return &s.hosts[i]
}

// scan finds the best fitting host of every open zone for one instance in
// partition part. It reports whether any host fits.
func (s *sim) scan(part int) bool {
	for a := range s.best {
		s.best[a].host = nil
	}
	cluster := s.groupStrategy == GroupCluster
	found, cur := false, 0
	for i := range s.hosts {
		h := s.view(i, &cur)
		az, open := s.zoneOf(i, h)
		if !open {
			continue
		}
		vc, mc := s.vcpuCap(h), s.memCap(h)
		if s.checkCaps(h, part, vc, mc) != stageOK {
			continue
		}
		found = true
		load, b := loadOf(h, vc, mc), &s.best[az]
		if b.host != nil && !cluster && s.worseLoad(load, b.load) {
			continue // quick reject before the full comparison
		}
		c := cand{idx: i, host: h, load: load}
		if cluster {
			c.group = h.PlacementGroups[s.group]
		}
		if b.host == nil || s.better(&c, b) {
			*b = c
		}
	}
	return found
}

// choose picks the zone with the fewest of this request's instances
// (round-robin), breaking ties by the weighers, and its best host.
func (s *sim) choose() (cand, int) {
	pick := -1
	for az := range s.best {
		b := &s.best[az]
		if b.host == nil {
			continue
		}
		if pick < 0 || s.azPlaced[az] < s.azPlaced[pick] ||
			(s.azPlaced[az] == s.azPlaced[pick] && s.better(b, &s.best[pick])) {
			pick = az
		}
	}
	return s.best[pick], pick
}

func (s *sim) commit(c cand, az, part int) {
	if len(s.out) == 0 {
		s.firstH = *c.host
		s.first = c
		s.first.host = &s.firstH
	}
	h := s.touch(c.idx)
	h.Reserve(s.req.Type, s.group, part)
	s.stamp++
	h.LastPlaced = s.stamp
	s.azPlaced[az]++
	if s.group != "" {
		s.azGroup[az]++
		s.azOpen[az] = s.azIn[az] && !s.spreadFull(az)
	}
	if part > 0 {
		s.partCount[part]++
	}
	s.out = append(s.out, Placement{HostID: h.ID, AZ: h.AZ, Partition: part})
}

// touch returns the private copy of host idx, making it on first use.
func (s *sim) touch(idx int) *Host {
	k := sort.Search(len(s.touched), func(j int) bool { return s.touched[j].idx >= idx })
	if k < len(s.touched) && s.touched[k].idx == idx {
		return &s.touched[k].host
	}
	h := s.hosts[idx]
	if s.group != "" {
		h = s.hosts[idx].clone()
	}
	s.touched = append(s.touched, touchedHost{})
	copy(s.touched[k+1:], s.touched[k:])
	s.touched[k] = touchedHost{idx: idx, host: h}
	return &s.touched[k].host
}
