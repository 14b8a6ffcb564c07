package auth

import (
	"context"
	"crypto/hmac"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// SigV4Options configures SigV4 verification. The zero value accepts any
// region the client signed for and requires the "ec2" service.
type SigV4Options struct {
	// Regions the server answers for; empty accepts any region.
	Regions []string
	// Service expected in the credential scope; "" means "ec2".
	Service string
}

// SigV4Result is what a verified request proved.
type SigV4Result struct {
	Key    Key
	Region string    // the region the client signed for
	Date   time.Time // X-Amz-Date
}

// VerifySigV4 checks r's SigV4 Authorization header against ks at time now,
// accepting any region (see SigV4Options.Verify to restrict regions). body
// is the request body the caller already read. Errors are *ec2err.Error
// with code MissingAuthenticationToken, IncompleteSignature, AuthFailure,
// RequestExpired or (KeyStore failure) InternalError.
func VerifySigV4(ctx context.Context, r *http.Request, body []byte, ks KeyStore, now time.Time) (Key, error) {
	res, err := SigV4Options{}.Verify(ctx, r, body, ks, now)
	return res.Key, err
}

// Verify is VerifySigV4 with o's region and service rules, returning the
// signed region and date as well.
func (o SigV4Options) Verify(ctx context.Context, r *http.Request, body []byte, ks KeyStore, now time.Time) (SigV4Result, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return SigV4Result{}, ec2err.New(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	a, err := parseAuthorization(h)
	if err != nil {
		return SigV4Result{}, err
	}
	date, err := o.checkScope(r, a, now)
	if err != nil {
		return SigV4Result{}, err
	}
	k, err := lookupSigV4Key(ctx, ks, a.AccessKeyID)
	if err != nil {
		return SigV4Result{}, err
	}
	payload, err := payloadHash(r, body)
	if err != nil {
		return SigV4Result{}, err
	}
	canonical, err := canonicalRequest(r, a.SignedHeaders, payload)
	if err != nil {
		return SigV4Result{}, err
	}
	want := sigV4Signature(k.SecretAccessKey, a, r.Header.Get("X-Amz-Date"), canonical)
	if !hmac.Equal(want, a.Signature) {
		slog.DebugContext(ctx, "sigv4 mismatch", "access_key", a.AccessKeyID, "canonical_request", canonical)
		return SigV4Result{}, ec2err.New(ec2err.AuthFailure,
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return SigV4Result{Key: k, Region: a.Region, Date: date}, nil
}

// checkScope validates X-Amz-Date, the credential scope and clock skew.
func (o SigV4Options) checkScope(r *http.Request, a authorization, now time.Time) (time.Time, error) {
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return time.Time{}, incomplete("Authorization header requires existence of an X-Amz-Date header")
	}
	date, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return time.Time{}, incomplete("X-Amz-Date must have the form YYYYMMDD'T'HHMMSS'Z'")
	}
	if a.Date != amzDate[:8] {
		return time.Time{}, ec2err.New(ec2err.AuthFailure, "Credential should be scoped to a valid date: %s", amzDate[:8])
	}
	service := o.Service
	if service == "" {
		service = "ec2"
	}
	if a.Service != service {
		return time.Time{}, ec2err.New(ec2err.AuthFailure, "Credential should be scoped to correct service: '%s'", service)
	}
	if len(o.Regions) > 0 && !slices.Contains(o.Regions, a.Region) {
		return time.Time{}, ec2err.New(ec2err.AuthFailure, "Credential should be scoped to a valid region, not '%s'", a.Region)
	}
	if d := now.Sub(date); d > MaxSkew || d < -MaxSkew {
		return time.Time{}, ec2err.New(CodeRequestExpired,
			"Request has expired: signed at %s, server time %s", date.Format(amzDateFormat), now.UTC().Format(amzDateFormat))
	}
	return date, nil
}

func lookupSigV4Key(ctx context.Context, ks KeyStore, akid string) (Key, error) {
	k, err := ks.Lookup(ctx, akid)
	if errors.Is(err, ErrUnknownKey) {
		return Key{}, ec2err.New(ec2err.AuthFailure, "AWS was not able to validate the provided access credentials")
	}
	if err != nil {
		slog.ErrorContext(ctx, "sigv4 key lookup failed", "access_key", akid, "err", err)
		return Key{}, ec2err.New(ec2err.InternalError, "key lookup failed")
	}
	if k.Peer != "" { // peer keys only make cross-region copies' gRPC calls (actas.go)
		return Key{}, ec2err.New(ec2err.AuthFailure, "AWS was not able to validate the provided access credentials")
	}
	return k, nil
}

// payloadHash is the body's SHA-256; a present X-Amz-Content-Sha256 must
// match it.
func payloadHash(r *http.Request, body []byte) (string, error) {
	sum := sha256Hex(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != sum {
		return "", ec2err.New(ec2err.AuthFailure, "X-Amz-Content-Sha256 does not match the request body")
	}
	return sum, nil
}
