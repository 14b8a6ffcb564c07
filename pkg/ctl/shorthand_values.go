package ctl

import "strings"

// Character classes of awscli/shorthand.py.
func isStartWord(c rune) bool {
	return c == '!' || c >= '#' && c <= '&' || c >= '(' && c <= '+' || c >= '-' && c <= '<' ||
		c >= '>' && c <= 'Z' || c >= '\\' && c <= 'z' || c >= '|'
}

func isFirstFollow(c rune) bool {
	return strings.ContainsRune(" \t\n\r\v\f", c) || c == '!' || c >= '#' && c <= '&' ||
		c >= '(' && c <= '+' || c >= '-' && c <= '\\' || c >= '^' && c <= '|' || c >= '~'
}

func isSecondFollow(c rune) bool {
	return strings.ContainsRune(" \t\n\r\v\f", c) || c == '!' || c >= '#' && c <= '&' ||
		c >= '(' && c <= '+' || c >= '-' && c <= '<' || c >= '>'
}

// word consumes a run matching start/follow, with "\," as an escaped comma.
func (p *shorthand) word(follow func(rune) bool) (string, bool) {
	start := p.i
	for n := 0; !p.eof(); n++ {
		c := p.cur()
		if c == '\\' && p.i+1 < len(p.in) && p.in[p.i+1] == ',' {
			p.i += 2
			continue
		}
		if (n == 0 && !isStartWord(c)) || (n > 0 && !follow(c)) {
			break
		}
		p.i++
	}
	if p.i == start {
		return "", false
	}
	s := strings.ReplaceAll(string(p.in[start:p.i]), `\,`, ",")
	return strings.TrimRight(s, " \t\n\r\v\f"), true
}

func (p *shorthand) firstValue() (string, error) {
	if c := p.cur(); c == '\'' || c == '"' {
		return p.quoted(c)
	}
	s, _ := p.word(isFirstFollow)
	return s, nil
}

func (p *shorthand) secondValue() (string, error) {
	if c := p.cur(); c == '\'' || c == '"' {
		return p.quoted(c)
	}
	s, ok := p.word(isSecondFollow)
	if !ok {
		return "", &syntaxError{want: "<second>", got: "<none>", at: p.i}
	}
	return s, nil
}

func (p *shorthand) quoted(q rune) (string, error) {
	start := p.i
	p.i++
	for !p.eof() {
		c := p.cur()
		if c == '\\' && p.i+1 < len(p.in) && p.in[p.i+1] == q {
			p.i += 2
			continue
		}
		if c == q {
			p.i++
			v := string(p.in[start+1 : p.i-1])
			v = strings.ReplaceAll(v, `\`+string(q), string(q))
			return strings.ReplaceAll(v, `\\`, `\`), nil
		}
		p.i++
	}
	p.i = start
	return "", &syntaxError{want: "<quoted>", got: "<none>", at: start}
}

func (p *shorthand) explicitList() ([]any, error) {
	if err := p.expect('[', true); err != nil {
		return nil, err
	}
	out := []any{}
	for p.cur() != ']' {
		if p.eof() {
			return nil, &syntaxError{want: "]", got: "EOF", at: p.i}
		}
		v, err := p.explicitValue()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.skipSpace()
		if p.cur() != ']' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.skipSpace()
		}
	}
	return out, p.expect(']', false)
}

func (p *shorthand) explicitValue() (any, error) {
	switch p.cur() {
	case '[':
		return p.explicitList()
	case '{':
		return p.hashLiteral()
	}
	return p.firstValue()
}

func (p *shorthand) hashLiteral() (map[string]any, error) {
	if err := p.expect('{', true); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for p.cur() != '}' {
		if p.eof() {
			return nil, &syntaxError{want: "}", got: "EOF", at: p.i}
		}
		k := p.key()
		if err := p.expect('=', true); err != nil {
			return nil, err
		}
		v, err := p.explicitValue()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.cur() != '}' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.skipSpace()
		}
		out[k] = v
	}
	return out, p.expect('}', false)
}
