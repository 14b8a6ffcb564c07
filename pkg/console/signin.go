package console

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/auth"
)

// cookieName is the session cookie; its value is the random session ID.
const cookieName = "ec2lab_console"

// signInView is the sign-in page's data.
type signInView struct {
	AccessKeyID string
	Error       string
}

// signInPage is the sign-in form; a signed-in browser goes to its instances.
func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := h.sessionOf(r); ok {
		http.Redirect(w, r, Prefix+"instances", http.StatusSeeOther)
		return
	}
	h.pages.render(w, r, http.StatusOK, "signin", view{Title: "Sign in", Region: h.region, Data: signInView{}})
}

// signIn checks the access key ID and secret against the KeyStore (the
// secret compared in constant time) and starts a session. Failures from
// one address are limited; no secret is ever logged.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "Forbidden: cross-origin sign-in", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	addr := remoteHost(r)
	id := strings.TrimSpace(r.PostFormValue("access_key_id"))
	fail := func(status int, msg string) {
		h.pages.render(w, r, status, "signin", view{Title: "Sign in", Region: h.region,
			Data: signInView{AccessKeyID: id, Error: msg}})
	}
	if !secretMayTravel(r) {
		h.log.Warn("console: sign-in refused over plain HTTP from another host", "remote", addr)
		fail(http.StatusForbidden, "Sign in over HTTPS (ec2d --https-addr), or from the controller's own host: "+
			"over plain HTTP the secret access key would cross the network in clear.")
		return
	}
	if h.failures.blocked(addr) {
		h.log.Warn("console: sign-in refused: too many failures", "remote", addr)
		fail(http.StatusTooManyRequests, "Too many failed sign-ins from your address; wait a minute and try again.")
		return
	}
	key, err := h.keys.Lookup(r.Context(), id)
	secret := r.PostFormValue("secret_access_key")
	if err != nil || key.Peer != "" || subtle.ConstantTimeCompare([]byte(secret), []byte(key.SecretAccessKey)) != 1 {
		h.failures.fail(addr)
		h.log.Info("console: sign-in failed", "access_key_id", clipKeyID(id), "remote", addr)
		fail(http.StatusUnauthorized, "The access key ID or secret access key is wrong (AuthFailure).")
		return
	}
	auth.ConnAuthenticated(r.Context())
	se := h.sessions.create(key.AccessKeyID)
	// a browser-session cookie: the server ends the session when idle
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: se.id, Path: Prefix, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	h.log.Info("console: signed in", "access_key_id", key.AccessKeyID, "account", key.AccountID, "remote", addr)
	http.Redirect(w, r, Prefix+"instances", http.StatusSeeOther)
}

// signOut ends the session and clears its cookie.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	h.sessions.remove(current(r.Context()).session.id)
	h.clearCookie(w, r)
	http.Redirect(w, r, Prefix+"signin", http.StatusSeeOther)
}

// clearCookie tells the browser to drop the session cookie.
func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(cookieName); err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// remoteHost is the request's remote IP without its port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secretMayTravel tells whether a sign-in form may carry a secret: over
// TLS, or over plain HTTP from the loopback (the controller's own host).
func secretMayTravel(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	ip := net.ParseIP(remoteHost(r))
	return ip != nil && ip.IsLoopback()
}

// clipKeyID is what the log may show of a typed access key ID: its first 8
// characters, so that a secret pasted into the wrong field never lands in
// the log whole.
func clipKeyID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:8] + "…"
}
