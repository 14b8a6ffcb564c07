package imds_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/imds"
)

const (
	ttlHeader   = "X-aws-ec2-metadata-token-ttl-seconds"
	tokenHeader = "X-aws-ec2-metadata-token"
	idPath      = "/latest/meta-data/instance-id"
)

// getToken asks h for a token from remote and fails t unless it gets one.
func getToken(t *testing.T, h http.Handler, remote netip.Addr, ttl string) string {
	t.Helper()
	w := do(h, http.MethodPut, "/latest/api/token", remote, map[string]string{ttlHeader: ttl})
	if w.Code != 200 || w.Body.Len() == 0 {
		t.Fatalf("PUT token (ttl %s) from %s: status %d body %q", ttl, remote, w.Code, w.Body)
	}
	if got := w.Header().Get(ttlHeader); got != ttl {
		t.Errorf("token TTL header %q, want %q", got, ttl)
	}
	return w.Body.String()
}

func TestTokenTTLBounds(t *testing.T) {
	h := imds.NewHandler(newFake().lookup, imds.Options{})
	tests := []struct {
		ttl  string // "-" = header absent
		code int
	}{
		{"1", 200}, {"21600", 200}, {"300", 200},
		{"0", 400}, {"21601", 400}, {"-5", 400}, {"abc", 400}, {"", 400}, {"-", 400}, {"1.5", 400},
	}
	for _, tt := range tests {
		hdr := map[string]string{ttlHeader: tt.ttl}
		if tt.ttl == "-" {
			hdr = nil
		}
		if w := do(h, http.MethodPut, "/latest/api/token", addrA, hdr); w.Code != tt.code {
			t.Errorf("PUT token ttl %q: status %d, want %d", tt.ttl, w.Code, tt.code)
		}
	}
}

func TestTokenFlowAndExpiry(t *testing.T) {
	clock := &fakeClock{now: launch}
	h := imds.NewHandler(newFake().lookup, imds.Options{Now: clock.Now})
	tok := getToken(t, h, addrA, "60")
	steps := []struct {
		advance time.Duration
		code    int
		ttlLeft string
	}{
		{0, 200, "60"},
		{59 * time.Second, 200, "1"},
		{time.Second, 401, ""}, // exactly at expiry
		{time.Hour, 401, ""},
	}
	for _, s := range steps {
		clock.advance(s.advance)
		w := do(h, http.MethodGet, idPath, addrA, map[string]string{tokenHeader: tok})
		if w.Code != s.code {
			t.Fatalf("at %v: status %d, want %d", clock.Now().Sub(launch), w.Code, s.code)
		}
		if s.code == 200 && (w.Body.String() != instA.InstanceID || w.Header().Get(ttlHeader) != s.ttlLeft) {
			t.Errorf("at %v: body %q ttl %q, want %q ttl %q", clock.Now().Sub(launch), w.Body, w.Header().Get(ttlHeader), instA.InstanceID, s.ttlLeft)
		}
		if s.code != 200 && strings.Contains(w.Body.String(), instA.InstanceID) {
			t.Errorf("refused response carries the instance ID: %q", w.Body)
		}
	}
}

func TestTokenRejected(t *testing.T) {
	fake := newFake()
	secret := []byte("0123456789abcdef0123456789abcdef")
	h := imds.NewHandler(fake.lookup, imds.Options{Secret: secret})
	tok := getToken(t, h, addrA, "600")
	tampered := []byte(tok)
	tampered[3] ^= 1
	tests := []struct {
		name   string
		h      http.Handler
		remote netip.Addr
		token  string
		code   int
	}{
		{"own token", h, addrA, tok, 200},
		{"same secret, other handler", imds.NewHandler(fake.lookup, imds.Options{Secret: secret}), addrA, tok, 200},
		{"other secret", imds.NewHandler(fake.lookup, imds.Options{}), addrA, tok, 401},
		{"from another instance's address", h, addrB, tok, 401},
		{"from an unknown address", h, addrX, tok, 403},
		{"tampered", h, addrA, string(tampered), 401},
		{"garbage", h, addrA, "not-a-token", 401},
		{"empty", h, addrA, "", 401},
		{"huge", h, addrA, strings.Repeat("A", 4096), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(tt.h, http.MethodGet, idPath, tt.remote, map[string]string{tokenHeader: tt.token})
			if w.Code != tt.code {
				t.Fatalf("status %d, want %d (body %q)", w.Code, tt.code, w.Body)
			}
			if tt.code != 200 && strings.Contains(w.Body.String(), "i-0") {
				t.Errorf("refusal leaks an instance ID: %q", w.Body)
			}
		})
	}
}

// A token names the instance it was issued to: when the address passes to
// a new instance, the old token no longer works.
func TestTokenDiesWithAddressReuse(t *testing.T) {
	fake := newFake()
	h := imds.NewHandler(fake.lookup, imds.Options{})
	tok := getToken(t, h, addrA, "600")
	next := instA
	next.InstanceID = "i-0cccccccccccccccc"
	fake.set(addrA, next)
	if w := do(h, http.MethodGet, idPath, addrA, map[string]string{tokenHeader: tok}); w.Code != 401 {
		t.Fatalf("old instance's token for the address's new owner: status %d (%q), want 401", w.Code, w.Body)
	}
}

func TestRequireTokens(t *testing.T) {
	h := imds.NewHandler(newFake().lookup, imds.Options{RequireTokens: true})
	if w := do(h, http.MethodGet, idPath, addrA, nil); w.Code != 401 || strings.Contains(w.Body.String(), instA.InstanceID) {
		t.Fatalf("IMDSv1 request with tokens required: status %d body %q, want 401", w.Code, w.Body)
	}
	tok := getToken(t, h, addrA, "21600")
	w := do(h, http.MethodGet, idPath, addrA, map[string]string{tokenHeader: tok})
	if w.Code != 200 || w.Body.String() != instA.InstanceID {
		t.Fatalf("IMDSv2 request: status %d body %q", w.Code, w.Body)
	}
	// Tokens optional: IMDSv1 works, except for an instance that requires
	// them.
	fake := newFake()
	strict := instB
	strict.TokensRequired = true
	fake.set(addrB, strict)
	v1 := imds.NewHandler(fake.lookup, imds.Options{})
	if w := do(v1, http.MethodGet, idPath, addrA, nil); w.Code != 200 {
		t.Fatalf("IMDSv1 request with tokens optional: status %d", w.Code)
	}
	if w := do(v1, http.MethodGet, idPath, addrB, nil); w.Code != 401 {
		t.Fatalf("IMDSv1 request from an instance with HttpTokens=required: status %d, want 401", w.Code)
	}
	tok = getToken(t, v1, addrB, "60")
	if w := do(v1, http.MethodGet, idPath, addrB, map[string]string{tokenHeader: tok}); w.Code != 200 {
		t.Fatalf("IMDSv2 request from an instance with HttpTokens=required: status %d", w.Code)
	}
}

func TestTokenRefusedThroughProxy(t *testing.T) {
	h := imds.NewHandler(newFake().lookup, imds.Options{})
	w := do(h, http.MethodPut, "/latest/api/token", addrA, map[string]string{ttlHeader: "60", "X-Forwarded-For": "10.9.9.9"})
	if w.Code != http.StatusForbidden || w.Body.Len() > 40 {
		t.Fatalf("PUT token with X-Forwarded-For: status %d body %q, want 403", w.Code, w.Body)
	}
}

func TestEndpointDisabled(t *testing.T) {
	fake := newFake()
	off := instB
	off.EndpointDisabled = true
	fake.set(addrB, off)
	h := imds.NewHandler(fake.lookup, imds.Options{})
	tests := []struct {
		name   string
		method string
		path   string
		remote netip.Addr
		hdr    map[string]string
		want   int
	}{
		{"disabled: metadata", http.MethodGet, idPath, addrB, nil, http.StatusNotFound},
		{"disabled: user data", http.MethodGet, "/latest/user-data", addrB, nil, http.StatusNotFound},
		{"disabled: token", http.MethodPut, "/latest/api/token", addrB, map[string]string{ttlHeader: "60"}, http.StatusNotFound},
		{"neighbour enabled", http.MethodGet, idPath, addrA, nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.method, tt.path, tt.remote, tt.hdr)
			if w.Code != tt.want || (tt.want != 200 && strings.Contains(w.Body.String(), off.InstanceID)) {
				t.Fatalf("%s %s: status %d body %q, want %d", tt.method, tt.path, w.Code, w.Body, tt.want)
			}
		})
	}
}
