package console

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Prefix is where the console is mounted on ec2d's HTTP listener.
const Prefix = "/console/"

// Defaults for Options left zero.
const (
	DefaultSessionTTL   = time.Hour // idle time before a session ends
	maxSignInFailures   = 5         // per remote address and window
	signInFailureWindow = time.Minute
	maxFormBytes        = 64 << 10 // user data is at most 16 KiB
)

// Options configure the console.
type Options struct {
	// Compute is the same domain entry point the gRPC and Query APIs call.
	Compute v1.ComputeServer
	// Keys validates sign-ins and is asked again on every request.
	Keys auth.KeyStore
	Log  *slog.Logger
	// Region is shown in the header and in the aws command lines.
	Region string
	// SessionTTL is how long a session lives without a request
	// (DefaultSessionTTL when zero).
	SessionTTL time.Duration
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time
}

// Handler serves the console under Prefix.
type Handler struct {
	compute  v1.ComputeServer
	keys     auth.KeyStore
	log      *slog.Logger
	region   string
	sessions *sessions
	failures *failures
	pages    *pages
	mux      *http.ServeMux
}

// New makes the console's handler; mount it at Prefix.
func New(o Options) *Handler {
	if o.SessionTTL == 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{compute: o.Compute, keys: o.Keys, log: o.Log, region: o.Region,
		sessions: newSessions(o.SessionTTL, o.Now), failures: newFailures(maxSignInFailures, signInFailureWindow, o.Now),
		pages: mustParsePages(), mux: http.NewServeMux()}
	h.routes()
	return h
}

// routes registers every page; signed-in pages go through h.authed.
func (h *Handler) routes() {
	m := h.mux
	m.Handle("GET /console/static/", staticHandler())
	m.HandleFunc("GET /console/signin", h.signInPage)
	m.HandleFunc("POST /console/signin", h.signIn)
	m.HandleFunc("GET /console/{$}", h.authed(h.home))
	m.HandleFunc("POST /console/signout", h.authed(h.signOut))
	h.instanceRoutes(m)
	h.resourceRoutes(m)
}

// ServeHTTP implements http.Handler with the console's security headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	// xterm.js sets inline styles; no inline or foreign script runs.
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

// home sends a signed-in browser to the instances page.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Prefix+"instances", http.StatusSeeOther)
}

// signedIn is what a request of a live session carries in its context.
type signedIn struct {
	session *session
	key     auth.Key
}

type signedInCtx struct{}

// current is the session and key of an authed request.
func current(ctx context.Context) signedIn {
	s, _ := ctx.Value(signedInCtx{}).(signedIn)
	return s
}

// authed admits requests of a live session whose key still exists: the
// request's context then carries the key (auth.WithKey) exactly as the
// APIs' authenticators leave it. Every POST must carry the session's CSRF
// token (form field csrf or header X-CSRF-Token) or is refused with 403.
// Others are sent to sign in.
func (h *Handler) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		se, key, ok := h.sessionOf(r)
		if !ok {
			h.clearCookie(w, r)
			h.toSignIn(w, r)
			return
		}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) {
				http.Error(w, "Forbidden: cross-origin request", http.StatusForbidden)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			tok := r.Header.Get("X-CSRF-Token")
			if tok == "" {
				tok = r.PostFormValue("csrf")
			}
			if !se.validCSRF(tok) {
				h.log.Warn("console: POST refused: missing or wrong CSRF token", "path", r.URL.Path, "account", key.AccountID)
				http.Error(w, "Forbidden: missing or wrong CSRF token", http.StatusForbidden)
				return
			}
		}
		// a live session authenticates its connection, as a signed request
		// does: ec2d then stops counting it as an anonymous one (and does
		// not close it, the serial console's websocket included)
		auth.ConnAuthenticated(r.Context())
		if r.Method == http.MethodPost {
			h.log.Info("console action", "path", r.URL.Path, "account", key.AccountID, "access_key_id", key.AccessKeyID)
		}
		ctx := auth.WithKey(r.Context(), key)
		ctx = context.WithValue(ctx, signedInCtx{}, signedIn{session: se, key: key})
		next(w, r.WithContext(ctx))
	}
}

// sessionOf is the live session of r's cookie and its key, looked up again.
func (h *Handler) sessionOf(r *http.Request) (*session, auth.Key, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, auth.Key{}, false
	}
	se, ok := h.sessions.get(c.Value)
	if !ok {
		return nil, auth.Key{}, false
	}
	key, err := h.keys.Lookup(r.Context(), se.keyID)
	if err != nil {
		h.sessions.remove(se.id)
		return nil, auth.Key{}, false
	}
	return se, key, true
}

// toSignIn answers an unauthenticated request: htmx fragments get a
// redirect header (a 3xx would be swapped in), pages a 303, websockets and
// other methods 401.
func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", Prefix+"signin")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet || strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "Unauthorized: sign in first", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, Prefix+"signin", http.StatusSeeOther)
}

// sameOrigin reports whether a browser's request comes from the console's
// own pages: its Origin (when sent) names r's host and Sec-Fetch-Site (when
// sent) is not cross-site. This guards the sign-in form too, which has no
// session and so no CSRF token yet.
func sameOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}
