package ctl

import (
	"io"
	"sort"
	"strings"
)

// textPrinter is a port of the AWS CLI's text format (awscli/text.py):
// scalars of an object on one tab-separated line (keys sorted, the
// members ec2lab adds after EC2's), nested lists and objects on lines
// prefixed by their upper-cased key.
type textPrinter struct{}

func (textPrinter) Print(w io.Writer, _ string, doc any) error {
	var b strings.Builder
	formatText(&b, doc, "", nil)
	_, err := io.WriteString(w, b.String())
	return err
}

func formatText(b *strings.Builder, v any, ident string, scalarKeys []string) {
	switch t := v.(type) {
	case *Object:
		textObject(b, t, ident, scalarKeys)
	case []any:
		textList(b, t, ident)
	default:
		b.WriteString(scalarString(v) + "\n")
	}
}

func textList(b *strings.Builder, items []any, ident string) {
	if len(items) == 0 {
		return
	}
	var scalars, nested []any
	hasObject := false
	for _, e := range items {
		if _, ok := e.(*Object); ok {
			hasObject = true
		}
		if isScalar(e) {
			scalars = append(scalars, e)
		} else {
			nested = append(nested, e)
		}
	}
	if hasObject {
		keys := allScalarKeys(items)
		for _, e := range items {
			formatText(b, e, ident, keys)
		}
		return
	}
	if len(scalars) > 0 {
		textScalars(b, scalars, ident)
	}
	for _, e := range nested {
		formatText(b, e, ident, nil)
	}
}

func textScalars(b *strings.Builder, items []any, ident string) {
	if ident != "" {
		for _, e := range items {
			b.WriteString(strings.ToUpper(ident) + "\t" + scalarString(e) + "\n")
		}
		return
	}
	parts := make([]string, len(items))
	for i, e := range items {
		parts[i] = scalarString(e)
	}
	b.WriteString(strings.Join(parts, "\t") + "\n")
}

func textObject(b *strings.Builder, o *Object, ident string, scalarKeys []string) {
	var scalars []string
	var nestedKeys []string
	if scalarKeys == nil {
		for _, k := range sortedKeys(o) {
			if v := o.vals[k]; isScalar(v) {
				scalars = append(scalars, scalarString(v))
			} else {
				nestedKeys = append(nestedKeys, k)
			}
		}
	} else {
		seen := map[string]bool{}
		for _, k := range scalarKeys {
			seen[k] = true
			v, ok := o.vals[k]
			s := ""
			if ok {
				s = scalarString(v)
			}
			scalars = append(scalars, s)
		}
		for _, k := range sortedKeys(o) {
			if !seen[k] {
				nestedKeys = append(nestedKeys, k)
			}
		}
	}
	if len(scalars) > 0 {
		if ident != "" {
			scalars = append([]string{strings.ToUpper(ident)}, scalars...)
		}
		b.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, k := range nestedKeys {
		formatText(b, o.vals[k], k, nil)
	}
}

func allScalarKeys(items []any) []string {
	seen, extra := map[string]bool{}, map[string]bool{}
	for _, e := range items {
		if o, ok := e.(*Object); ok {
			for _, k := range o.keys {
				if isScalar(o.vals[k]) {
					seen[k] = true
					extra[k] = extra[k] || o.extra[k]
				}
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sortTextKeys(keys, extra)
	return keys
}

func sortedKeys(o *Object) []string {
	keys := append([]string(nil), o.keys...)
	sortTextKeys(keys, o.extra)
	return keys
}

// sortTextKeys sorts keys as the AWS CLI does, EC2's members first and
// then those ec2lab adds (extra).
func sortTextKeys(keys []string, extra map[string]bool) {
	sort.Slice(keys, func(i, j int) bool {
		if extra[keys[i]] != extra[keys[j]] {
			return !extra[keys[i]]
		}
		return keys[i] < keys[j]
	})
}
