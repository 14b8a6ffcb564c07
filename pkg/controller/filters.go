package controller

import (
	"encoding/base64"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Filter is an EC2 filter: filters are ANDed, values ORed, with * and ?
// wildcards.
type Filter struct {
	Name   string
	Values []string
}

// Page is a Describe call's pagination.
type Page struct {
	MaxResults int
	NextToken  string
}

// fieldFunc returns the values a resource has for a filter name, and
// whether the name is known.
type fieldFunc func(name string) ([]string, bool)

// matches reports whether a resource passes every filter.
func matches(filters []Filter, field fieldFunc) (bool, error) {
	for _, f := range filters {
		vals, ok := field(f.Name)
		if !ok {
			return false, ec2err.New(ec2err.InvalidParameterValue, "The filter '%s' is invalid", f.Name)
		}
		if !anyMatch(vals, f.Values) {
			return false, nil
		}
	}
	return true, nil
}

func anyMatch(have, patterns []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if ok, _ := path.Match(escapeClass(p), h); ok {
				return true
			}
		}
	}
	return false
}

// escapeClass keeps EC2's wildcards (* and ?) and makes every other glob
// character literal.
func escapeClass(p string) string { return classEscaper.Replace(p) }

// classEscaper is built once: building a Replacer costs more than using it.
var classEscaper = strings.NewReplacer("[", `\[`, "]", `\]`, `\`, `\\`)

// tagField answers tag:Key, tag-key and tag-value filters.
func tagField(tags []Tag, name string) ([]string, bool) {
	switch {
	case strings.HasPrefix(name, "tag:"):
		var out []string
		for _, t := range tags {
			if t.Key == name[4:] {
				out = append(out, t.Value)
			}
		}
		return out, true
	case name == "tag-key":
		var out []string
		for _, t := range tags {
			out = append(out, t.Key)
		}
		return out, true
	case name == "tag-value":
		var out []string
		for _, t := range tags {
			out = append(out, t.Value)
		}
		return out, true
	}
	return nil, false
}

// paginate returns one page of ids (sorted) and the token of the next.
func paginate(sorted []string, p Page) ([]string, string, error) {
	start := 0
	if p.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(p.NextToken)
		if err != nil {
			return nil, "", ec2err.New(ec2err.InvalidParameterValue, "Invalid NextToken")
		}
		start = sort.SearchStrings(sorted, string(b))
		for start < len(sorted) && sorted[start] <= string(b) {
			start++
		}
	}
	if p.MaxResults <= 0 || start+p.MaxResults >= len(sorted) {
		return sorted[start:], "", nil
	}
	page := sorted[start : start+p.MaxResults]
	return page, base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1])), nil
}

// pageBounds is paginate for a list in an order of its own (not sorted by
// name): the page is order[start:stop], next the token of the page after.
// A token names the last item of its page.
func pageBounds(order []string, p Page) (start, stop int, next string, err error) {
	if p.NextToken != "" {
		b, derr := base64.RawURLEncoding.DecodeString(p.NextToken)
		at := slices.Index(order, string(b))
		if derr != nil || at < 0 {
			return 0, 0, "", ec2err.New(ec2err.InvalidParameterValue, "Invalid NextToken")
		}
		start = at + 1
	}
	if p.MaxResults <= 0 || start+p.MaxResults >= len(order) {
		return start, len(order), "", nil
	}
	stop = start + p.MaxResults
	return start, stop, base64.RawURLEncoding.EncodeToString([]byte(order[stop-1])), nil
}

// checkMaxResults enforces EC2's bounds and that IDs and MaxResults are not combined.
func checkMaxResults(p Page, idsGiven bool, lo, hi int) error {
	if p.MaxResults == 0 {
		return nil
	}
	if idsGiven {
		return ec2err.New(ec2err.InvalidParameterCombination, "The parameter ids cannot be used with the parameter maxResults")
	}
	if p.MaxResults < lo || p.MaxResults > hi {
		return ec2err.New(ec2err.InvalidParameterValue, "Value ( %d ) for parameter maxResults is invalid. Expecting a value between %d and %d.", p.MaxResults, lo, hi)
	}
	return nil
}
