package auth

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Query-string (presigned) SigV4 parameters, as AWS defines them.
const (
	QueryAlgorithm     = "X-Amz-Algorithm"
	QueryCredential    = "X-Amz-Credential"
	QueryDate          = "X-Amz-Date"
	QueryExpires       = "X-Amz-Expires"
	QuerySignedHeaders = "X-Amz-SignedHeaders"
	QuerySignature     = "X-Amz-Signature"
	// QuerySecurityToken is signed like any parameter when present.
	QuerySecurityToken = "X-Amz-Security-Token"
)

// PresignParams are the query parameters a presigned request's signature
// travels in; they are not parameters of the action.
var PresignParams = []string{QueryAlgorithm, QueryCredential, QueryDate, QueryExpires,
	QuerySignedHeaders, QuerySignature, QuerySecurityToken}

// MaxPresignExpiry is the longest X-Amz-Expires AWS accepts: a week.
const MaxPresignExpiry = 7 * 24 * time.Hour

// unsignedPayload is the payload hash a presigned URL may be signed with.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// IsPresigned reports whether r carries a SigV4 signature in its query
// string (X-Amz-Algorithm present). It proves nothing.
func IsPresigned(r *http.Request) bool {
	return r.URL.Query().Has(QueryAlgorithm)
}

// presigned is a parsed query-string signature.
type presigned struct {
	authorization
	amzDate string
	expires time.Duration
}

// parsePresigned reads the X-Amz-* parameters of q; each must be present
// once. Problems of shape are IncompleteSignature, as for the header.
func parsePresigned(q url.Values) (presigned, error) {
	for _, name := range []string{QueryAlgorithm, QueryCredential, QueryDate, QueryExpires, QuerySignedHeaders, QuerySignature} {
		if vs := q[name]; len(vs) != 1 || vs[0] == "" {
			return presigned{}, incomplete("AWS query-string parameters must include %s exactly once", name)
		}
	}
	if q.Get(QueryAlgorithm) != sigV4Algorithm {
		return presigned{}, incomplete("X-Amz-Algorithm only supports %s", sigV4Algorithm)
	}
	a, err := parseCredential(q.Get(QueryCredential))
	if err != nil {
		return presigned{}, err
	}
	if a.SignedHeaders, err = parseSignedHeaders(q.Get(QuerySignedHeaders), "host"); err != nil {
		return presigned{}, err
	}
	sig, err := hex.DecodeString(q.Get(QuerySignature))
	if err != nil || len(sig) != 32 {
		return presigned{}, incomplete("X-Amz-Signature must be 64 hex characters")
	}
	a.Signature = sig
	secs, err := strconv.ParseInt(q.Get(QueryExpires), 10, 64)
	if err != nil || secs < 1 || secs > int64(MaxPresignExpiry/time.Second) {
		return presigned{}, incomplete("X-Amz-Expires must be a number of seconds from 1 to %d (a week)", int64(MaxPresignExpiry/time.Second))
	}
	return presigned{authorization: a, amzDate: q.Get(QueryDate), expires: time.Duration(secs) * time.Second}, nil
}

// verifyPresigned checks a presigned request: the scope as for the header,
// the URL not yet expired (X-Amz-Date + X-Amz-Expires) and not dated more
// than MaxSkew ahead, and the signature over the canonical request without
// X-Amz-Signature. The payload hash is the body's SHA-256; a request with
// no body (a GET, whose parameters are all in the signed query string)
// may instead be signed with UNSIGNED-PAYLOAD, as botocore presigns. A
// body is never left unsigned.
func (o SigV4Options) verifyPresigned(ctx context.Context, r *http.Request, body []byte, ks KeyStore, now time.Time) (SigV4Result, error) {
	p, k, date, err := o.checkPresigned(ctx, r, ks, now)
	if err != nil {
		return SigV4Result{}, err
	}
	hashes := []string{sha256Hex(body)}
	if len(body) == 0 {
		hashes = append(hashes, unsignedPayload)
	}
	var canonical string
	for _, h := range hashes {
		if canonical, err = canonicalRequest(r, p.SignedHeaders, h, QuerySignature); err != nil {
			return SigV4Result{}, err
		}
		if hmac.Equal(sigV4Signature(k.SecretAccessKey, p.authorization, p.amzDate, canonical), p.Signature) {
			return SigV4Result{Key: k, Region: p.Region, Date: date}, nil
		}
	}
	return SigV4Result{}, signatureMismatch(ctx, p.AccessKeyID, canonical)
}

// checkPresigned checks what a presigned request's query proves before its
// body is read: the parameters, the scope, the validity window and a known
// key.
func (o SigV4Options) checkPresigned(ctx context.Context, r *http.Request, ks KeyStore, now time.Time) (presigned, Key, time.Time, error) {
	p, err := parsePresigned(r.URL.Query())
	if err != nil {
		return presigned{}, Key{}, time.Time{}, err
	}
	date, err := o.checkScope(p.authorization, p.amzDate)
	if err != nil {
		return presigned{}, Key{}, time.Time{}, err
	}
	if date.Sub(now) > MaxSkew {
		return presigned{}, Key{}, time.Time{}, ec2err.New(CodeRequestExpired, "Request is dated %s, ahead of server time %s",
			date.Format(amzDateFormat), now.UTC().Format(amzDateFormat))
	}
	if end := date.Add(p.expires); now.After(end) {
		return presigned{}, Key{}, time.Time{}, ec2err.New(CodeRequestExpired,
			"Request has expired: the presigned URL expired at %s, server time %s",
			end.Format(amzDateFormat), now.UTC().Format(amzDateFormat))
	}
	k, err := lookupSigV4Key(ctx, ks, p.AccessKeyID)
	if err != nil {
		return presigned{}, Key{}, time.Time{}, err
	}
	return p, k, date, nil
}

// RequestSigV4Service is the service of r's SigV4 credential scope, from
// its Authorization header or, for a presigned request, its
// X-Amz-Credential; "" when neither parses. Like SigV4Service it proves
// nothing and only routes r to the handler that verifies it.
func RequestSigV4Service(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		return SigV4Service(h)
	}
	a, err := parseCredential(r.URL.Query().Get(QueryCredential))
	if err != nil {
		return ""
	}
	return a.Service
}
