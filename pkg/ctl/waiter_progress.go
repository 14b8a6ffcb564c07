package ctl

import (
	"fmt"
	"io"
	"strings"
)

var spinnerFrames = []string{"|", "/", "-", `\`}

// progress shows a waiter's current states: one line rewritten in place
// on a terminal, a plain line per change otherwise.
type progress struct {
	w    io.Writer
	tty  bool
	spec *waiterSpec
	last string
	used bool
}

func newProgress(w io.Writer, tty bool, spec *waiterSpec) *progress {
	return &progress{w: w, tty: tty, spec: spec}
}

func (p *progress) update(attempt, maxAttempts int, doc any, callErr error) {
	summary := p.summary(doc, callErr)
	if p.tty {
		frame := spinnerFrames[attempt%len(spinnerFrames)]
		fmt.Fprintf(p.w, "\r\x1b[K%s waiting for %s (%d/%d): %s", frame, p.spec.name, attempt, maxAttempts, summary)
		p.used = true
		return
	}
	if summary != p.last {
		fmt.Fprintf(p.w, "waiting for %s (attempt %d/%d): %s\n", p.spec.name, attempt, maxAttempts, summary)
		p.last = summary
	}
}

func (p *progress) done() {
	if p.tty && p.used {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// summary renders "id state, id state" from the waiter's progress path.
func (p *progress) summary(doc any, callErr error) string {
	if callErr != nil {
		if se, ok := callErr.(*ServiceError); ok {
			return se.Code
		}
		return callErr.Error()
	}
	res, err := searchPlain(p.spec.progress, doc)
	rows, _ := res.([]any)
	if err != nil || len(rows) == 0 {
		return "(no matching resources)"
	}
	parts := make([]string, 0, len(rows))
	for _, r := range rows {
		cols, _ := r.([]any)
		var fields []string
		for _, c := range cols {
			if c != nil && c != "" {
				fields = append(fields, scalarString(c))
			}
		}
		parts = append(parts, strings.Join(fields, " "))
	}
	return strings.Join(parts, ", ")
}
