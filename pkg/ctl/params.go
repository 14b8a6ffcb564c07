package ctl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// fields reads typed members out of a parsed structure and reports
// unknown members the way the AWS CLI does.
type fields struct {
	shape string
	m     map[string]any
	err   error
}

func newFields(shape string, m map[string]any, allowed ...string) *fields {
	f := &fields{shape: shape, m: m}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var unknown []string
	for k := range m {
		if !ok[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		f.err = fmt.Errorf("unknown parameter in %s: %q, must be one of: %s",
			shape, unknown[0], strings.Join(allowed, ", "))
	}
	return f
}

func (f *fields) fail(key, want string, v any) {
	if f.err == nil {
		f.err = fmt.Errorf("invalid type for parameter %s.%s, value: %v, valid types: %s", f.shape, key, v, want)
	}
}

func (f *fields) str(key string) string {
	switch v := f.m[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		f.fail(key, "string", v)
	}
	return ""
}

func (f *fields) int32(key string) int32 {
	switch v := f.m[key].(type) {
	case nil:
		return 0
	case float64:
		return int32(v)
	case string:
		n, err := strconv.ParseInt(v, 10, 32)
		if err == nil {
			return int32(n)
		}
	}
	f.fail(key, "integer", f.m[key])
	return 0
}

// int32Ptr is int32 for a member whose absence differs from 0.
func (f *fields) int32Ptr(key string) *int32 {
	if _, ok := f.m[key]; !ok {
		return nil
	}
	v := f.int32(key)
	return &v
}

func (f *fields) boolPtr(key string) *bool {
	switch v := f.m[key].(type) {
	case nil:
		return nil
	case bool:
		return &v
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return &b
		}
	}
	f.fail(key, "boolean", f.m[key])
	return nil
}

// strings reads a list of strings; a single string is a one-element list
// (shorthand "Values=running").
func (f *fields) strings(key string) []string {
	switch v := f.m[key].(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				f.fail(key, "list of strings", v)
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	f.fail(key, "list of strings", f.m[key])
	return nil
}

func (f *fields) structs(key string) []map[string]any {
	v, ok := f.m[key]
	if !ok {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out := make([]map[string]any, 0, len(items))
	for _, e := range items {
		m, ok := e.(map[string]any)
		if !ok {
			f.fail(key, "list of structures", v)
			return nil
		}
		out = append(out, m)
	}
	return out
}

func (f *fields) sub(key string) map[string]any {
	switch v := f.m[key].(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	}
	f.fail(key, "structure", f.m[key])
	return nil
}

// parseCount parses --count N or N:M (MinCount:MaxCount).
func parseCount(s string) (minCount, maxCount int32, err error) {
	lo, hi, ranged := strings.Cut(s, ":")
	a, err := strconv.ParseInt(strings.TrimSpace(lo), 10, 32)
	if err != nil || a < 1 {
		return 0, 0, fmt.Errorf("invalid --count %q: expected N or MIN:MAX", s)
	}
	b := a
	if ranged {
		b, err = strconv.ParseInt(strings.TrimSpace(hi), 10, 32)
		if err != nil || b < a {
			return 0, 0, fmt.Errorf("invalid --count %q: expected N or MIN:MAX with MIN <= MAX", s)
		}
	}
	return int32(a), int32(b), nil
}
