package ctl

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// acceptor is one botocore waiter acceptor (waiters-2.json).
type acceptor struct {
	State    string `json:"state"`    // success, failure, retry
	Matcher  string `json:"matcher"`  // path, pathAll, pathAny, status, error
	Argument string `json:"argument"` // JMESPath over the operation's output
	Expected any    `json:"expected"` // a string, a boolean or a number
}

// waiterSpec is a botocore waiter: an operation polled until an acceptor
// decides.
type waiterSpec struct {
	use         string // the command, e.g. instance-running
	name        string // botocore name, e.g. InstanceRunning
	op          string
	acceptors   []acceptor
	delay       int // seconds between polls
	maxAttempts int
	progress    string // JMESPath listing [id, state] pairs for progress lines
}

// WaiterError is a waiter's terminal failure or timeout.
type WaiterError struct {
	Name, Reason string
}

func (e *WaiterError) Error() string { return fmt.Sprintf("Waiter %s failed: %s", e.Name, e.Reason) }

// decide applies the acceptors to one poll's result, in order. It
// returns "" when no acceptor matched (poll again).
func (w *waiterSpec) decide(doc any, callErr error) (state, reason string, err error) {
	var se *ServiceError
	if callErr != nil && !errors.As(callErr, &se) {
		return "", "", callErr
	}
	for _, acc := range w.acceptors {
		if acc.match(doc, se) {
			return acc.State, acc.explanation(), nil
		}
	}
	if se != nil {
		return "failure", se.Error(), nil
	}
	return "", "", nil
}

// match reports whether the acceptor matches one poll: its document, or
// the service error it got.
func (acc acceptor) match(doc any, se *ServiceError) bool {
	switch acc.Matcher {
	case "error":
		if want, ok := acc.Expected.(bool); ok { // true: any error; false: none
			return (se != nil) == want
		}
		return se != nil && se.Code == acc.Expected
	case "status": // the call's HTTP status: 200 when it succeeded
		return se == nil && jsonNumber(acc.Expected) == 200
	}
	if se != nil {
		return false
	}
	res, err := searchPlain(acc.Argument, doc)
	if err != nil {
		return false
	}
	switch acc.Matcher {
	case "path":
		return sameValue(res, acc.Expected)
	case "pathAll":
		items, ok := res.([]any)
		if !ok || len(items) == 0 { // an empty result never satisfies a waiter
			return false
		}
		for _, it := range items {
			if !sameValue(it, acc.Expected) {
				return false
			}
		}
		return true
	case "pathAny":
		items, _ := res.([]any)
		for _, it := range items {
			if sameValue(it, acc.Expected) {
				return true
			}
		}
	}
	return false
}

// explanation is botocore's wording of a matched acceptor.
func (acc acceptor) explanation() string {
	want := scalarString(acc.Expected)
	switch acc.Matcher {
	case "path":
		return fmt.Sprintf(`For expression "%s" we matched expected path: "%s"`, acc.Argument, want)
	case "pathAll":
		return fmt.Sprintf(`For expression "%s" all members matched expected path: "%s"`, acc.Argument, want)
	case "pathAny":
		return fmt.Sprintf(`For expression "%s" we matched expected path: "%s" at least once`, acc.Argument, want)
	case "status":
		return "Matched expected HTTP status code: " + want
	case "error":
		return "Matched expected service error code: " + want
	}
	return fmt.Sprintf(`No explanation for unknown waiter type: "%s"`, acc.Matcher)
}

// sameValue compares a JMESPath result with an acceptor's expected value
// (numbers of either origin as float64).
func sameValue(got, want any) bool {
	if n, ok := want.(float64); ok {
		g, isNum := got.(float64)
		return isNum && g == n
	}
	return reflect.DeepEqual(got, want)
}

func jsonNumber(v any) float64 {
	n, _ := v.(float64)
	return n
}

// waitOpts are the polling flags of every wait subcommand.
type waitOpts struct {
	delay       float64
	maxAttempts int
}

// wait polls describe until the waiter succeeds, fails or runs out of
// attempts, reporting progress on stderr.
func (a *app) wait(ctx context.Context, w *waiterSpec, o waitOpts, describe describeFunc) error {
	p := newProgress(a.env.stderr, a.env.stderrTTY, w)
	defer p.done()
	for attempt := 1; ; attempt++ {
		doc, callErr := a.fetch(ctx, w.op, describe)
		var ue *usageError
		if errors.As(callErr, &ue) {
			return callErr
		}
		state, reason, err := w.decide(doc, callErr)
		if err != nil {
			return err
		}
		p.update(attempt, o.maxAttempts, doc, callErr)
		switch state {
		case "success":
			return nil
		case "failure":
			return &WaiterError{Name: w.name, Reason: "Waiter encountered a terminal failure state: " + reason}
		}
		if attempt >= o.maxAttempts {
			return &WaiterError{Name: w.name, Reason: "Max attempts exceeded"}
		}
		if err := a.env.sleep(ctx, time.Duration(o.delay*float64(time.Second))); err != nil {
			return err
		}
	}
}
