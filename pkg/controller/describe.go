package controller

import (
	"sort"
)

// selection is what a Describe call asks of a list of records.
type selection[T any] struct {
	IDs     []string
	Filters []Filter
	Page    Page
	// ID and Field read a record; Keep drops records the caller may not see.
	ID    func(T) string
	Field func(T, string) ([]string, bool)
	Keep  func(T) bool
	// Narrow, like a filter, drops visible records the caller did not ask
	// for (DescribeImages' Owners): a named ID it drops is not missing.
	Narrow func(T) bool
	// NotFound is the error for a named ID that is absent (when no filter
	// could explain its absence).
	NotFound func(id string) error
}

// selectPage applies EC2's Describe semantics to records: visibility, named
// IDs (each must exist unless filters are given), filters, stable order by
// ID, and one page with the token of the next.
func selectPage[T any](all []T, sel selection[T]) ([]T, string, error) {
	byID := map[string]T{}
	seen := map[string]bool{}
	var keys []string
	for _, r := range all {
		id := sel.ID(r)
		if (sel.Keep != nil && !sel.Keep(r)) || (len(sel.IDs) > 0 && !contains(sel.IDs, id)) {
			continue
		}
		seen[id] = true
		if sel.Narrow != nil && !sel.Narrow(r) {
			continue
		}
		ok, err := matches(sel.Filters, func(n string) ([]string, bool) { return sel.Field(r, n) })
		if err != nil {
			return nil, "", err
		}
		if ok {
			byID[id] = r
			keys = append(keys, id)
		}
	}
	for _, id := range sel.IDs {
		if !seen[id] && len(sel.Filters) == 0 {
			return nil, "", sel.NotFound(id)
		}
	}
	sort.Strings(keys)
	page, next, err := paginate(keys, sel.Page)
	if err != nil {
		return nil, "", err
	}
	out := make([]T, len(page))
	for i, id := range page {
		out[i] = byID[id]
	}
	return out, next, nil
}
