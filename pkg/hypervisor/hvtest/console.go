package hvtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// Console is an interactive session on a domain's serial console.
type Console struct {
	t    testing.TB
	hv   hypervisor.Hypervisor
	name string

	mu     sync.Mutex
	buf    bytes.Buffer
	w      *io.PipeWriter
	done   chan struct{} // closed when the current session ends
	err    error
	cancel context.CancelFunc
}

// OpenConsole attaches to name's console until Close or the end of t.
func OpenConsole(t testing.TB, hv hypervisor.Hypervisor, name string) *Console {
	t.Helper()
	c := &Console{t: t, hv: hv, name: name}
	c.open()
	t.Cleanup(c.Close)
	return c
}

// open starts a (new) session.
func (c *Console) open() {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan struct{})
	c.mu.Lock()
	c.w, c.done, c.cancel, c.err = pw, done, cancel, nil
	c.mu.Unlock()
	go func() {
		err := c.hv.OpenConsole(ctx, c.name, pr, c)
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(done)
	}()
}

func (c *Console) session() (*io.PipeWriter, chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w, c.done, c.err
}

// Write collects guest output.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

// Send types line (plus a newline) into the guest.
func (c *Console) Send(line string) {
	c.t.Helper()
	w, _, _ := c.session()
	if _, err := w.Write([]byte(line + "\n")); err != nil {
		c.t.Fatalf("console send %q: %v", line, err)
	}
}

// Wait waits for want in the output received so far.
func (c *Console) Wait(want string, timeout time.Duration) string {
	c.t.Helper()
	out, err := c.wait(want, timeout)
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// errEnded is a session that ended before the awaited output.
type errEnded struct {
	cause error
	want  string
	out   string
}

func (e errEnded) Error() string {
	return fmt.Sprintf("console closed (%v) before %q; output:\n%s", e.cause, e.want, e.out)
}

func (c *Console) wait(want string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		out := c.buf.String()
		c.mu.Unlock()
		if strings.Contains(out, want) {
			return out, nil
		}
		_, done, _ := c.session()
		select {
		case <-done:
			_, _, err := c.session()
			return out, errEnded{cause: err, want: want, out: out}
		default:
		}
		if time.Now().After(deadline) {
			return out, fmt.Errorf("console: no %q after %v; output:\n%s", want, timeout, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Run sends cmd followed by an echo of a unique end marker and returns the
// output that came before that marker. A session libvirtd ends at once,
// before any output (a forced takeover racing the previous session's end),
// is opened again and the command sent again.
func (c *Console) Run(cmd string, timeout time.Duration) string {
	c.t.Helper()
	marker := "END-" + strings.TrimPrefix(Prefix(c.t), "ec2test-")
	for attempt := 1; ; attempt++ {
		c.mu.Lock()
		c.buf.Reset()
		c.mu.Unlock()
		c.Send(cmd + "; echo " + marker + `""X`) // the echoed command line shows ""X, the output X
		out, err := c.wait(marker+"X\r\n", timeout)
		var ended errEnded
		if errors.As(err, &ended) && ended.out == "" && attempt < 3 {
			c.t.Logf("console session ended at once (%v); opening it again", ended.cause)
			c.open()
			continue
		}
		if err != nil {
			c.t.Fatal(err)
		}
		out = out[:strings.LastIndex(out, marker+"X\r\n")]
		if i := strings.Index(out, `""X`); i >= 0 {
			out = out[i+3:]
		}
		return strings.TrimLeft(out, "\r\n")
	}
}

// Close ends the session and waits for it to finish.
func (c *Console) Close() {
	c.mu.Lock()
	cancel, done := c.cancel, c.done
	c.mu.Unlock()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}
