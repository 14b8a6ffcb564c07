// Package ctl owns ec2ctl, the command-line client shaped like `aws ec2`:
// the cobra command tree, flag parsing (including the AWS CLI shorthand
// syntax), the conversion of ec2lab API messages into documents with the
// EC2 API's member names, JMESPath queries, the json/yaml/table/text
// printers, waiters and the interactive serial console.
package ctl

import (
	"bytes"
	"encoding/json"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// Object is a JSON object that keeps its keys in insertion order, so that
// documents print their members in the order the AWS CLI prints them.
type Object struct {
	keys []string
	vals map[string]any
	// extra marks the members ec2lab adds to an EC2 shape: --output text
	// puts them after EC2's columns, so that scripts written for the AWS
	// CLI find EC2's columns where the AWS CLI prints them.
	extra map[string]bool
}

// NewObject returns an empty Object.
func NewObject() *Object { return &Object{vals: map[string]any{}} }

// Set sets k to v, appending k if it is new.
func (o *Object) Set(k string, v any) *Object {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

// Str sets k to s unless s is empty (EC2 leaves absent members out).
func (o *Object) Str(k, s string) *Object {
	if s != "" {
		o.Set(k, s)
	}
	return o
}

// Int sets k to n unless n is zero.
func (o *Object) Int(k string, n int64) *Object {
	if n != 0 {
		o.Set(k, n)
	}
	return o
}

// Time sets k to t in the EC2 wire format unless t is unset.
func (o *Object) Time(k string, t *timestamppb.Timestamp) *Object {
	if t != nil && (t.Seconds != 0 || t.Nanos != 0) {
		o.Set(k, formatTime(t.AsTime()))
	}
	return o
}

// MarkExtra marks keys as members ec2lab adds to the EC2 shape.
func (o *Object) MarkExtra(keys ...string) *Object {
	if o.extra == nil {
		o.extra = map[string]bool{}
	}
	for _, k := range keys {
		o.extra[k] = true
	}
	return o
}

// Keys returns the keys in order.
func (o *Object) Keys() []string { return o.keys }

// Get returns the value of k.
func (o *Object) Get(k string) (any, bool) { v, ok := o.vals[k]; return v, ok }

// Len is the number of members.
func (o *Object) Len() int { return len(o.keys) }

// MarshalJSON writes the members in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, _ := marshalJSON(k)
		vb, err := marshalJSON(o.vals[k])
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, kb...), ':'), vb...)
	}
	return append(buf, '}'), nil
}

// formatTime is how EC2 (and so AWS CLI v1) prints timestamps.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// list converts a typed slice into a document list; it is never nil so
// that empty lists print as [].
func list[T any](items []T, conv func(T) any) []any {
	out := make([]any, 0, len(items))
	for _, it := range items {
		out = append(out, conv(it))
	}
	return out
}

// strList converts strings into a document list.
func strList(items []string) []any {
	return list(items, func(s string) any { return s })
}

// marshalJSON is json.Marshal without HTML escaping (the AWS CLI prints
// <, > and & as they are).
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
