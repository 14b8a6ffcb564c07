package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ec2lab/ec2lab/pkg/auth"
)

// countingBody is a request body of n zero bytes that counts what the
// server reads of it.
type countingBody struct {
	left int64
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > b.left {
		n = b.left
	}
	clear(p[:n])
	b.left -= n
	b.read.Add(n)
	return int(n), nil
}

// TestBodyNotReadBeforeAuthentication: a 10 MiB body from a client that
// is not signed, signed with an unknown key, for another region, or with
// a wrong secret over a declared payload hash is refused before any of it
// is read; a wrong secret without a declared hash (the body must be read
// to check it) reads no more than the 1 MiB limit. A signed request still
// works.
func TestBodyNotReadBeforeAuthentication(t *testing.T) {
	good := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	h := NewHTTPHandler(regions{}, auth.StaticKeys{good.AccessKeyID: good}, slog.New(slog.NewTextHandler(io.Discard, nil)), "lab-1")
	const size = 10 << 20
	zeros := sha256.Sum256(make([]byte, size))
	zeroHash := hex.EncodeToString(zeros[:])
	for _, tc := range []struct {
		name         string
		key          *auth.Key // nil: unsigned
		region       string
		service      string
		declare      bool // send X-Amz-Content-Sha256
		chunked      bool // no Content-Length
		wantCode     string
		wantReadUpTo int64
	}{
		{name: "unsigned", wantCode: "MissingAuthenticationToken"},
		{name: "unsigned, chunked", chunked: true, wantCode: "MissingAuthenticationToken"},
		{name: "unknown key", key: &auth.Key{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "x"}, region: "lab-1",
			chunked: true, wantCode: "AuthFailure"},
		{name: "another region", key: &good, region: "us-east-1", chunked: true, wantCode: "AuthFailure"},
		{name: "unknown key for sts", key: &auth.Key{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "x"}, region: "lab-1",
			service: "sts", chunked: true, wantCode: "AuthFailure"},
		{name: "wrong secret, declared hash", key: &auth.Key{AccessKeyID: good.AccessKeyID, SecretAccessKey: "wrong"}, region: "lab-1",
			declare: true, wantCode: "AuthFailure"},
		{name: "wrong secret, chunked", key: &auth.Key{AccessKeyID: good.AccessKeyID, SecretAccessKey: "wrong"}, region: "lab-1",
			chunked: true, wantCode: "RequestEntityTooLarge", wantReadUpTo: 1<<20 + 1<<16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingBody{left: size}
			req := httptest.NewRequest(http.MethodPost, "http://ec2d/", body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.ContentLength = size
			if tc.chunked {
				req.ContentLength = -1
			}
			if tc.declare {
				req.Header.Set("X-Amz-Content-Sha256", zeroHash)
			}
			if tc.key != nil {
				service := tc.service
				if service == "" {
					service = "ec2"
				}
				err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: tc.key.AccessKeyID,
					SecretAccessKey: tc.key.SecretAccessKey}, req, zeroHash, service, tc.region, time.Now())
				if err != nil {
					t.Fatal(err)
				}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code < 400 || !strings.Contains(rec.Body.String(), tc.wantCode) {
				t.Errorf("answer %d %s, want %s", rec.Code, rec.Body.String(), tc.wantCode)
			}
			if got := body.read.Load(); got > tc.wantReadUpTo {
				t.Errorf("server read %d bytes of the body, want at most %d", got, tc.wantReadUpTo)
			}
		})
	}
	t.Run("presigned with an unknown key", func(t *testing.T) {
		now := time.Now().UTC()
		q := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAUNKNOWN000000000%2F" + now.Format("20060102") +
			"%2Flab-1%2Fec2%2Faws4_request&X-Amz-Date=" + now.Format("20060102T150405Z") +
			"&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("0", 64)
		body := &countingBody{left: size}
		req := httptest.NewRequest(http.MethodPost, "http://ec2d/?"+q, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 400 || !strings.Contains(rec.Body.String(), "AuthFailure") {
			t.Errorf("answer %d %s, want AuthFailure", rec.Code, rec.Body.String())
		}
		if got := body.read.Load(); got != 0 {
			t.Errorf("server read %d bytes of the body before refusing the presigned key, want 0", got)
		}
	})
	t.Run("signed request works", func(t *testing.T) {
		form := []byte("Action=DescribeRegions&Version=2016-11-15")
		sum := sha256.Sum256(form)
		req := httptest.NewRequest(http.MethodPost, "http://ec2d/", bytes.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: good.AccessKeyID,
			SecretAccessKey: good.SecretAccessKey}, req, hex.EncodeToString(sum[:]), "ec2", "lab-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "lab-1") {
			t.Fatalf("answer %d %s", rec.Code, rec.Body.String())
		}
	})
}
