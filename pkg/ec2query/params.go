package ec2query

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// params is the set of Query API parameters of one request, with its keys
// sorted so that every "Name." prefix is a contiguous range.
type params struct {
	vals url.Values
	keys []string
	// read are the keys get has returned: what decoding consumed.
	read map[string]bool
}

func newParams(v url.Values) *params {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &params{vals: v, keys: keys, read: map[string]bool{}}
}

// get returns the first value of key and whether the key is present.
func (p *params) get(key string) (string, bool) {
	v, ok := p.vals[key]
	if !ok || len(v) == 0 {
		return "", false
	}
	p.read[key] = true
	return v[0], true
}

// unread is the first parameter (in sorted order) that decoding did not
// consume and that is not part of the request's envelope (action,
// version, signature), or "".
func (p *params) unread() string {
	for _, k := range p.keys {
		if !p.read[k] && !envelope(k) {
			return k
		}
	}
	return ""
}

// envelope reports whether key belongs to the Query protocol or its
// signature rather than to the action: SigV2's fields, SigV4's presigned
// X-Amz-* query fields.
func envelope(key string) bool {
	switch key {
	case "Action", "Version", "DryRun", "AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
		"Timestamp", "Expires", "SecurityToken":
		return true
	}
	return strings.HasPrefix(key, "X-Amz-")
}

// withPrefix returns the sorted keys that start with prefix.
func (p *params) withPrefix(prefix string) []string {
	i := sort.SearchStrings(p.keys, prefix)
	j := i
	for j < len(p.keys) && strings.HasPrefix(p.keys[j], prefix) {
		j++
	}
	return p.keys[i:j]
}

// has reports whether key is present or is the prefix of a nested name.
func (p *params) has(name string) bool {
	_, ok := p.vals[name]
	return ok || len(p.withPrefix(name+".")) > 0
}

// indices returns the distinct list indices N used under "name.N[.…]",
// ascending. An index must be a positive decimal without leading zeros.
func (p *params) indices(name string) ([]int, error) {
	prefix := name + "."
	var out []int
	for _, k := range p.withPrefix(prefix) {
		seg, _, _ := strings.Cut(k[len(prefix):], ".")
		n, err := strconv.Atoi(seg)
		if err != nil || n < 1 || strconv.Itoa(n) != seg {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid list index in parameter %s", clip(k))
		}
		out = append(out, n)
	}
	sort.Ints(out) // keys sort as strings: "X.10" before "X.2"
	return dedupe(out), nil
}

func dedupe(s []int) []int {
	out := s[:0]
	for i, n := range s {
		if i == 0 || n != s[i-1] {
			out = append(out, n)
		}
	}
	return out
}

// decodeMessage fills m from the parameters under prefix ("" at the top).
func decodeMessage(p *params, prefix string, m protoreflect.Message) error {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		name := prefix + wireName(fd)
		var err error
		switch {
		case fd.IsMap():
			continue
		case fd.IsList():
			err = decodeList(p, name, m, fd)
		case fd.Kind() == protoreflect.MessageKind:
			if len(p.withPrefix(name+".")) > 0 {
				err = decodeMessage(p, name+".", m.Mutable(fd).Message())
			}
		default:
			if v, ok := p.get(name); ok {
				err = setScalar(m, fd, name, v)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// decodeList fills the repeated field fd from "name.1", "name.2", … (or
// "name.N.Member" for lists of structures), in index order.
func decodeList(p *params, name string, m protoreflect.Message, fd protoreflect.FieldDescriptor) error {
	idx, err := p.indices(name)
	if err != nil || len(idx) == 0 {
		return err
	}
	list := m.Mutable(fd).List()
	for _, n := range idx {
		elem := name + "." + strconv.Itoa(n)
		if fd.Kind() == protoreflect.MessageKind {
			v := list.NewElement()
			if err := decodeMessage(p, elem+".", v.Message()); err != nil {
				return err
			}
			list.Append(v)
			continue
		}
		raw, ok := p.get(elem)
		if !ok {
			continue // only deeper keys such as "InstanceId.1.X": not ours
		}
		v, err := scalar(fd, elem, raw)
		if err != nil {
			return err
		}
		list.Append(v)
	}
	return nil
}

func setScalar(m protoreflect.Message, fd protoreflect.FieldDescriptor, name, raw string) error {
	v, err := scalar(fd, name, raw)
	if err != nil {
		return err
	}
	m.Set(fd, v)
	return nil
}

// scalar converts one wire value for field fd (name is its wire name).
func scalar(fd protoreflect.FieldDescriptor, name, raw string) (protoreflect.Value, error) {
	rule := fieldRules[fd.FullName()]
	invalid := func() (protoreflect.Value, error) {
		return protoreflect.Value{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for %s", clip(raw), name)
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		if !utf8.ValidString(raw) {
			return protoreflect.Value{}, ec2err.New(ec2err.InvalidParameterValue, "Value for %s is not valid UTF-8", name)
		}
		return protoreflect.ValueOfString(raw), nil
	case protoreflect.BoolKind:
		if rule.presence {
			return protoreflect.ValueOfBool(true), nil
		}
		b, ok := parseBool(raw)
		if !ok {
			return invalid()
		}
		return protoreflect.ValueOfBool(b), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			return invalid()
		}
		return protoreflect.ValueOfInt32(int32(n)), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return invalid()
		}
		return protoreflect.ValueOfInt64(n), nil
	case protoreflect.BytesKind:
		return decodeBytes(rule, name, raw)
	}
	return protoreflect.Value{}, ec2err.New(ec2err.InternalError, "parameter %s has an unsupported type", name)
}

// decodeBytes decodes a base64 blob (UserData, PublicKeyMaterial).
func decodeBytes(rule fieldRule, name, raw string) (protoreflect.Value, error) {
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return protoreflect.Value{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid BASE64 encoding of %s", name)
	}
	if rule.maxBytes > 0 && len(b) > rule.maxBytes {
		return protoreflect.Value{}, ec2err.New(ec2err.InvalidParameterValue,
			"%s is limited to %d bytes (got %d after base64 decoding)", name, rule.maxBytes, len(b))
	}
	return protoreflect.ValueOfBytes(b), nil
}

// clip shortens a value echoed in an error message.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

// parseBool accepts true and false in any case.
func parseBool(raw string) (bool, bool) {
	switch strings.ToLower(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
