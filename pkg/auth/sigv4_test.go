package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

const formBody = "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0"

var signedAt = time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)

func sdkSign(t *testing.T, r *http.Request, body []byte, k Key, region, service string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		t.Fatalf("sign: %v", err)
	}
}

// serverRequest is a POST as an EC2 endpoint on 127.0.0.1:8788 receives it,
// signed by the AWS SDK for Go v2.
func serverRequest(t *testing.T, k Key, region, service string) (*http.Request, []byte) {
	body := []byte(formBody)
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8788/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sdkSign(t, r, body, k, region, service, signedAt)
	return r, body
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	e, ok := ec2err.As(err)
	if !ok {
		return "not an *ec2err.Error: " + err.Error()
	}
	return e.Code
}

func TestVerifySigV4Tampering(t *testing.T) {
	k := NewKey("111111111111", false)
	ks := StaticKeys{k.AccessKeyID: k}
	const auth = ec2err.AuthFailure
	setAuthz := func(from, to string) func(*http.Request, *[]byte) {
		return func(r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), from, to, 1))
		}
	}
	cases := []struct {
		name   string
		mutate func(r *http.Request, body *[]byte)
		now    time.Time
		want   string
	}{
		{"untouched", nil, signedAt, ""},
		{"14 min clock skew", nil, signedAt.Add(14 * time.Minute), ""},
		{"signed header value", func(r *http.Request, _ *[]byte) { r.Header.Set("Content-Type", "text/plain") }, signedAt, auth},
		{"header value whitespace only", func(r *http.Request, _ *[]byte) {
			r.Header.Set("Content-Type", "  application/x-www-form-urlencoded;   charset=utf-8 ")
		}, signedAt, ""},
		{"host", func(r *http.Request, _ *[]byte) { r.Host = "127.0.0.1:8789" }, signedAt, auth},
		{"body", func(_ *http.Request, b *[]byte) { *b = bytes.Replace(*b, []byte("i-0"), []byte("i-1"), 1) }, signedAt, auth},
		{"query added", func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "Action=RunInstances" }, signedAt, auth},
		{"path", func(r *http.Request, _ *[]byte) { r.URL.Path = "/x" }, signedAt, auth},
		{"method", func(r *http.Request, _ *[]byte) { r.Method = http.MethodPut }, signedAt, auth},
		{"x-amz-date same day", func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Date", "20261126T123001Z") }, signedAt, auth},
		{"x-amz-date other day", func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Date", "20261127T123000Z") }, signedAt.Add(24 * time.Hour), auth},
		{"clock 16 min ahead", nil, signedAt.Add(16 * time.Minute), CodeRequestExpired},
		{"clock 16 min behind", nil, signedAt.Add(-16 * time.Minute), CodeRequestExpired},
		{"region in scope", setAuthz("/us-east-1/", "/us-west-2/"), signedAt, auth},
		{"service in scope", setAuthz("/ec2/", "/s3/"), signedAt, auth},
		{"scope date", setAuthz("/20261126/", "/20261125/"), signedAt, auth},
		{"access key", setAuthz(k.AccessKeyID, "AKIAAAAAAAAAAAAAAAAA"), signedAt, auth},
		{"signature hex digit", func(r *http.Request, _ *[]byte) {
			h := r.Header.Get("Authorization")
			last := h[len(h)-1]
			flip := map[bool]string{true: "0", false: "1"}[last != '0']
			r.Header.Set("Authorization", h[:len(h)-1]+flip)
		}, signedAt, auth},
		{"signed headers list", setAuthz(";content-type;", ";"), signedAt, auth},
		{"content sha256 mismatch", func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64)) }, signedAt, auth},
		{"no authorization", func(r *http.Request, _ *[]byte) { r.Header.Del("Authorization") }, signedAt, CodeMissingAuthenticationToken},
		{"no x-amz-date", func(r *http.Request, _ *[]byte) { r.Header.Del("X-Amz-Date") }, signedAt, CodeIncompleteSignature},
		{"bad x-amz-date", func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Date", "2026-11-26") }, signedAt, CodeIncompleteSignature},
		{"host not signed", setAuthz(";host;", ";"), signedAt, CodeIncompleteSignature},
		{"other algorithm", setAuthz("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"), signedAt, CodeIncompleteSignature},
		{"no signature field", setAuthz("Signature=", "Sig="), signedAt, CodeIncompleteSignature},
		{"short credential", setAuthz("/aws4_request", ""), signedAt, CodeIncompleteSignature},
		{"garbage", func(r *http.Request, _ *[]byte) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage") }, signedAt, CodeIncompleteSignature},
		{"basic auth", func(r *http.Request, _ *[]byte) { r.SetBasicAuth("a", "b") }, signedAt, CodeIncompleteSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, body := serverRequest(t, k, "us-east-1", "ec2")
			if tc.mutate != nil {
				tc.mutate(r, &body)
			}
			got, err := VerifySigV4(context.Background(), r, body, ks, tc.now)
			if errCode(err) != tc.want {
				t.Fatalf("code = %q (%v), want %q", errCode(err), err, tc.want)
			}
			if err == nil && got.AccessKeyID != k.AccessKeyID {
				t.Fatalf("verified as %v", got)
			}
			if err != nil && strings.Contains(err.Error(), k.SecretAccessKey) {
				t.Fatal("error shows the secret")
			}
		})
	}
}

func TestVerifySigV4WrongSecret(t *testing.T) {
	k := NewKey("111111111111", false)
	stored := k
	stored.SecretAccessKey = NewKey("", false).SecretAccessKey
	r, body := serverRequest(t, k, "us-east-1", "ec2")
	_, err := VerifySigV4(context.Background(), r, body, StaticKeys{k.AccessKeyID: stored}, signedAt)
	if errCode(err) != ec2err.AuthFailure {
		t.Fatalf("code = %q, want AuthFailure", errCode(err))
	}
	for _, s := range []string{k.SecretAccessKey, stored.SecretAccessKey} {
		if strings.Contains(err.Error(), s) {
			t.Fatal("error shows a secret")
		}
	}
}

// TestVerifySigV4EveryBodyByte flips each byte of the body in turn.
func TestVerifySigV4EveryBodyByte(t *testing.T) {
	k := NewKey("111111111111", false)
	ks := StaticKeys{k.AccessKeyID: k}
	r, body := serverRequest(t, k, "us-east-1", "ec2")
	for i := range body {
		tampered := bytes.Clone(body)
		tampered[i] ^= 0x01
		if _, err := VerifySigV4(context.Background(), r, tampered, ks, signedAt); errCode(err) != ec2err.AuthFailure {
			t.Fatalf("byte %d flipped: code %q, want AuthFailure", i, errCode(err))
		}
	}
}

func TestSigV4OptionsRegions(t *testing.T) {
	k := NewKey("111111111111", false)
	ks := StaticKeys{k.AccessKeyID: k}
	opts := SigV4Options{Regions: []string{"us-east-1", "lab-1"}}
	for _, tc := range []struct{ region, want string }{
		{"us-east-1", ""}, {"lab-1", ""}, {"eu-west-1", ec2err.AuthFailure},
	} {
		r, body := serverRequest(t, k, tc.region, "ec2")
		res, err := opts.Verify(context.Background(), r, body, ks, signedAt)
		if errCode(err) != tc.want {
			t.Errorf("%s: code %q, want %q", tc.region, errCode(err), tc.want)
		}
		if err == nil && (res.Region != tc.region || !res.Date.Equal(signedAt) || res.Key.AccountID != k.AccountID) {
			t.Errorf("%s: result %+v", tc.region, res)
		}
	}
	r, body := serverRequest(t, k, "us-east-1", "sts")
	if _, err := (SigV4Options{Service: "sts"}).Verify(context.Background(), r, body, ks, signedAt); err != nil {
		t.Errorf("custom service: %v", err)
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"", ""},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1&a-b=0", "a=1&a=2&a-b=0"},
		{"k=a+b&k2=a%20b&t=~*'", "k=a%20b&k2=a%20b&t=~%2A%27"},
		{"Filter.1.Name=tag%3AName&Filter.1.Value.1=x%2Fy", "Filter.1.Name=tag%3AName&Filter.1.Value.1=x%2Fy"},
		{"flag", "flag="},
	}
	for _, tc := range cases {
		got, err := canonicalQuery(tc.raw, "")
		if err != nil || got != tc.want {
			t.Errorf("canonicalQuery(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
		}
	}
	if _, err := canonicalQuery("a=%zz", ""); errCode(err) != CodeIncompleteSignature {
		t.Errorf("bad escape: %v", err)
	}
}
