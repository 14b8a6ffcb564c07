package ctl

import (
	"context"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/term"
)

// env is everything a command touches outside its flags; tests replace
// parts of it through Options.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	stdoutTTY      bool
	stderrTTY      bool
	stdinTTY       bool
	stdinFd        int
	dialer         func(ctx context.Context, addr string) (net.Conn, error)
	sleep          func(ctx context.Context, d time.Duration) error
}

// Option customizes NewRootCommand.
type Option func(*env)

// WithIO sets stdin, stdout and stderr; TTY detection then reports false
// unless WithTTY says otherwise.
func WithIO(in io.Reader, out, errOut io.Writer) Option {
	return func(e *env) {
		e.stdin, e.stdout, e.stderr = in, out, errOut
		e.stdoutTTY, e.stderrTTY, e.stdinTTY, e.stdinFd = false, false, false, -1
	}
}

// WithTTY forces whether stdout and stderr count as terminals.
func WithTTY(tty bool) Option { return func(e *env) { e.stdoutTTY, e.stderrTTY = tty, tty } }

// WithEnv replaces os.Getenv.
func WithEnv(getenv func(string) string) Option { return func(e *env) { e.getenv = getenv } }

// WithDialer makes every connection go through dial (in-process tests
// use a bufconn listener); the endpoint's TLS setting still applies.
func WithDialer(dial func(ctx context.Context, addr string) (net.Conn, error)) Option {
	return func(e *env) { e.dialer = dial }
}

// WithSleep replaces the waiters' sleep.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(e *env) { e.sleep = sleep }
}

func defaultEnv() *env {
	return &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv:    os.Getenv,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdinFd:   int(os.Stdin.Fd()),
		sleep:     sleepCtx,
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// terminalWidth is stdout's width in columns, 80 when unknown.
func terminalWidth() int {
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		return w
	}
	return 80
}
