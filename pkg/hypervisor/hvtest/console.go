package hvtest

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// Console is an interactive session on a domain's serial console.
type Console struct {
	t      testing.TB
	w      *io.PipeWriter
	mu     sync.Mutex
	buf    bytes.Buffer
	done   chan struct{} // closed when the session ends
	err    error
	cancel context.CancelFunc
}

// OpenConsole attaches to name's console until Close or the end of t.
func OpenConsole(t testing.TB, hv hypervisor.Hypervisor, name string) *Console {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	c := &Console{t: t, w: pw, done: make(chan struct{}), cancel: cancel}
	go func() {
		c.err = hv.OpenConsole(ctx, name, pr, c)
		close(c.done)
	}()
	t.Cleanup(c.Close)
	return c
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
	if _, err := c.w.Write([]byte(line + "\n")); err != nil {
		c.t.Fatalf("console send %q: %v", line, err)
	}
}

// Wait waits for want in the output received so far.
func (c *Console) Wait(want string, timeout time.Duration) string {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		out := c.buf.String()
		c.mu.Unlock()
		if strings.Contains(out, want) {
			return out
		}
		select {
		case <-c.done:
			c.t.Fatalf("console closed (%v) before %q; output:\n%s", c.err, want, out)
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("console: no %q after %v; output:\n%s", want, timeout, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Run sends cmd followed by an echo of a unique end marker and returns the
// output that came before that marker.
func (c *Console) Run(cmd string, timeout time.Duration) string {
	c.t.Helper()
	marker := "END-" + strings.TrimPrefix(Prefix(c.t), "ec2test-")
	c.mu.Lock()
	c.buf.Reset()
	c.mu.Unlock()
	c.Send(cmd + "; echo " + marker + `""X`) // the echoed command line shows ""X, the output X
	out := c.Wait(marker+"X\r\n", timeout)
	out = out[:strings.LastIndex(out, marker+"X\r\n")]
	if i := strings.Index(out, `""X`); i >= 0 {
		out = out[i+3:]
	}
	return strings.TrimLeft(out, "\r\n")
}

// Close ends the session and waits for it to finish.
func (c *Console) Close() {
	c.cancel()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
	}
}
