package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/server"
)

// queryReply is a Query API answer: status, EC2 error code ("" on
// success) and body.
type queryReply struct {
	status int
	code   string
	body   string
}

func do(t *testing.T, r *http.Request) queryReply {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc struct {
		Errors []struct {
			Code string `xml:"Code"`
		} `xml:"Errors>Error"`
	}
	_ = xml.Unmarshal(b, &doc)
	rep := queryReply{status: resp.StatusCode, body: string(b)}
	if len(doc.Errors) > 0 {
		rep.code = doc.Errors[0].Code
	}
	return rep
}

// presignedURL is url?query presigned by the AWS SDK for Go v2's v4
// signer (UNSIGNED-PAYLOAD, as botocore presigns) for service in lab-1.
func presignedURL(t *testing.T, url, query string, k auth.Key, secret, service string, expires string, at time.Time) string {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, url+"/?"+query+"&X-Amz-Expires="+expires, nil)
	if err != nil {
		t.Fatal(err)
	}
	uri, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: secret},
		r, "UNSIGNED-PAYLOAD", service, "lab-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return uri
}

// TestPresignedQueryAPI: through ec2d's real HTTP handler, a presigned
// DescribeRegions URL answers the regions; a tampered parameter, a wrong
// secret, an expired URL and one signed for another region are refused
// with EC2's codes and statuses; a presigned STS GetCallerIdentity reaches
// STS on the same listener.
func TestPresignedQueryAPI(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	srv := httptest.NewServer(server.NewHTTPHandler(regionsOnly{}, auth.StaticKeys{k.AccessKeyID: k},
		slog.New(slog.NewTextHandler(io.Discard, nil)), "lab-1"))
	defer srv.Close()
	const q = "Action=DescribeRegions&Version=2016-11-15&RegionName.1=lab-1"
	now := time.Now()
	tests := []struct {
		name   string
		url    string
		status int
		code   string
	}{
		{"valid", presignedURL(t, srv.URL, q, k, k.SecretAccessKey, "ec2", "300", now), http.StatusOK, ""},
		{"tampered parameter", strings.Replace(presignedURL(t, srv.URL, q, k, k.SecretAccessKey, "ec2", "300", now),
			"RegionName.1=lab-1", "RegionName.1=lab-2", 1), http.StatusUnauthorized, "AuthFailure"},
		{"wrong secret", presignedURL(t, srv.URL, q, k, "wrong", "ec2", "300", now), http.StatusUnauthorized, "AuthFailure"},
		{"expired", presignedURL(t, srv.URL, q, k, k.SecretAccessKey, "ec2", "60", now.Add(-2*time.Minute)), http.StatusBadRequest, "RequestExpired"},
		{"expiry over a week", presignedURL(t, srv.URL, q, k, k.SecretAccessKey, "ec2", "604801", now), http.StatusForbidden, "IncompleteSignature"},
		{"unknown version", presignedURL(t, srv.URL, "Action=DescribeRegions&Version=2012-01-01", k, k.SecretAccessKey, "ec2", "300", now),
			http.StatusBadRequest, "NoSuchVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, tt.url, nil)
			rep := do(t, r)
			if rep.status != tt.status || rep.code != tt.code {
				t.Fatalf("%d %q, want %d %q: %s", rep.status, rep.code, tt.status, tt.code, rep.body)
			}
			if tt.code == "" && !strings.Contains(rep.body, "<regionName>lab-1</regionName>") {
				t.Errorf("DescribeRegions answer without lab-1: %s", rep.body)
			}
		})
	}
	sts, _ := http.NewRequest(http.MethodGet, presignedURL(t, srv.URL, "Action=GetCallerIdentity&Version=2011-06-15", k, k.SecretAccessKey, "sts", "300", now), nil)
	if rep := do(t, sts); rep.status != http.StatusOK || !strings.Contains(rep.body, "<Account>123456789012</Account>") {
		t.Errorf("presigned GetCallerIdentity: %d %s", rep.status, rep.body)
	}
}

// TestQueryAPIVersion: EC2 requests signed by the Go SDK's signer must
// name Version 2016-11-15: missing is MissingParameter, another is
// NoSuchVersion; STS and IAM keep their own versions on the same listener
// (TestIdentityCallsOnTheEC2Endpoint).
func TestQueryAPIVersion(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	srv := httptest.NewServer(server.NewHTTPHandler(regionsOnly{}, auth.StaticKeys{k.AccessKeyID: k},
		slog.New(slog.NewTextHandler(io.Discard, nil)), "lab-1"))
	defer srv.Close()
	tests := []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"2016-11-15", "Action=DescribeRegions&Version=2016-11-15", http.StatusOK, "", "lab-1"},
		{"missing", "Action=DescribeRegions", http.StatusBadRequest, "MissingParameter", "The request must contain the parameter Version"},
		{"unknown", "Action=DescribeRegions&Version=2015-10-01", http.StatusBadRequest, "NoSuchVersion",
			"The requested version (2015-10-01) of service AmazonEC2 does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey},
				r, bodySHA256(tt.body), "ec2", "lab-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			rep := do(t, r)
			if rep.status != tt.status || rep.code != tt.code || !strings.Contains(rep.body, tt.msg) {
				t.Fatalf("%d %q, want %d %q with %q: %s", rep.status, rep.code, tt.status, tt.code, tt.msg, rep.body)
			}
		})
	}
}

func bodySHA256(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}
