package memhv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// errTakenOver ends a console session another OpenConsole took over.
var errTakenOver = errors.New("console taken over by another session")

// session is one OpenConsole: guest output queued for its writer.
type session struct {
	mu    sync.Mutex
	cond  *sync.Cond
	queue [][]byte
	done  bool
	err   error
}

func newSession() *session {
	s := &session{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *session) push(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.queue = append(s.queue, bytes.Clone(p))
		s.cond.Signal()
	}
}

// end ends the session with err (nil: a clean end); the first end wins.
func (s *session) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.done, s.err = true, err
		s.cond.Broadcast()
	}
}

// next returns the next queued output; false once the session ended and
// its queue is drained.
func (s *session) next() ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.queue) == 0 && !s.done {
		s.cond.Wait()
	}
	if len(s.queue) == 0 {
		return nil, false
	}
	p := s.queue[0]
	s.queue = s.queue[1:]
	return p, true
}

func (s *session) result() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// OpenConsole attaches to the domain's serial console, taking it over from
// any other session (which then returns an error): guest output goes to
// out, bytes read from in go to the guest (recorded, see ConsoleInput, and
// echoed unless Guest.SilentConsole). It returns when ctx ends, when in
// reaches EOF, or when the domain stops. in may be nil.
func (h *HV) OpenConsole(ctx context.Context, name string, in io.Reader, out io.Writer) error {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	if !d.running() {
		h.mu.Unlock()
		return fmt.Errorf("console of %s: domain is not running", name)
	}
	s := newSession()
	if d.console != nil {
		d.console.end(errTakenOver)
	}
	d.console = s
	h.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		s.end(nil)
	}()
	if in != nil {
		go h.typeIn(d, s, in)
	}
	for {
		p, ok := s.next()
		if !ok {
			break
		}
		if _, err := out.Write(p); err != nil {
			s.end(fmt.Errorf("console of %s: %w", name, err))
		}
	}
	h.mu.Lock()
	if d.console == s {
		d.console = nil
	}
	h.mu.Unlock()
	if err := s.result(); err != nil {
		return fmt.Errorf("console of %s: %w", name, err)
	}
	return nil
}

// typeIn copies in to the guest of d while s is its session.
func (h *HV) typeIn(d *domain, s *session, in io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			h.typed(d, s, buf[:n])
		}
		if errors.Is(err, io.EOF) {
			s.end(nil)
			return
		}
		if err != nil {
			s.end(err)
			return
		}
	}
}

// typed hands p to the guest: recorded, and echoed (newlines as CRLF, as a
// tty does) unless the guest is silent.
func (h *HV) typed(d *domain, s *session, p []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d.console != s {
		return // the session ended
	}
	d.input.Write(p)
	if !h.guests[d.name].SilentConsole {
		_ = h.guestOutputLocked(d, bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")))
	}
}

// guestOutputLocked is output of d's guest: recorded, sent to the session
// and appended to the console log file of the live configuration.
func (h *HV) guestOutputLocked(d *domain, p []byte) error {
	d.output.Write(p)
	if d.console != nil {
		d.console.push(p)
	}
	if len(d.live.Devices.Serials) == 0 || d.live.Devices.Serials[0].Log == nil {
		return nil
	}
	f, err := os.OpenFile(d.live.Devices.Serials[0].Log.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("console log of %s: %w", d.name, err)
	}
	_, err = f.Write(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("console log of %s: %w", d.name, err)
	}
	return nil
}

// WriteConsole is output of the guest of a running domain on its serial
// console: it goes to the console session, if any, and is appended to the
// domain's console log file (DomainSpec.ConsoleLog), when it has one, as
// virtlogd does.
func (h *HV) WriteConsole(name string, p []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.lookupLocked(name)
	if err != nil {
		return err
	}
	if !d.running() {
		return fmt.Errorf("console of %s: domain is not running", name)
	}
	return h.guestOutputLocked(d, p)
}

// ConsoleInput is everything typed on the domain's console so far.
func (h *HV) ConsoleInput(name string) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d, ok := h.doms[name]; ok {
		return bytes.Clone(d.input.Bytes())
	}
	return nil
}

// ConsoleOutput is everything the domain's guest wrote to its console so
// far (echoes included).
func (h *HV) ConsoleOutput(name string) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d, ok := h.doms[name]; ok {
		return bytes.Clone(d.output.Bytes())
	}
	return nil
}
