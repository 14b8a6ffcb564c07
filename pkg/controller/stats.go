package controller

import (
	"context"
	"sort"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// Stats are the region's resource counts, for metrics: every label is
// bounded (states, types, zones, the region's hosts), never a resource ID.
type Stats struct {
	Instances []InstanceCount
	Volumes   []VolumeCount
	// Snapshots and Images count records by state.
	Snapshots, Images map[string]int
	Hosts             []HostUsage
}

// InstanceCount is how many instances are in one state, of one type, in
// one zone.
type InstanceCount struct {
	State, Type, AZ string
	Count           int
}

// VolumeCount is how many volumes are in one state, of one type, and the
// GiB they provision.
type VolumeCount struct {
	State, Type string
	Count       int
	SizeGiB     int64
}

// HostUsage is a host's capacity and what its instances hold of it.
type HostUsage struct {
	ID, AZ                   string
	VCPUs, UsedVCPUs         int
	MemoryMiB, UsedMemoryMiB int64
	Healthy                  bool
	LastHeartbeat            time.Time
}

// Stats counts the region's resources: instances and volumes from the
// record cache, snapshots, images and hosts from the store (their records
// are few and not cached).
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	var used map[string]usage
	err := s.cache.read(ctx, func() {
		st.Instances = countInstances(s.cache.inst.all())
		st.Volumes = countVolumes(s.cache.vol.all())
		used = make(map[string]usage, len(s.cache.use.byHost))
		for id, u := range s.cache.use.byHost {
			used[id] = u
		}
	})
	if err != nil {
		return Stats{}, err
	}
	if st.Snapshots, err = countStates(ctx, s.st, prefixSnapshot); err != nil {
		return Stats{}, err
	}
	if st.Images, err = countStates(ctx, s.st, prefixImage); err != nil {
		return Stats{}, err
	}
	hs, err := s.Hosts(ctx)
	if err != nil {
		return Stats{}, err
	}
	for _, h := range hs {
		u := used[h.ID]
		st.Hosts = append(st.Hosts, HostUsage{ID: h.ID, AZ: h.AZ, VCPUs: h.VCPUs, UsedVCPUs: u.VCPUs,
			MemoryMiB: h.MemoryMiB, UsedMemoryMiB: u.MemoryMiB, Healthy: h.Healthy, LastHeartbeat: h.LastHeartbeat})
	}
	return st, nil
}

func countInstances(all []*Instance) []InstanceCount {
	idx := map[InstanceCount]int{}
	for _, in := range all {
		idx[InstanceCount{State: in.State, Type: in.Type, AZ: in.AZ}]++
	}
	out := make([]InstanceCount, 0, len(idx))
	for k, n := range idx {
		k.Count = n
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.State != b.State {
			return a.State < b.State
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.AZ < b.AZ
	})
	return out
}

func countVolumes(all []*Volume) []VolumeCount {
	type key struct{ state, typ string }
	idx := map[key]*VolumeCount{}
	var out []VolumeCount
	for _, v := range all {
		k := key{v.State, v.Type}
		if idx[k] == nil {
			idx[k] = &VolumeCount{State: v.State, Type: v.Type}
		}
		idx[k].Count++
		idx[k].SizeGiB += int64(v.SizeGiB)
	}
	for _, c := range idx {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].State != out[j].State {
			return out[i].State < out[j].State
		}
		return out[i].Type < out[j].Type
	})
	return out
}

// countStates counts the records under prefix by their state member,
// decoding nothing else.
func countStates(ctx context.Context, st store.Store, prefix string) (map[string]int, error) {
	recs, err := store.ListJSON[struct {
		State string `json:"state"`
	}](ctx, st, prefix)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range recs {
		out[r.State]++
	}
	return out, nil
}
