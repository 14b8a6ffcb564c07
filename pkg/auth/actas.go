package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Cross-region copies act as the caller, not as the region that pulls.
//
// A destination region reaches a source region's API with a peer key: an
// access key the source made for that region alone (`ec2d keys create
// --peer REGION`), which belongs to no account and by itself may do
// nothing. On every call it makes for a copy the destination adds an
// assertion: "account A, a caller of region R, asked for resource X
// through method M at time T (nonce N)", HMAC-signed with the peer key's
// secret. A tenant never holds a peer key, so it cannot make or alter an
// assertion; the signature binds the assertion to its method, resource,
// the destination region (which must be the key's own) and a fresh nonce
// within MaxSkew, so a captured one cannot be turned to another resource,
// account or method, nor replayed. The source then acts as A: the copy
// reads exactly what A could read in the source region (its own
// resources, those shared with A or with all), and whatever A may not see
// answers as if it did not exist.
//
// Accounts map across regions by ID, as in AWS: account 123456789012 in
// one region is the same tenant as 123456789012 in its peers. Operators
// give an account the same ID in every region of theirs; a peer region is
// trusted to authenticate its own callers, and nothing more.

// gRPC metadata keys of a peer's assertion.
const (
	MDActAsAccount   = "x-ec2lab-act-as-account"
	MDActAsRegion    = "x-ec2lab-act-as-region"
	MDActAsResource  = "x-ec2lab-act-as-resource"
	MDActAsDate      = "x-ec2lab-act-as-date"
	MDActAsNonce     = "x-ec2lab-act-as-nonce"
	MDActAsSignature = "x-ec2lab-act-as-signature"
)

// Assertion is a destination region's statement that Account, one of its
// callers, asked for Resource.
type Assertion struct {
	Region   string // the asserting (destination) region
	Account  string
	Resource string
	Date     time.Time
	Nonce    string
}

// assertionMAC is hex(HMAC-SHA256(secret, the assertion's fields, one per
// line, after a version tag, the method and the access key ID)).
func assertionMAC(secret, fullMethod, accessKeyID string, a Assertion, date string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.Join([]string{"ec2lab-act-as-v1", fullMethod, accessKeyID, a.Region, a.Account,
		a.Resource, date, a.Nonce}, "\n")))
	return hex.EncodeToString(m.Sum(nil))
}

// NewNonce is a random nonce for an assertion.
func NewNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// WithAssertion returns ctx carrying a, signed with the peer key k, for a
// call to fullMethod.
func WithAssertion(ctx context.Context, k Key, fullMethod string, a Assertion) context.Context {
	date := a.Date.UTC().Format(time.RFC3339)
	return metadata.AppendToOutgoingContext(ctx,
		MDActAsAccount, a.Account, MDActAsRegion, a.Region, MDActAsResource, a.Resource,
		MDActAsDate, date, MDActAsNonce, a.Nonce,
		MDActAsSignature, assertionMAC(k.SecretAccessKey, fullMethod, k.AccessKeyID, a, date))
}

// ActAs decides who a call to fullMethod about resource acts as. An
// ordinary key acts as its own account and must carry no assertion. A peer
// key must carry a valid assertion for this method and resource; ActAs
// then returns ctx whose Key acts for the asserted account (no secret, not
// admin). Anything else is AuthFailure, and the source changes nothing.
func ActAs(ctx context.Context, fullMethod, resource string) (context.Context, error) {
	return actAs(ctx, fullMethod, resource, time.Now(), defaultNonces)
}

func actAs(ctx context.Context, fullMethod, resource string, now time.Time, seen *nonceCache) (context.Context, error) {
	k, ok := FromContext(ctx)
	if !ok {
		return nil, ec2err.New(ec2err.AuthFailure, "request is not authenticated")
	}
	md, _ := metadata.FromIncomingContext(ctx)
	asserted := len(md.Get(MDActAsAccount)) > 0 || len(md.Get(MDActAsSignature)) > 0
	switch {
	case !asserted && k.Peer == "":
		return ctx, nil
	case !asserted:
		return nil, ec2err.New(ec2err.AuthFailure, "peer key %s must name the account it acts for", k.AccessKeyID)
	case k.Peer == "":
		return nil, ec2err.New(ec2err.AuthFailure, "only a peer region's key may act for another account")
	}
	a, err := verifyAssertion(md, k, fullMethod, resource, now)
	if err != nil {
		return nil, err
	}
	if !seen.add(a.Nonce, now) {
		return nil, ec2err.New(ec2err.AuthFailure, "assertion replayed")
	}
	return WithKey(ctx, Key{AccessKeyID: k.AccessKeyID, AccountID: a.Account, Peer: k.Peer}), nil
}

func verifyAssertion(md metadata.MD, k Key, fullMethod, resource string, now time.Time) (Assertion, error) {
	a := Assertion{Region: first(md, MDActAsRegion), Account: first(md, MDActAsAccount),
		Resource: first(md, MDActAsResource), Nonce: first(md, MDActAsNonce)}
	date := first(md, MDActAsDate)
	bad := func(why string) (Assertion, error) {
		return Assertion{}, ec2err.New(ec2err.AuthFailure, "peer assertion refused: %s", why)
	}
	got, err := hex.DecodeString(first(md, MDActAsSignature))
	want, _ := hex.DecodeString(assertionMAC(k.SecretAccessKey, fullMethod, k.AccessKeyID, a, date))
	if err != nil || !hmac.Equal(got, want) {
		return bad("bad signature")
	}
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return bad("malformed date")
	}
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return bad("date " + date + " is more than " + MaxSkew.String() + " from server time")
	}
	switch {
	case a.Region != k.Peer:
		return bad("region " + a.Region + " is not the key's")
	case resource == "" || a.Resource != resource:
		return bad("it does not name this request's one resource")
	case !accountID(a.Account):
		return bad("malformed account ID")
	case len(a.Nonce) < 16:
		return bad("nonce too short")
	}
	a.Date = t
	return a, nil
}

func accountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// nonceCache remembers the nonces of assertions accepted within twice
// MaxSkew, so each is honoured once (an older one fails the date check).
type nonceCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// defaultNonces is this process's cache: one ec2d serves one region.
var defaultNonces = &nonceCache{seen: map[string]time.Time{}}

// add records nonce, reporting false if it was seen already.
func (c *nonceCache) add(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for n, at := range c.seen {
		if now.Sub(at) > 2*MaxSkew {
			delete(c.seen, n)
		}
	}
	if _, dup := c.seen[nonce]; dup {
		return false
	}
	c.seen[nonce] = now
	return true
}
