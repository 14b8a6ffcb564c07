package instancetypes

import (
	"fmt"
	"strconv"
	"strings"
)

// NotFoundError lists requested instance type names that the catalog lacks.
// Callers map it to EC2's InvalidInstanceType.
type NotFoundError struct{ Names []string }

func (e *NotFoundError) Error() string {
	return "The following supplied instance types do not exist: [" + strings.Join(e.Names, ", ") + "]"
}

// FilterError is an unsupported filter name. Callers map it to
// InvalidParameterValue.
type FilterError struct{ Name string }

func (e *FilterError) Error() string {
	return fmt.Sprintf("The filter '%s' is invalid", e.Name)
}

// filterFields maps each supported EC2 filter name to the values a type has
// for it.
var filterFields = map[string]func(Type) []string{
	"instance-type":                         func(t Type) []string { return []string{t.Name} },
	"vcpu-info.default-vcpus":               func(t Type) []string { return []string{strconv.Itoa(t.VCPUs)} },
	"memory-info.size-in-mib":               func(t Type) []string { return []string{strconv.FormatInt(t.MemoryMiB, 10)} },
	"burstable-performance-supported":       func(t Type) []string { return []string{strconv.FormatBool(t.Burstable)} },
	"processor-info.supported-architecture": func(t Type) []string { return t.Architectures },
	"instance-storage-supported":            func(t Type) []string { return []string{strconv.FormatBool(t.HasInstanceStore())} },
}

// Filter returns the types named in names (all types when names is empty)
// that match every filter; a filter matches when any of its values matches
// (EC2: filters ANDed, values ORed, * and ? wildcards, \ escapes). Results
// are in List order. An unknown name gives *NotFoundError naming every
// unknown one; an unsupported filter gives *FilterError.
func (c *Catalog) Filter(names []string, filters map[string][]string) ([]Type, error) {
	for name := range filters {
		if _, ok := filterFields[name]; !ok {
			return nil, &FilterError{Name: name}
		}
	}
	wanted, err := c.namesSet(names)
	if err != nil {
		return nil, err
	}
	var out []Type
	for _, t := range c.sorted {
		if wanted != nil && !wanted[t.Name] {
			continue
		}
		if matchesAll(t, filters) {
			out = append(out, t.clone())
		}
	}
	return out, nil
}

func (c *Catalog) namesSet(names []string) (map[string]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	set := make(map[string]bool, len(names))
	var missing []string
	for _, n := range names {
		if _, ok := c.byName[n]; !ok && !set[n] {
			missing = append(missing, n)
		}
		set[n] = true
	}
	if len(missing) > 0 {
		return nil, &NotFoundError{Names: missing}
	}
	return set, nil
}

func matchesAll(t Type, filters map[string][]string) bool {
	for name, patterns := range filters {
		if !matchesAny(filterFields[name](t), patterns) {
			return false
		}
	}
	return true
}

func matchesAny(values, patterns []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if Wildcard(p, v) {
				return true
			}
		}
	}
	return false
}
