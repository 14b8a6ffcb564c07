package imds

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/netip"
	"time"
)

// Instance is what the metadata service tells one instance about itself.
type Instance struct {
	InstanceID, AMIID, InstanceType, LocalIPv4, MAC, AZ, Region, Hostname, AccountID string
	// KeyName names PublicKeys[0] in the public-keys/ listing ("0=KeyName");
	// empty (and every further key) is listed as "key".
	KeyName string
	// PublicKeys are OpenSSH public keys ("ssh-ed25519 AAAA… comment").
	PublicKeys []string
	// Interfaces are the instance's network interfaces, served below
	// meta-data/network/interfaces/macs/<mac>/ (cloud-init's Ec2
	// datasource reads them for its network configuration).
	Interfaces []Interface
	// UserData is served raw at /latest/user-data; nil or empty is a 404.
	UserData []byte
	// LaunchTime is the identity document's pendingTime.
	LaunchTime time.Time
	// Architecture for the identity document; default "x86_64".
	Architecture string
	// TokensRequired is this instance's HttpTokens=required: like
	// Options.RequireTokens, for one instance.
	TokensRequired bool
	// EndpointDisabled is this instance's HttpEndpoint=disabled: every
	// request from it, the token PUT included, gets 404 Not Found.
	EndpointDisabled bool
	// PutResponseHopLimit is this instance's HttpPutResponseHopLimit: the
	// IP TTL of the token PUT's response, so a token does not reach a
	// process more routers away (a container behind a bridge on the
	// instance when it is 1). 0 means 1, EC2's default.
	PutResponseHopLimit int
}

// Interface is one network interface as meta-data/network/interfaces/
// macs/<mac>/ describes it; empty fields are not served.
type Interface struct {
	MAC string
	// DeviceNumber is the attachment's device index (0: the primary).
	DeviceNumber int
	// PrivateIPv4s are the interface's private addresses, the primary
	// first (local-ipv4s).
	PrivateIPv4s []string
	// Hostname is the primary address's private DNS name (local-hostname).
	Hostname string
	SubnetID string
}

// Lookup returns the instance whose network interface owns remote, the
// source address of a connection to the metadata service.
type Lookup func(remote netip.Addr) (Instance, bool)

// Options tunes a handler.
type Options struct {
	// RequireTokens turns IMDSv1 off: every metadata request must carry a
	// valid X-aws-ec2-metadata-token (EC2's HttpTokens=required).
	RequireTokens bool
	// Now is the clock for token expiry; default time.Now.
	Now func() time.Time
	// Secret is the HMAC key of session tokens; default 32 random bytes,
	// so tokens die with the handler (SDKs fetch a new one on 401). Share
	// one Secret between handlers that must accept each other's tokens.
	Secret []byte
	// Logger receives refusals at debug level; default slog.Default().
	Logger *slog.Logger
}

// EC2 header names (http.Header canonical form).
const (
	hdrToken       = "X-Aws-Ec2-Metadata-Token"
	hdrTokenTTL    = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	hdrForwarded   = "X-Forwarded-For"
	tokenPath      = "/latest/api/token"
	maxTokenTTL    = 21600
	defaultArch    = "x86_64"
	identityFormat = "2017-09-30"
)

type handler struct {
	lookup Lookup
	opts   Options
	log    *slog.Logger
}

// NewHandler returns the metadata service for the instances lookup knows.
func NewHandler(lookup Lookup, opts Options) http.Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Secret) == 0 {
		opts.Secret = make([]byte, 32)
		rand.Read(opts.Secret) // never fails (crypto/rand panics instead)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &handler{lookup: lookup, opts: opts, log: opts.Logger.With("component", "imds")}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "EC2ws")
	if r.URL.Path == tokenPath {
		h.serveToken(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		fail(w, http.StatusMethodNotAllowed)
		return
	}
	inst, remote, ok := h.caller(r)
	if !h.admit(w, r, inst, ok) {
		return
	}
	if !h.authorize(w, r, inst, remote) {
		return
	}
	h.serveTree(w, r, inst)
}

// caller is the instance behind the connection's source address.
func (h *handler) caller(r *http.Request) (Instance, netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return Instance{}, netip.Addr{}, false
	}
	remote := ap.Addr().Unmap()
	inst, ok := h.lookup(remote)
	return inst, remote, ok
}

// admit refuses an unknown caller (403) and one whose endpoint is
// disabled (404, as if nothing served metadata).
func (h *handler) admit(w http.ResponseWriter, r *http.Request, inst Instance, known bool) bool {
	switch {
	case !known:
		h.refuse(w, r, http.StatusForbidden, "unknown caller")
		return false
	case inst.EndpointDisabled:
		h.refuse(w, r, http.StatusNotFound, "endpoint disabled")
		return false
	}
	return true
}

// authorize applies IMDSv2: a token, when sent, must be valid; without one
// the request passes only when tokens are optional.
func (h *handler) authorize(w http.ResponseWriter, r *http.Request, inst Instance, remote netip.Addr) bool {
	tok, sent := r.Header[hdrToken]
	if !sent {
		if h.opts.RequireTokens || inst.TokensRequired {
			h.refuse(w, r, http.StatusUnauthorized, "token required")
			return false
		}
		return true
	}
	left, err := h.verifyToken(tok[0], inst, remote)
	if err != nil {
		h.refuse(w, r, http.StatusUnauthorized, err.Error())
		return false
	}
	w.Header().Set(hdrTokenTTL, itoa(int(left/time.Second)))
	return true
}

func (h *handler) refuse(w http.ResponseWriter, r *http.Request, code int, why string) {
	h.log.Debug("metadata request refused", "remote", r.RemoteAddr, "method", r.Method,
		"path", r.URL.Path, "status", code, "reason", why)
	fail(w, code)
}

// fail answers with the status text, as EC2's plain error pages do.
func fail(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(code)
	w.Write([]byte(http.StatusText(code) + "\n"))
}
