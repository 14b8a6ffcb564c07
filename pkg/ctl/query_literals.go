package ctl

import (
	"encoding/json"
	"strings"
)

// elideLiteralQuotes rewrites the backtick literals of a JMESPath
// expression that are not JSON into JSON strings, as the AWS CLI's
// jmespath.py does (JEP-12's deprecated "elided quotes" form, which AWS's
// own examples use: [?State.Name==`running`], [?InstanceType==`c5.large`]).
// go-jmespath follows the spec strictly and refuses them ("invalid
// character 'r' looking for beginning of value"). Valid JSON literals
// (`5`, `true`, `"x"`, `{"a":1}`) are left alone, and so are raw strings
// ('...') and quoted identifiers ("..."), in which a backtick is text.
func elideLiteralQuotes(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); {
		switch c := expr[i]; c {
		case '\'', '"':
			end, _ := closingQuote(expr, i, c)
			b.WriteString(expr[i:end])
			i = end
		case '`':
			end, ok := closingQuote(expr, i, '`')
			if !ok {
				b.WriteString(expr[i:]) // unterminated: the parser reports it
				return b.String()
			}
			b.WriteString(literal(expr[i+1 : end-1]))
			i = end
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// closingQuote returns the index just past the quote q closing the token
// that starts at expr[start] (a backslash escapes the next character), or
// len(expr) and false when it is not closed.
func closingQuote(expr string, start int, q byte) (int, bool) {
	for i := start + 1; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i++
		case q:
			return i + 1, true
		}
	}
	return len(expr), false
}

// literal returns the backtick literal of body (its text between the
// backticks): as is when it is JSON, else as the JSON string of its text,
// as jmespath.py reads it; as is again when even that is not JSON (the
// parser then reports the bad literal).
func literal(body string) string {
	text := strings.ReplaceAll(body, "\\`", "`")
	if json.Valid([]byte(text)) {
		return "`" + body + "`"
	}
	quoted := `"` + strings.TrimLeft(text, " \t\n\r") + `"`
	if !json.Valid([]byte(quoted)) {
		return "`" + body + "`"
	}
	return "`" + strings.ReplaceAll(quoted, "`", "\\`") + "`"
}
