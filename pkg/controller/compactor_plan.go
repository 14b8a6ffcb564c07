package controller

import (
	"maps"
	"slices"
)

// chainView is what the compactor knows about one AZ pool: the backing
// chain of every named file (snapshot layers and volume heads), which of
// those are volume heads, the files it must not rewrite or drop (Pinned:
// encrypted chains offline, chains of instances starting or stopping) and
// the backing layers a running instance has open (Open). An open layer is
// never rewritten, but a hidden one may be merged into the live head above
// it: the instance's agent streams it in (block stream), so the head of a
// running instance can be the Child of a step.
type chainView struct {
	Chains map[string][]string // named file → its chain, head first
	Heads  []string            // volume heads, for the depth limit
	Pinned map[string]bool
	Open   map[string]bool
}

// mergeStep rebases Child onto NewBacking (a deeper layer of its chain),
// merging the layers in between (Skip) into Child. Skipped hidden layers
// are then unreferenced and the file collector removes them.
type mergeStep struct {
	Child      string
	NewBacking string
	Skip       []string // Child's chain between Child and NewBacking, top first
	Reason     string   // "hidden" or "depth"
}

// layerGraph is the backing relation of the files in a pool's chains.
type layerGraph struct {
	backing  map[string]string // file → its backing, "" for a base
	children map[string][]string
	named    map[string]bool
	pinned   map[string]bool
	open     map[string]bool
}

func newLayerGraph(v chainView) layerGraph {
	g := layerGraph{backing: map[string]string{}, children: map[string][]string{}, named: map[string]bool{},
		pinned: v.Pinned, open: v.Open}
	for root, chain := range v.Chains {
		g.named[root] = true
		for i, f := range chain {
			if _, seen := g.backing[f]; seen {
				continue
			}
			b := ""
			if i+1 < len(chain) {
				b = chain[i+1]
				g.children[b] = append(g.children[b], f)
			}
			g.backing[f] = b
		}
	}
	for _, c := range g.children {
		slices.Sort(c)
	}
	return g
}

// hidden reports a layer no record names that some chain still holds.
func (g layerGraph) hidden(f string) bool {
	_, inChain := g.backing[f]
	return inChain && !g.named[f] && !g.pinned[f]
}

// fixed reports a file no step may rewrite (be the Child of).
func (g layerGraph) fixed(f string) bool { return g.pinned[f] || g.open[f] }

// mergeable reports a hidden layer with a backing and one unpinned child:
// merging it into that child removes it from every chain.
func (g layerGraph) mergeable(f string) bool {
	c := g.children[f]
	return g.hidden(f) && g.backing[f] != "" && len(c) == 1 && !g.pinned[c[0]]
}

// planCompaction returns the merges that remove hidden layers with a single
// child (a run of them into their top child at once). When there are none,
// it shortens the first volume chain deeper than maxDepth: the oldest
// hidden layer goes into all its children, or else the head is rebased deep
// enough. The steps touch disjoint files, so any order is safe.
func planCompaction(v chainView, maxDepth int) []mergeStep {
	g := newLayerGraph(v)
	var steps []mergeStep
	for _, c := range slices.Sorted(maps.Keys(g.backing)) {
		b := g.backing[c]
		if g.fixed(c) || g.mergeable(c) || !g.mergeable(b) {
			continue
		}
		st := mergeStep{Child: c, Reason: "hidden"}
		for ; g.mergeable(b); b = g.backing[b] {
			st.Skip = append(st.Skip, b)
		}
		st.NewBacking = b
		steps = append(steps, st)
	}
	if len(steps) > 0 || maxDepth < 2 {
		return steps
	}
	for _, h := range slices.Sorted(slices.Values(v.Heads)) {
		if chain := v.Chains[h]; len(chain) > maxDepth && !g.fixed(h) {
			return g.shorten(chain, maxDepth)
		}
	}
	return nil
}

// shorten plans one step that makes chain (a volume's, head first) shorter.
func (g layerGraph) shorten(chain []string, maxDepth int) []mergeStep {
	for i := len(chain) - 2; i >= 1; i-- {
		h := chain[i]
		if !g.hidden(h) || slices.ContainsFunc(g.children[h], g.fixed) {
			continue
		}
		var steps []mergeStep
		for _, c := range g.children[h] {
			steps = append(steps, mergeStep{Child: c, NewBacking: g.backing[h], Skip: []string{h}, Reason: "depth"})
		}
		return steps
	}
	k := len(chain) - maxDepth + 1
	return []mergeStep{{Child: chain[0], NewBacking: chain[k], Skip: slices.Clone(chain[1:k]), Reason: "depth"}}
}
