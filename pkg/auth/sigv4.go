package auth

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
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
// signed region and date as well. A request without an Authorization
// header may carry its signature in the query string (a presigned URL,
// see verifyPresigned); one request may not carry both.
func (o SigV4Options) Verify(ctx context.Context, r *http.Request, body []byte, ks KeyStore, now time.Time) (SigV4Result, error) {
	h := r.Header.Get("Authorization")
	switch {
	case h == "" && IsPresigned(r):
		return o.verifyPresigned(ctx, r, body, ks, now)
	case h == "":
		return SigV4Result{}, ec2err.New(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	case IsPresigned(r):
		return SigV4Result{}, incomplete("Only one authentication mechanism is allowed: the Authorization header or the X-Amz-Algorithm query parameter")
	}
	return o.verifyHeader(ctx, r, body, ks, now)
}

// verifyHeader checks a request signed in its Authorization header.
func (o SigV4Options) verifyHeader(ctx context.Context, r *http.Request, body []byte, ks KeyStore, now time.Time) (SigV4Result, error) {
	a, k, date, err := o.checkHeaders(ctx, r, ks, now)
	if err != nil {
		return SigV4Result{}, err
	}
	payload, err := payloadHash(r, body)
	if err != nil {
		return SigV4Result{}, err
	}
	if err := checkSignature(ctx, r, a, k, payload); err != nil {
		return SigV4Result{}, err
	}
	return SigV4Result{Key: k, Region: a.Region, Date: date}, nil
}

// Precheck authenticates what r's headers alone prove, so that a server
// can refuse a request before it reads the body: a well-formed SigV4
// Authorization header, its scope (date, service, o's regions), the clock
// skew and a known access key. When the client declared the payload's hash
// (X-Amz-Content-Sha256), the signature itself is checked over it too;
// Verify then holds the body to that hash. A presigned request (signature
// in the query string, no Authorization header) is checked as far as its
// query goes (parameters, scope, validity, key). Errors are Verify's.
func (o SigV4Options) Precheck(ctx context.Context, r *http.Request, ks KeyStore, now time.Time) error {
	if r.Header.Get("Authorization") == "" && IsPresigned(r) {
		_, _, _, err := o.checkPresigned(ctx, r, ks, now)
		return err
	}
	a, k, _, err := o.checkHeaders(ctx, r, ks, now)
	if err != nil {
		return err
	}
	if declared := r.Header.Get("X-Amz-Content-Sha256"); isSHA256Hex(declared) {
		return checkSignature(ctx, r, a, k, declared)
	}
	return nil
}

// checkHeaders parses and checks the Authorization header (its date,
// scope and clock skew) and finds its key.
func (o SigV4Options) checkHeaders(ctx context.Context, r *http.Request, ks KeyStore, now time.Time) (authorization, Key, time.Time, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return authorization{}, Key{}, time.Time{}, ec2err.New(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	a, err := parseAuthorization(h)
	if err != nil {
		return authorization{}, Key{}, time.Time{}, err
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return authorization{}, Key{}, time.Time{}, incomplete("Authorization header requires existence of an X-Amz-Date header")
	}
	date, err := o.checkScope(a, amzDate)
	if err != nil {
		return authorization{}, Key{}, time.Time{}, err
	}
	if d := now.Sub(date); d > MaxSkew || d < -MaxSkew {
		return authorization{}, Key{}, time.Time{}, ec2err.New(CodeRequestExpired,
			"Request has expired: signed at %s, server time %s", date.Format(amzDateFormat), now.UTC().Format(amzDateFormat))
	}
	k, err := lookupSigV4Key(ctx, ks, a.AccessKeyID)
	if err != nil {
		return authorization{}, Key{}, time.Time{}, err
	}
	return a, k, date, nil
}

// checkSignature compares a's signature with the one k signs r with, for
// a body whose SHA-256 is payload.
func checkSignature(ctx context.Context, r *http.Request, a authorization, k Key, payload string) error {
	canonical, err := canonicalRequest(r, a.SignedHeaders, payload, "")
	if err != nil {
		return err
	}
	if !hmac.Equal(sigV4Signature(k.SecretAccessKey, a, r.Header.Get("X-Amz-Date"), canonical), a.Signature) {
		return signatureMismatch(ctx, a.AccessKeyID, canonical)
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func signatureMismatch(ctx context.Context, akid, canonical string) error {
	slog.DebugContext(ctx, "sigv4 mismatch", "access_key", akid, "canonical_request", canonical)
	return ec2err.New(ec2err.AuthFailure,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
}

// checkScope validates amzDate (X-Amz-Date) and the credential scope: its
// date, service and region.
func (o SigV4Options) checkScope(a authorization, amzDate string) (time.Time, error) {
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
