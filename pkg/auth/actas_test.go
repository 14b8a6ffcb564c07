package auth

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

const (
	layersMethod = "/ec2lab.v1.Compute/GetSnapshotLayers"
	snapA        = "snap-0123456789abcdef0"
)

// incoming turns what WithAssertion put on the wire into the source's
// request context, authenticated as key.
func incoming(out context.Context, key Key) context.Context {
	md, _ := metadata.FromOutgoingContext(out)
	return metadata.NewIncomingContext(WithKey(context.Background(), key), md)
}

// TestActAs: a peer key's assertion makes the call act as the asserted
// account, once; everything a tenant or an eavesdropper could change (the
// account, resource, method, region, date, nonce, signature) or omit is
// AuthFailure; an ordinary key acts as itself and may not assert.
func TestActAs(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	peerKey := Key{AccessKeyID: "AKIAPEER", SecretAccessKey: "peer-secret", Peer: "lab-2"}
	tenant := Key{AccessKeyID: "AKIATENANT", SecretAccessKey: "tenant-secret", AccountID: "222222222222"}
	good := Assertion{Region: "lab-2", Account: "111111111111", Resource: snapA, Date: now, Nonce: "00112233445566778899aabbccddeeff"}
	with := func(f func(*Assertion)) Assertion { a := good; f(&a); return a }
	tamper := func(key, value string) func(context.Context) context.Context {
		return func(ctx context.Context) context.Context {
			md, _ := metadata.FromIncomingContext(ctx)
			md = md.Copy()
			md.Set(key, value)
			return metadata.NewIncomingContext(ctx, md)
		}
	}
	tests := []struct {
		name     string
		signer   Key // the key that signs the assertion (none: no assertion)
		caller   Key // the key the request authenticated with
		a        Assertion
		method   string // the method called ("" = layersMethod)
		resource string // the resource the request names ("" = snapA)
		edit     func(context.Context) context.Context
		wantAcct string // "" = refused with AuthFailure
	}{
		{name: "peer acts as the asserted account", signer: peerKey, caller: peerKey, a: good, wantAcct: "111111111111"},
		{name: "ordinary key acts as itself", caller: tenant, wantAcct: "222222222222"},
		{name: "peer key without assertion", caller: peerKey},
		{name: "tenant asserting another account", signer: tenant, caller: tenant, a: good},
		{name: "account rewritten", signer: peerKey, caller: peerKey, a: good, edit: tamper(MDActAsAccount, "333333333333")},
		{name: "resource rewritten", signer: peerKey, caller: peerKey, a: good, edit: tamper(MDActAsResource, "snap-0fffffffffffffff0")},
		{name: "signed for another resource", signer: peerKey, caller: peerKey, a: good, resource: "snap-0fffffffffffffff0"},
		{name: "signed for another method", signer: peerKey, caller: peerKey, a: good, method: "/ec2lab.v1.Compute/GetImageFiles"},
		{name: "signed with another secret", signer: Key{AccessKeyID: "AKIAPEER", SecretAccessKey: "guess", Peer: "lab-2"}, caller: peerKey, a: good},
		{name: "another region than the key's", signer: peerKey, caller: peerKey, a: with(func(a *Assertion) { a.Region = "lab-3" })},
		{name: "stale date", signer: peerKey, caller: peerKey, a: with(func(a *Assertion) { a.Date = now.Add(-MaxSkew - time.Minute) })},
		{name: "malformed account", signer: peerKey, caller: peerKey, a: with(func(a *Assertion) { a.Account = "all" })},
		{name: "short nonce", signer: peerKey, caller: peerKey, a: with(func(a *Assertion) { a.Nonce = "1" })},
		{name: "no resource", signer: peerKey, caller: peerKey, a: with(func(a *Assertion) { a.Resource = "" }), resource: "-"},
		{name: "signature dropped", signer: peerKey, caller: peerKey, a: good, edit: tamper(MDActAsSignature, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, resource := firstNonEmpty(tt.method, layersMethod), firstNonEmpty(tt.resource, snapA)
			if resource == "-" {
				resource = ""
			}
			out := context.Background()
			if tt.signer.AccessKeyID != "" {
				out = WithAssertion(out, tt.signer, layersMethod, tt.a)
			}
			ctx := incoming(out, tt.caller)
			if tt.edit != nil {
				ctx = tt.edit(ctx)
			}
			got, err := actAs(ctx, method, resource, now, &nonceCache{seen: map[string]time.Time{}})
			if tt.wantAcct == "" {
				if e, ok := ec2err.As(err); !ok || e.Code != ec2err.AuthFailure {
					t.Fatalf("err %v, want AuthFailure", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k, _ := FromContext(got)
			if k.AccountID != tt.wantAcct || k.Admin || (tt.signer.AccessKeyID != "" && k.SecretAccessKey != "") {
				t.Errorf("acts as %v, want account %s (no admin, no secret)", k, tt.wantAcct)
			}
		})
	}
}

// TestActAsReplay: the same assertion is honoured once.
func TestActAsReplay(t *testing.T) {
	now := time.Now()
	peerKey := Key{AccessKeyID: "AKIAPEER", SecretAccessKey: "peer-secret", Peer: "lab-2"}
	ctx := incoming(WithAssertion(context.Background(), peerKey, layersMethod,
		Assertion{Region: "lab-2", Account: "111111111111", Resource: snapA, Date: now, Nonce: NewNonce()}), peerKey)
	seen := &nonceCache{seen: map[string]time.Time{}}
	if _, err := actAs(ctx, layersMethod, snapA, now, seen); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if _, err := actAs(ctx, layersMethod, snapA, now.Add(time.Second), seen); err == nil {
		t.Fatal("replayed assertion accepted")
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestVerifySigV4RefusesPeerKeys: a peer key, correctly signed, gets
// nothing from the Query API; the same request with an account's key does.
func TestVerifySigV4RefusesPeerKeys(t *testing.T) {
	for _, peer := range []string{"", "lab-2"} {
		k := NewKey("", false)
		if peer == "" {
			k.AccountID = "111111111111"
		}
		k.Peer = peer
		r, body := serverRequest(t, k, "us-east-1", "ec2")
		_, err := VerifySigV4(context.Background(), r, body, StaticKeys{k.AccessKeyID: k}, signedAt)
		if got, want := errCode(err), map[string]string{"": "", "lab-2": ec2err.AuthFailure}[peer]; got != want {
			t.Errorf("peer %q: code %q, want %q", peer, got, want)
		}
	}
}
