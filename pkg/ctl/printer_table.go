package ctl

import (
	"io"
	"sort"
)

// tablePrinter is a port of the AWS CLI's table format
// (awscli/formatter.py TableFormatter): a titled section per object or
// list, scalar members as columns, nested members as indented sections.
// Tables wider than width (the terminal's, else 80) turn single-row
// sections into key/value rows.
type tablePrinter struct{ width int }

func (p tablePrinter) Print(w io.Writer, title string, doc any) error {
	t := &multiTable{width: p.width}
	if t.width <= 0 {
		t.width = 80
	}
	if !t.build(title, doc, 0) {
		return nil
	}
	_, err := io.WriteString(w, t.render())
	return err
}

func (t *multiTable) build(title string, v any, indent int) bool {
	if isEmpty(v) {
		return false
	}
	if title != "" {
		t.newSection(title, indent)
	}
	switch c := v.(type) {
	case []any:
		if _, ok := c[0].(*Object); ok {
			t.subTableFromList(c, indent, title)
			break
		}
		for _, item := range c {
			switch it := item.(type) {
			case []any:
				if allScalars(it) {
					t.cur.addRow(rowStrings(it))
				} else {
					t.build("", it, 0)
				}
			case *Object:
				t.build("", it, 0)
			default:
				t.cur.addRow([]string{scalarString(it)})
			}
		}
	case *Object:
		t.subTableFromObject(c, indent)
	default:
		if t.cur == nil {
			t.newSection("", indent)
		}
		t.cur.addRow([]string{scalarString(c)})
	}
	return true
}

func (t *multiTable) subTableFromObject(o *Object, indent int) {
	headers, more := groupScalarKeys(o)
	if len(headers) == 1 {
		t.cur.addRow([]string{headers[0], scalarString(o.vals[headers[0]])})
	} else if len(headers) > 0 {
		t.cur.addHeader(headers)
		row := make([]string, len(headers))
		for i, h := range headers {
			row[i] = scalarString(o.vals[h])
		}
		t.cur.addRow(row)
	}
	for _, k := range more {
		t.build(k, o.vals[k], indent+1)
	}
}

func (t *multiTable) subTableFromList(items []any, indent int, title string) {
	hs, ms := map[string]bool{}, map[string]bool{}
	for _, e := range items {
		if o, ok := e.(*Object); ok {
			h, m := groupScalarKeys(o)
			for _, k := range h {
				hs[k] = true
			}
			for _, k := range m {
				ms[k] = true
			}
		}
	}
	headers, more := setKeys(hs), setKeys(ms)
	t.cur.addHeader(headers)
	for i, e := range items {
		o, _ := e.(*Object)
		if o == nil {
			o = NewObject()
		}
		if i > 0 && len(more) > 0 {
			t.newSection(title, indent)
			t.cur.addHeader(headers)
		}
		row := make([]string, len(headers))
		for j, h := range headers {
			if v, ok := o.vals[h]; ok {
				row[j] = scalarString(v)
			}
		}
		t.cur.addRow(row)
		for _, k := range more {
			if v, ok := o.vals[k]; ok {
				t.build(k, v, indent+1)
			}
		}
	}
}

func groupScalarKeys(o *Object) (headers, more []string) {
	for _, k := range o.keys {
		if isScalar(o.vals[k]) {
			headers = append(headers, k)
		} else {
			more = append(more, k)
		}
	}
	sort.Strings(headers)
	sort.Strings(more)
	return headers, more
}

func setKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case []any:
		return len(t) == 0
	case *Object:
		return t.Len() == 0
	case string:
		return t == ""
	case bool:
		return !t
	case int64:
		return t == 0
	case float64:
		return t == 0
	}
	return false
}

func allScalars(items []any) bool {
	for _, e := range items {
		if !isScalar(e) {
			return false
		}
	}
	return true
}

func rowStrings(items []any) []string {
	out := make([]string, len(items))
	for i, e := range items {
		out[i] = scalarString(e)
	}
	return out
}
