package ctl

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// readParam resolves the AWS CLI's file:// (text) and fileb:// (bytes)
// prefixes; any other value is taken literally.
func readParam(v string) ([]byte, error) {
	for _, prefix := range []string{"fileb://", "file://"} {
		if path, ok := strings.CutPrefix(v, prefix); ok {
			b, err := os.ReadFile(expandHome(path))
			if err != nil {
				return nil, fmt.Errorf("unable to load paramfile %s: %w", v, err)
			}
			return b, nil
		}
	}
	return []byte(v), nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return home + "/" + rest
		}
	}
	return p
}

// parseStructured parses one value of a structure (or list of structures)
// parameter: JSON when it starts with [ or { (as the AWS CLI decides),
// shorthand otherwise.
func parseStructured(flag, raw string) (any, error) {
	b, err := readParam(raw)
	if err != nil {
		return nil, err
	}
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("error parsing parameter '--%s': invalid JSON: %w", flag, err)
		}
		return v, nil
	}
	m, err := parseShorthand(s)
	if err != nil {
		return nil, fmt.Errorf("error parsing parameter '--%s': %w", flag, err)
	}
	return m, nil
}

// structList parses every value of a list-of-structures parameter and
// flattens JSON lists.
func structList(flag string, raws []string) ([]map[string]any, error) {
	var out []map[string]any
	for _, raw := range raws {
		v, err := parseStructured(flag, raw)
		if err != nil {
			return nil, err
		}
		items, ok := v.([]any)
		if !ok {
			items = []any{v}
		}
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("error parsing parameter '--%s': expected a structure, got %v", flag, it)
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// oneStruct parses a flag that takes exactly one structure; expect says
// which in the error.
func oneStruct(flag, raw, expect string) (map[string]any, error) {
	ms, err := structList(flag, []string{raw})
	if err != nil {
		return nil, err
	}
	if len(ms) != 1 {
		return nil, fmt.Errorf("error parsing parameter '--%s': expected %s", flag, expect)
	}
	return ms[0], nil
}
