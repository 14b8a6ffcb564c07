package instancetypes

import (
	"fmt"
	"sort"
)

// Catalog is an immutable set of instance types. It is safe for concurrent
// use; With returns a new Catalog.
type Catalog struct {
	byName map[string]Type
	sorted []Type
}

func newCatalog(types []Type) (*Catalog, error) {
	c := &Catalog{byName: make(map[string]Type, len(types))}
	for _, t := range types {
		n, err := normalize(t)
		if err != nil {
			return nil, err
		}
		c.byName[n.Name] = n
	}
	c.sorted = make([]Type, 0, len(c.byName))
	for _, t := range c.byName {
		c.sorted = append(c.sorted, t)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return less(c.sorted[i], c.sorted[j]) })
	return c, nil
}

// less orders by family (general, compute, memory, storage, accelerated),
// then size (vCPUs, then memory), then name.
func less(a, b Type) bool {
	if fa, fb := familyOrder[a.Family], familyOrder[b.Family]; fa != fb {
		return fa < fb
	}
	if a.VCPUs != b.VCPUs {
		return a.VCPUs < b.VCPUs
	}
	if a.MemoryMiB != b.MemoryMiB {
		return a.MemoryMiB < b.MemoryMiB
	}
	return a.Name < b.Name
}

// Get returns the type called name.
func (c *Catalog) Get(name string) (Type, bool) {
	t, ok := c.byName[name]
	if !ok {
		return Type{}, false
	}
	return t.clone(), true
}

// Len is the number of types in the catalog.
func (c *Catalog) Len() int { return len(c.sorted) }

// List returns all types sorted by family order, then size.
func (c *Catalog) List() []Type {
	out := make([]Type, len(c.sorted))
	for i, t := range c.sorted {
		out[i] = t.clone()
	}
	return out
}

// With returns a new catalog holding c's types plus overrides: a type with
// a new name is added, one with an existing name replaces it entirely.
// Empty family defaults to general and empty architectures to x86_64.
// Every override is validated; duplicates within overrides are an error.
func (c *Catalog) With(overrides []Type) (*Catalog, error) {
	seen := make(map[string]bool, len(overrides))
	for _, o := range overrides {
		if seen[o.Name] {
			return nil, fmt.Errorf("instance type %q: defined twice in overrides", o.Name)
		}
		seen[o.Name] = true
	}
	all := make([]Type, 0, len(c.sorted)+len(overrides))
	for _, t := range c.sorted {
		if !seen[t.Name] {
			all = append(all, t)
		}
	}
	all = append(all, overrides...)
	nc, err := newCatalog(all)
	if err != nil {
		return nil, fmt.Errorf("apply overrides: %w", err)
	}
	return nc, nil
}

// Smallest returns the smallest type of family f (fewest vCPUs, then least
// memory, then name), or false when the catalog has none of that family.
func (c *Catalog) Smallest(f Family) (Type, bool) {
	for _, t := range c.sorted {
		if t.Family == f {
			return t.clone(), true
		}
	}
	return Type{}, false
}
