package imds

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// maxTokenLen bounds what verifyToken parses (real tokens are ~110 bytes).
const maxTokenLen = 512

var b64 = base64.RawURLEncoding

// serveToken is PUT /latest/api/token: a session token bound to the
// caller's address and instance, valid for the requested TTL.
func (h *handler) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", "PUT")
		fail(w, http.StatusMethodNotAllowed)
		return
	}
	if _, proxied := r.Header[hdrForwarded]; proxied {
		h.refuse(w, r, http.StatusForbidden, "X-Forwarded-For on token request")
		return
	}
	inst, remote, ok := h.caller(r)
	if !h.admit(w, r, inst, ok) {
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get(hdrTokenTTL))
	if err != nil || ttl < 1 || ttl > maxTokenTTL {
		h.refuse(w, r, http.StatusBadRequest, "bad token TTL "+strconv.Quote(r.Header.Get(hdrTokenTTL)))
		return
	}
	if err := limitHops(w, r, inst.PutResponseHopLimit); err != nil {
		h.log.Warn("metadata token: cannot set the response hop limit; refusing", "instance", inst.InstanceID, "err", err)
		fail(w, http.StatusInternalServerError)
		return
	}
	expiry := h.opts.Now().Add(time.Duration(ttl) * time.Second)
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set(hdrTokenTTL, strconv.Itoa(ttl))
	w.Write([]byte(h.signToken(expiry, inst, remote)))
}

// tokenPayload is what a token's MAC covers: expiry (Unix seconds), the
// caller's address and its instance ID, so a token works only from the
// address (and instance) it was issued to.
func tokenPayload(expiry int64, inst Instance, remote netip.Addr) string {
	return strconv.FormatInt(expiry, 10) + "|" + remote.String() + "|" + inst.InstanceID
}

func (h *handler) signToken(expiry time.Time, inst Instance, remote netip.Addr) string {
	payload := tokenPayload(expiry.Unix(), inst, remote)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(h.mac(payload))
}

func (h *handler) mac(payload string) []byte {
	m := hmac.New(sha256.New, h.opts.Secret)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// verifyToken checks tok's signature, binding and expiry; it returns the
// time the token has left.
func (h *handler) verifyToken(tok string, inst Instance, remote netip.Addr) (time.Duration, error) {
	if len(tok) > maxTokenLen {
		return 0, errors.New("token too long")
	}
	enc, sig, ok := strings.Cut(tok, ".")
	payload, err1 := decodeCanonical(enc)
	mac, err2 := decodeCanonical(sig)
	if !ok || err1 != nil || err2 != nil {
		return 0, errors.New("malformed token")
	}
	if !hmac.Equal(mac, h.mac(string(payload))) {
		return 0, errors.New("bad token signature")
	}
	exp, rest, _ := strings.Cut(string(payload), "|")
	expiry, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || rest != remote.String()+"|"+inst.InstanceID {
		return 0, errors.New("token issued to another caller")
	}
	left := time.Unix(expiry, 0).Sub(h.opts.Now())
	if left <= 0 {
		return 0, errors.New("token expired")
	}
	return left, nil
}

// decodeCanonical decodes s only when it is the one encoding of its bytes:
// Go's decoder skips \r and \n and ignores unused trailing bits, so without
// this an altered token would still validate.
func decodeCanonical(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err == nil && b64.EncodeToString(b) != s {
		err = errors.New("non-canonical base64")
	}
	return b, err
}

func itoa(n int) string { return strconv.Itoa(n) }
