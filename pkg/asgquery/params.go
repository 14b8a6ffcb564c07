package asgquery

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// params are a request's form parameters; each read marks its name, and
// done refuses whatever no read asked for.
type params struct {
	v    url.Values
	used map[string]bool
}

func newParams(v url.Values) *params {
	return &params{v: v, used: map[string]bool{"Action": true, "Version": true}}
}

func (p *params) str(name string) (string, bool) {
	p.used[name] = true
	vs, ok := p.v[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

func (p *params) strp(name string) *string {
	if v, ok := p.str(name); ok {
		return &v
	}
	return nil
}

func (p *params) int(name string) (*int, error) {
	v, ok := p.str(name)
	if !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, ec2err.New(ec2err.ValidationError, "Value '%s' at '%s' failed to satisfy constraint: Member must be an integer", clip(v), lowerFirst(name))
	}
	return &n, nil
}

func (p *params) bool(name string) (bool, error) {
	v, ok := p.str(name)
	if !ok {
		return false, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, ec2err.New(ec2err.ValidationError, "Value '%s' at '%s' failed to satisfy constraint: Member must be true or false", clip(v), lowerFirst(name))
}

// indices are the N of name.member.N[.*] parameters, sorted.
func (p *params) indices(name string) ([]int, error) {
	prefix := name + ".member."
	seen := map[int]bool{}
	var out []int
	for k := range p.v {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			return nil, ec2err.New(ec2err.ValidationError, "Malformed list parameter %s", clip(k))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// list reads name.member.N.
func (p *params) list(name string) ([]string, error) {
	ns, err := p.indices(name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range ns {
		v, _ := p.str(fmt.Sprintf("%s.member.%d", name, n))
		out = append(out, v)
	}
	return out, nil
}

// filtered: a describe call that names what it wants (Throttling).
func (p *params) filtered() bool {
	for k := range p.v {
		if strings.Contains(k, ".member.") || k == "MaxRecords" || k == "AutoScalingGroupName" {
			return true
		}
	}
	return false
}

// done refuses the parameters no read asked for: ec2lab does not serve
// them (or they do not exist).
func (p *params) done(action string) error {
	var left []string
	for k := range p.v {
		if !p.used[k] {
			left = append(left, k)
		}
	}
	if len(left) == 0 {
		return nil
	}
	sort.Strings(left)
	return ec2err.New(ec2err.ValidationError, "ec2lab's %s does not support the parameter %s (it serves launch templates, sizes, subnets, EC2 health checks, termination policies and tags)",
		action, clip(left[0]))
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
