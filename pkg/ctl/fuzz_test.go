package ctl

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// FuzzShorthand: any input parses or fails with a clear error, and what
// parses renders (quoted, explicit lists and maps) to shorthand that parses
// back to the same value.
func FuzzShorthand(f *testing.F) {
	for _, s := range []string{
		"Key=Value", "A=1,B=2", "List=a,b,c,Other=x", "Nested=[{K=v},{K=w}]", "Map={K=v,L=[1,2]}",
		`Q="a,b",R='c"d'`, `E=a\,b`, "K=", "=", "K={", "K=[", `K="unterminated`, "K=v,K=w", " K = v ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseShorthand(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "error parsing parameter ") {
				t.Fatalf("parseShorthand(%q): unclear error %v", s, err)
			}
			return
		}
		wire, ok := renderShorthand(got)
		if !ok {
			return // a string no quoting can carry (both quotes or a backslash)
		}
		again, err := parseShorthand(wire)
		if err != nil {
			t.Fatalf("parseShorthand(%q) = %#v renders %q, which fails: %v", s, got, wire, err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("round trip of %q via %q: got %#v, want %#v", s, wire, again, got)
		}
	})
}

// renderShorthand writes m as shorthand; ok is false when a string cannot
// be quoted unambiguously.
func renderShorthand(m map[string]any) (string, bool) {
	var b strings.Builder
	ok := renderPairs(&b, m)
	return b.String(), ok
}

func renderPairs(b *strings.Builder, m map[string]any) bool {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=")
		if !renderValue(b, m[k]) {
			return false
		}
	}
	return true
}

func renderValue(b *strings.Builder, v any) bool {
	switch v := v.(type) {
	case string:
		switch {
		case strings.ContainsRune(v, '\\'):
			return false
		case !strings.ContainsRune(v, '"'):
			b.WriteString(`"` + v + `"`)
		case !strings.ContainsRune(v, '\''):
			b.WriteString(`'` + v + `'`)
		default:
			return false
		}
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if !renderValue(b, e) {
				return false
			}
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		if !renderPairs(b, v) {
			return false
		}
		b.WriteByte('}')
	default:
		return false
	}
	return true
}

// FuzzDecodeResume: a --starting-token either decodes to a usable token
// (paginate skips Truncate items: never negative) that re-encodes and
// decodes the same, or is refused as a usage error.
func FuzzDecodeResume(f *testing.F) {
	f.Add("")
	f.Add(encodeResume(resumeToken{NextToken: "abc", Truncate: 2}))
	f.Add(encodeResume(resumeToken{NextToken: "x"}))
	f.Add("eyJOZXh0VG9rZW4iOjF9") // {"NextToken":1}
	f.Add("not base64!")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := decodeResume(s)
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("decodeResume(%q): %v is not a usage error", s, err)
			}
			return
		}
		if tok.Truncate < 0 {
			t.Fatalf("decodeResume(%q) = %+v: negative truncate amount", s, tok)
		}
		again, err := decodeResume(encodeResume(tok))
		if err != nil || again != tok {
			t.Fatalf("decodeResume(%q) = %+v; re-encoded it decodes to %+v, %v", s, tok, again, err)
		}
	})
}
