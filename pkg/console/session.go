package console

import (
	"crypto/rand"
	"crypto/subtle"
	"sync"
	"time"
)

// session is one signed-in browser: the access key it acts with (looked up
// again on every request, so a disabled key ends it) and the CSRF token its
// forms carry.
type session struct {
	id      string
	keyID   string
	csrf    string
	expires time.Time
}

// sessions is the server-side session map. Sessions end after ttl without
// being renewed, at sign-out or when the process restarts.
type sessions struct {
	mu  sync.Mutex
	ttl time.Duration
	now func() time.Time
	m   map[string]*session
}

// newSessions is an empty session map whose sessions live ttl when idle.
func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, now: now, m: map[string]*session{}}
}

// create starts a session for keyID with fresh random ID and CSRF token.
func (s *sessions) create(keyID string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	se := &session{id: rand.Text() + rand.Text(), keyID: keyID, csrf: rand.Text(), expires: s.now().Add(s.ttl)}
	s.m[se.id] = se
	return se
}

// get returns the live session id names and extends its life; expired
// sessions are removed.
func (s *sessions) get(id string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.m[id]
	if !ok {
		return nil, false
	}
	if !s.now().Before(se.expires) {
		delete(s.m, id)
		return nil, false
	}
	se.expires = s.now().Add(s.ttl)
	c := *se
	return &c, true
}

// remove ends session id.
func (s *sessions) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// sweepLocked drops expired sessions so that the map stays bounded.
func (s *sessions) sweepLocked() {
	now := s.now()
	for id, se := range s.m {
		if !now.Before(se.expires) {
			delete(s.m, id)
		}
	}
}

// validCSRF reports whether token is the session's CSRF token, in constant
// time.
func (se *session) validCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(se.csrf)) == 1
}

// failures counts failed sign-ins per remote address in fixed windows;
// an address over max failures in its window is refused until it ends.
type failures struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	m      map[string]*failCount
}

type failCount struct {
	n     int
	start time.Time
}

// newFailures allows max failed sign-ins per address and window.
func newFailures(max int, window time.Duration, now func() time.Time) *failures {
	return &failures{max: max, window: window, now: now, m: map[string]*failCount{}}
}

// blocked reports whether addr has used up its failed sign-ins.
func (f *failures) blocked(addr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.m[addr]
	if !ok {
		return false
	}
	if f.now().Sub(c.start) >= f.window {
		delete(f.m, addr)
		return false
	}
	return c.n >= f.max
}

// fail records a failed sign-in from addr.
func (f *failures) fail(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if len(f.m) > 10000 { // bound memory under a flood of addresses
		for a, c := range f.m {
			if now.Sub(c.start) >= f.window {
				delete(f.m, a)
			}
		}
	}
	c, ok := f.m[addr]
	if !ok || now.Sub(c.start) >= f.window {
		c = &failCount{start: now}
		f.m[addr] = c
	}
	c.n++
}
