package ctl

import (
	"fmt"
	"strings"
)

// parseShorthand parses the AWS CLI shorthand syntax
// (Key=Value,List=a,b,Nested=[{K=v}],Map={K=v}) into map[string]any,
// []any and string values. It ports awscli/shorthand.py's grammar.
func parseShorthand(s string) (map[string]any, error) {
	p := &shorthand{in: []rune(s)}
	out, err := p.parameter()
	if err != nil {
		return nil, fmt.Errorf("error parsing parameter %q: %w", s, err)
	}
	return out, nil
}

type shorthand struct {
	in []rune
	i  int
}

type syntaxError struct {
	want string
	got  string
	at   int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("expected: '%s', received: '%s' at position %d", e.want, e.got, e.at)
}

func (p *shorthand) eof() bool { return p.i >= len(p.in) }

func (p *shorthand) cur() rune {
	if p.eof() {
		return 0
	}
	return p.in[p.i]
}

func (p *shorthand) skipSpace() {
	for !p.eof() && strings.ContainsRune(" \t\n\r\v\f", p.cur()) {
		p.i++
	}
}

func (p *shorthand) expect(c rune, space bool) error {
	if space {
		p.skipSpace()
	}
	if p.eof() {
		return &syntaxError{want: string(c), got: "EOF", at: p.i}
	}
	if p.cur() != c {
		return &syntaxError{want: string(c), got: string(p.cur()), at: p.i}
	}
	p.i++
	if space {
		p.skipSpace()
	}
	return nil
}

func (p *shorthand) parameter() (map[string]any, error) {
	params := map[string]any{}
	for first := true; first || !p.eof(); first = false {
		if !first {
			if err := p.expect(',', true); err != nil {
				return nil, err
			}
		}
		k, v, err := p.keyval()
		if err != nil {
			return nil, err
		}
		if _, dup := params[k]; dup {
			return nil, fmt.Errorf("second instance of key %q", k)
		}
		params[k] = v
	}
	return params, nil
}

func (p *shorthand) keyval() (string, any, error) {
	k := p.key()
	if err := p.expect('=', true); err != nil {
		return "", nil, err
	}
	v, err := p.values()
	return k, v, err
}

func isKeyChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.#/:", c)
}

func (p *shorthand) key() string {
	start := p.i
	for !p.eof() && isKeyChar(p.cur()) {
		p.i++
	}
	return string(p.in[start:p.i])
}

func (p *shorthand) values() (any, error) {
	switch {
	case p.eof():
		return "", nil
	case p.cur() == '[':
		return p.explicitList()
	case p.cur() == '{':
		return p.hashLiteral()
	}
	return p.csvValue()
}

func (p *shorthand) csvValue() (any, error) {
	first, err := p.firstValue()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() || p.cur() != ',' {
		return first, nil
	}
	p.i++
	p.skipSpace()
	items := []any{first}
	for {
		save := p.i
		v, err := p.secondValue()
		if err == nil {
			p.skipSpace()
			if p.eof() {
				items = append(items, v)
				break
			}
			if err = p.expect(',', true); err == nil {
				items = append(items, v)
				continue
			}
		}
		if p.eof() {
			return nil, err
		}
		// The segment was the next key: back up to the comma before it.
		p.i = save
		for p.i > 0 && p.in[p.i] != ',' {
			p.i--
		}
		break
	}
	if len(items) == 1 {
		return first, nil
	}
	return items, nil
}
