package scheduler

import "sort"

// sim places the instances of one request on private copies of the hosts
// it touches; the caller's slice is only read.
type sim struct {
	hosts         []Host
	req           Request
	pol           Policy
	pack          bool
	group         string
	groupStrategy string

	azNames  []string
	azOf     []int32 // zone index per host
	azIn     []bool  // zone allowed by the request (or the cluster's zone)
	azOpen   []bool  // azIn and, for spread groups, below MaxSpreadPerAZ
	azPlaced []int   // this request's placements per zone
	azGroup  []int   // the group's instances per zone
	best     []cand  // best candidate per zone, per scan

	partCount [MaxPartitions + 1]int
	partBuf   [MaxPartitions]int
	failPart  int

	touched []touchedHost // sorted by idx
	stamp   int64
	out     []Placement
	first   cand // the first placement's candidate, for cluster zone choice
	firstH  Host
}

type touchedHost struct {
	idx  int
	host Host
}

// newSim prepares a request. Requests for one instance outside placement
// groups (the common case) skip zone bookkeeping: round-robin and zone
// limits cannot matter, so a single pseudo-zone holds the best host.
func newSim(hosts []Host, req Request, pol Policy) *sim {
	s := &sim{hosts: hosts, req: req, pol: pol, pack: pol.Strategy == StrategyPack}
	if req.Group != nil {
		s.group, s.groupStrategy = req.Group.Name, req.Group.Strategy
	}
	if req.MaxCount == 1 && req.Group == nil {
		s.azNames, s.azGroup = []string{req.AZ}, []int{0}
		for i := range hosts {
			s.stamp = max(s.stamp, hosts[i].LastPlaced)
		}
	} else {
		s.indexZones()
	}
	s.initZones()
	return s
}

func (s *sim) indexZones() {
	s.azOf = make([]int32, len(s.hosts))
	last := -1
	for i := range s.hosts {
		h := &s.hosts[i]
		if last < 0 || s.azNames[last] != h.AZ {
			last = s.zoneIndex(h.AZ)
		}
		s.azOf[i] = int32(last)
		s.stamp = max(s.stamp, h.LastPlaced)
		if s.group != "" {
			s.countGroup(h, last)
		}
	}
}

func (s *sim) zoneIndex(az string) int {
	for i, n := range s.azNames {
		// Zone names usually differ in their last byte: check it first.
		if len(n) == len(az) && (n == "" || n[len(n)-1] == az[len(az)-1]) && n == az {
			return i
		}
	}
	s.azNames = append(s.azNames, az)
	s.azGroup = append(s.azGroup, 0)
	return len(s.azNames) - 1
}

// zoneOf is host i's zone index and whether the zone is open to the
// request.
func (s *sim) zoneOf(i int, h *Host) (int, bool) {
	if s.azOf == nil {
		return 0, s.req.AZ == "" || h.AZ == s.req.AZ
	}
	az := int(s.azOf[i])
	return az, s.azOpen[az]
}

func (s *sim) countGroup(h *Host, az int) {
	n := h.PlacementGroups[s.group]
	if n == 0 {
		return
	}
	s.azGroup[az] += n
	if p := h.Partitions[s.group]; p > 0 && p <= MaxPartitions {
		s.partCount[p] += n
	}
}

func (s *sim) initZones() {
	n := len(s.azNames)
	s.azIn, s.azOpen = make([]bool, n), make([]bool, n)
	s.azPlaced, s.best = make([]int, n), make([]cand, n)
	for i, name := range s.azNames {
		s.azIn[i] = s.req.AZ == "" || s.req.AZ == name || s.azOf == nil
	}
	s.refreshOpen()
}

// restrict limits placement to zone az (cluster groups).
func (s *sim) restrict(az string) {
	for i, name := range s.azNames {
		s.azIn[i] = s.azIn[i] && name == az
	}
	s.refreshOpen()
}

func (s *sim) refreshOpen() {
	for i := range s.azOpen {
		s.azOpen[i] = s.azIn[i] && !s.spreadFull(i)
	}
}

func (s *sim) spreadFull(az int) bool {
	return s.groupStrategy == GroupSpread && s.azGroup[az] >= MaxSpreadPerAZ
}

// run places instances until MaxCount or until one does not fit.
func (s *sim) run() {
	for len(s.out) < s.req.MaxCount && s.placeOne() {
	}
}

func (s *sim) placeOne() bool {
	parts := s.partitionOrder()
	for _, p := range parts {
		if s.scan(p) {
			c, az := s.choose()
			s.commit(c, az, p)
			return true
		}
	}
	s.failPart = parts[0]
	return false
}

// partitionOrder lists the partitions to try: the requested one, or all by
// fewest instances first; [0] outside partition groups.
func (s *sim) partitionOrder() []int {
	if s.groupStrategy != GroupPartition {
		s.partBuf[0] = 0
		return s.partBuf[:1]
	}
	if s.req.PartitionNumber > 0 {
		s.partBuf[0] = s.req.PartitionNumber
		return s.partBuf[:1]
	}
	parts := s.partBuf[:s.req.Group.PartitionCount]
	for i := range parts {
		parts[i] = i + 1
	}
	sort.SliceStable(parts, func(i, j int) bool { return s.partCount[parts[i]] < s.partCount[parts[j]] })
	return parts
}
