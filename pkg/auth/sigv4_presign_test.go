package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

const presignQuery = "Action=DescribeRegions&Version=2016-11-15&RegionName.1=lab-1"

// presign returns r presigned by the AWS SDK for Go v2 for expires
// seconds at at, with payloadHash, as the server receives it.
func presign(t *testing.T, method, query, body string, k Key, secret, payloadHash string, expires string, at time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, "http://127.0.0.1:8788/?"+query+"&X-Amz-Expires="+expires, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	creds := aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: secret}
	uri, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, payloadHash, "ec2", "lab-1", at)
	if err != nil {
		t.Fatalf("presign: %v", err)
	}
	out := httptest.NewRequest(method, uri, strings.NewReader(body))
	for name, vs := range hdr {
		if !strings.EqualFold(name, "Host") {
			out.Header[name] = vs
		}
	}
	return out
}

func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// TestVerifyPresigned: a URL presigned by the Go SDK's v4 signer passes
// while it is valid; a changed parameter, a wrong secret, an expired or
// future URL, an expiry over a week, an unsigned body and a second
// signature in the header are refused with EC2's codes.
func TestVerifyPresigned(t *testing.T) {
	k := NewKey("111111111111", false)
	ks := StaticKeys{k.AccessKeyID: k}
	now := signedAt.Add(10 * time.Minute)
	form := "Action=DescribeRegions&Version=2016-11-15"
	tests := []struct {
		name string
		req  func() *http.Request
		code string // "" passes
	}{
		{"GET, UNSIGNED-PAYLOAD", func() *http.Request {
			return presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "900", signedAt)
		}, ""},
		{"GET, empty body hash", func() *http.Request {
			return presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, bodyHash(""), "900", signedAt)
		}, ""},
		{"POST, body hash", func() *http.Request {
			return presign(t, "POST", "", form, k, k.SecretAccessKey, bodyHash(form), "900", signedAt)
		}, ""},
		{"POST body left unsigned", func() *http.Request {
			return presign(t, "POST", "", form, k, k.SecretAccessKey, unsignedPayload, "900", signedAt)
		}, ec2err.AuthFailure},
		{"tampered parameter", func() *http.Request {
			r := presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "900", signedAt)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "RegionName.1=lab-1", "RegionName.1=lab-2", 1)
			return r
		}, ec2err.AuthFailure},
		{"added parameter", func() *http.Request {
			r := presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "900", signedAt)
			r.URL.RawQuery += "&DryRun=true"
			return r
		}, ec2err.AuthFailure},
		{"lengthened expiry", func() *http.Request {
			r := presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "60", signedAt)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=60", "X-Amz-Expires=900", 1)
			return r
		}, ec2err.AuthFailure},
		{"wrong secret", func() *http.Request {
			return presign(t, "GET", presignQuery, "", k, "not-the-secret", unsignedPayload, "900", signedAt)
		}, ec2err.AuthFailure},
		{"expired", func() *http.Request {
			return presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "300", signedAt)
		}, ec2err.RequestExpired},
		{"dated in the future", func() *http.Request {
			return presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "900", now.Add(20*time.Minute))
		}, ec2err.RequestExpired},
		{"a week is the longest expiry", func() *http.Request {
			return presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "604801", signedAt)
		}, ec2err.IncompleteSignature},
		{"a week passes", func() *http.Request {
			return presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "604800", signedAt)
		}, ""},
		{"no expiry", func() *http.Request {
			r := presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "900", signedAt)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=900", "", 1)
			return r
		}, ec2err.IncompleteSignature},
		{"signature dropped", func() *http.Request {
			r := presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "900", signedAt)
			q := r.URL.Query()
			q.Del(QuerySignature)
			r.URL.RawQuery = q.Encode()
			return r
		}, ec2err.IncompleteSignature},
		{"also an Authorization header", func() *http.Request {
			r := presign(t, "GET", presignQuery, "", k, k.SecretAccessKey, unsignedPayload, "900", signedAt)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			return r
		}, ec2err.IncompleteSignature},
		{"unknown key", func() *http.Request {
			other := NewKey("111111111111", false)
			return presign(t, "GET", presignQuery, "", other, other.SecretAccessKey, unsignedPayload, "900", signedAt)
		}, ec2err.AuthFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req()
			res, err := SigV4Options{Regions: []string{"lab-1"}}.Verify(context.Background(), r, bodyOf(t, r), ks, now)
			if got := errCode(err); got != tt.code {
				t.Fatalf("code %q (%v), want %q", got, err, tt.code)
			}
			if tt.code == "" && (res.Key.AccessKeyID != k.AccessKeyID || res.Region != "lab-1") {
				t.Errorf("verified as %+v, want key %s in lab-1", res, k.AccessKeyID)
			}
		})
	}
}

func bodyOf(t *testing.T, r *http.Request) []byte {
	t.Helper()
	if r.Method == http.MethodGet {
		return nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRequestSigV4Service: a presigned request is routed by the service
// in its X-Amz-Credential, a header-signed one by its Authorization.
func TestRequestSigV4Service(t *testing.T) {
	k := NewKey("111111111111", false)
	r := presign(t, "GET", "Action=GetCallerIdentity&Version=2011-06-15", "", k, k.SecretAccessKey, unsignedPayload, "60", signedAt)
	r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "%2Fec2%2F", "%2Fsts%2F", 1)
	if got := RequestSigV4Service(r); got != "sts" {
		t.Errorf("presigned for sts: %q", got)
	}
	h, _ := serverRequest(t, k, "lab-1", "iam")
	if got := RequestSigV4Service(h); got != "iam" {
		t.Errorf("header signed for iam: %q", got)
	}
	if got := RequestSigV4Service(httptest.NewRequest("GET", "/?Action=X", nil)); got != "" {
		t.Errorf("unsigned: %q", got)
	}
}
