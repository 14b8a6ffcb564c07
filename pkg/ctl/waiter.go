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
	state    string // success, failure, retry
	matcher  string // path, pathAll, pathAny, error
	argument string // JMESPath over the operation's output
	expected string
}

// waiterSpec is a botocore waiter: an operation polled until an acceptor
// decides.
type waiterSpec struct {
	name      string // botocore name, e.g. InstanceRunning
	op        string
	acceptors []acceptor
	progress  string // JMESPath listing [id, state] pairs for progress lines
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
		if matched, why := acc.match(doc, se); matched {
			return acc.state, why, nil
		}
	}
	if se != nil {
		return "failure", se.Error(), nil
	}
	return "", "", nil
}

func (acc acceptor) match(doc any, se *ServiceError) (bool, string) {
	if acc.matcher == "error" {
		return se != nil && se.Code == acc.expected, "Matched expected service error code: " + acc.expected
	}
	if se != nil {
		return false, ""
	}
	res, err := searchPlain(acc.argument, doc)
	if err != nil {
		return false, ""
	}
	switch acc.matcher {
	case "path":
		return reflect.DeepEqual(res, acc.expected), fmt.Sprintf("For expression %q we matched expected path: %q", acc.argument, acc.expected)
	case "pathAll":
		items, ok := res.([]any)
		if !ok || len(items) == 0 { // an empty result never satisfies a waiter
			return false, ""
		}
		for _, it := range items {
			if it != acc.expected {
				return false, ""
			}
		}
		return true, fmt.Sprintf("For expression %q all members matched expected path: %q", acc.argument, acc.expected)
	case "pathAny":
		items, _ := res.([]any)
		for _, it := range items {
			if it == acc.expected {
				return true, fmt.Sprintf("For expression %q we matched expected path: %q at least once", acc.argument, acc.expected)
			}
		}
	}
	return false, ""
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
