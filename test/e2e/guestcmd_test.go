package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// guestCmdTimeout bounds one command in a guest (TCG guests are slow).
const guestCmdTimeout = 90 * time.Second

// guestRun runs cmd in the busybox shell on instance id's serial console,
// through ec2d's StreamConsole, and returns what it printed (CR stripped).
// It fails t when the command exits non-zero or never finishes.
//
// The command is framed by `echo BEGIN-"N"` and `echo END-"N"-$?`: the shell
// echoes the typed line with the quotes and `$?`, so only the real output
// matches BEGIN-N and END-N-<digits>.
func (r *region) guestRun(t *testing.T, id, cmd string) string {
	t.Helper()
	out, code, err := r.guestExec(id, cmd, guestCmdTimeout)
	if err != nil {
		t.Fatalf("guest %s: %q: %v", id, cmd, err)
	}
	if code != 0 {
		t.Fatalf("guest %s: %q exited %d:\n%s", id, cmd, code, out)
	}
	return out
}

// errNoOutput is a console session that ended before the command started.
var errNoOutput = errors.New("console ended before the command started")

// guestConsole is one long-lived StreamConsole session. Sessions are kept
// per instance and reused: opening and closing a libvirt console for every
// command proved fragile. A session ends with its domain or with ec2d.
type guestConsole struct {
	run  sync.Mutex // one command at a time
	mu   sync.Mutex
	buf  strings.Builder
	send func([]byte) error
	done chan struct{}
	err  error
}

var consoles sync.Map // "<grpc addr>/<instance id>" → *guestConsole

// console returns the open session to instance id, opening one if needed.
func (r *region) console(id string) (*guestConsole, error) {
	key := r.GRPC + "/" + id
	if v, ok := consoles.Load(key); ok {
		c := v.(*guestConsole)
		select {
		case <-c.done:
			consoles.CompareAndDelete(key, c)
		default:
			return c, nil
		}
	}
	stream, err := r.Client.StreamConsole(context.Background())
	if err != nil {
		return nil, fmt.Errorf("open console: %w", err)
	}
	c := &guestConsole{done: make(chan struct{})}
	c.send = func(b []byte) error { return stream.Send(&v1.ConsoleInput{Data: b}) }
	if err := stream.Send(&v1.ConsoleInput{InstanceId: id}); err != nil {
		return nil, fmt.Errorf("open console: %w", err)
	}
	go func() {
		defer close(c.done)
		for {
			chunk, err := stream.Recv()
			if err != nil {
				c.err = err
				return
			}
			c.mu.Lock()
			c.buf.Write(chunk.GetData())
			c.mu.Unlock()
		}
	}()
	consoles.Store(key, c)
	return c, nil
}

// guestExec is guestRun without a testing.T: output, exit code, error. A
// session that ends before the command started is reopened and the command
// sent again; the commands the tests run are idempotent.
func (r *region) guestExec(id, cmd string, timeout time.Duration) (string, int, error) {
	for attempt := 1; ; attempt++ {
		c, err := r.console(id)
		if err != nil {
			return "", 0, err
		}
		out, code, err := c.exec(cmd, timeout)
		if !errors.Is(err, errNoOutput) || attempt == 5 {
			return out, code, err
		}
		time.Sleep(time.Second)
	}
}

func (c *guestConsole) exec(cmd string, timeout time.Duration) (string, int, error) {
	c.run.Lock()
	defer c.run.Unlock()
	c.mu.Lock()
	start := c.buf.Len()
	c.mu.Unlock()
	nonce := fmt.Sprintf("%08x", rand.Uint32())
	begin := "BEGIN-" + nonce + "\n"
	end := regexp.MustCompile(`END-` + nonce + `-(\d+)\n`)
	// A leading newline ends whatever half-typed line may be pending.
	line := fmt.Sprintf("\necho BEGIN-\"%s\"; %s; echo END-\"%s\"-$?\n", nonce, cmd, nonce)
	if err := c.send([]byte(line)); err != nil {
		return "", 0, fmt.Errorf("%w: send: %v", errNoOutput, err)
	}
	deadline := time.After(timeout)
	ended := false
	for {
		c.mu.Lock()
		all := strings.ReplaceAll(c.buf.String()[start:], "\r", "")
		c.mu.Unlock()
		if i := strings.Index(all, begin); i >= 0 {
			rest := all[i+len(begin):]
			if m := end.FindStringSubmatchIndex(rest); m != nil {
				code, _ := strconv.Atoi(rest[m[2]:m[3]])
				return rest[:m[0]], code, nil
			}
		}
		if ended { // the output was checked once more after the end
			if !strings.Contains(all, begin) {
				return "", 0, fmt.Errorf("%w (%v): %q", errNoOutput, c.err, tail(all, 200))
			}
			return "", 0, fmt.Errorf("console ended (%v); output:\n%s", c.err, tail(all, 2000))
		}
		select {
		case <-c.done:
			ended = true
		case <-deadline:
			return "", 0, fmt.Errorf("no end marker after %v; output:\n%s", timeout, tail(all, 2000))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
