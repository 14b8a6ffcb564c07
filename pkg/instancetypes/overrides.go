package instancetypes

import (
	"bytes"
	"fmt"

	"sigs.k8s.io/yaml"
)

// overrideFile is the document shape with a top-level key; a bare list of
// types is accepted too.
type overrideFile struct {
	InstanceTypes []Type `json:"instance_types"`
}

// ParseOverrides reads operator instance types from YAML or JSON: either a
// list of types or an object {"instance_types": [...]}. Field names are
// snake_case (memory_mib, dedicated_cpu, ...); unknown fields are errors so
// that typos do not pass silently. Each type is validated.
func ParseOverrides(yamlOrJSON []byte) ([]Type, error) {
	trimmed := bytes.TrimSpace(yamlOrJSON)
	if len(trimmed) == 0 {
		return nil, nil
	}
	types, err := decodeOverrides(trimmed)
	if err != nil {
		return nil, fmt.Errorf("parse instance type overrides: %w", err)
	}
	out := make([]Type, 0, len(types))
	for i, t := range types {
		n, err := normalize(t)
		if err != nil {
			return nil, fmt.Errorf("instance type overrides entry %d: %w", i+1, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// decodeOverrides looks at the document's shape first so that errors speak
// about the shape the operator wrote.
func decodeOverrides(doc []byte) ([]Type, error) {
	var shape any
	if err := yaml.Unmarshal(doc, &shape); err != nil {
		return nil, err
	}
	switch shape.(type) {
	case []any:
		var types []Type
		err := yaml.UnmarshalStrict(doc, &types)
		return types, err
	case map[string]any:
		var f overrideFile
		err := yaml.UnmarshalStrict(doc, &f)
		return f.InstanceTypes, err
	default:
		return nil, fmt.Errorf("want a list of instance types or an object with instance_types, got %T", shape)
	}
}
