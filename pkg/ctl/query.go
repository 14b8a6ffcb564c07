package ctl

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/jmespath/go-jmespath"
)

// plainDoc is a document in the shape JMESPath works on: map[string]any,
// []any, float64, string, bool, nil. order remembers each map's original
// key order (by map identity) so printers can keep the AWS member order
// after a query.
type plainDoc struct {
	order map[uintptr]*Object // the Object each map came from: its keys and extra marks
}

func (p *plainDoc) convert(v any) any {
	switch t := v.(type) {
	case *Object:
		m := make(map[string]any, t.Len())
		for _, k := range t.keys {
			m[k] = p.convert(t.vals[k])
		}
		p.order[reflect.ValueOf(m).Pointer()] = t
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = p.convert(e)
		}
		return out
	case int64:
		return float64(t)
	case int32:
		return float64(t)
	case int:
		return float64(t)
	}
	return v
}

// restore turns maps back into Objects, in their original key order when
// known and sorted otherwise.
func (p *plainDoc) restore(v any) any {
	switch t := v.(type) {
	case map[string]any:
		var keys []string
		o := NewObject()
		if src, ok := p.order[reflect.ValueOf(t).Pointer()]; ok {
			keys, o.extra = src.keys, src.extra
		} else {
			keys = make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		}
		for _, k := range keys {
			if e, ok := t[k]; ok {
				o.Set(k, p.restore(e))
			}
		}
		return o
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = p.restore(e)
		}
		return out
	}
	return v
}

// applyQuery evaluates a JMESPath expression against doc and returns the
// result as a document (Objects keep the AWS member order).
func applyQuery(expr string, doc any) (any, error) {
	q, err := jmespath.Compile(elideLiteralQuotes(expr))
	if err != nil {
		return nil, fmt.Errorf("bad value for --query %s: %w", expr, err)
	}
	p := &plainDoc{order: map[uintptr]*Object{}}
	res, err := q.Search(p.convert(doc))
	if err != nil {
		return nil, fmt.Errorf("--query %s: %w", expr, err)
	}
	return p.restore(res), nil
}

// searchPlain evaluates expr against doc and returns the raw result
// (numbers are float64); waiters use it.
func searchPlain(expr string, doc any) (any, error) {
	p := &plainDoc{order: map[uintptr]*Object{}}
	return jmespath.Search(elideLiteralQuotes(expr), p.convert(doc))
}
