package auth

import (
	"encoding/hex"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// EC2 error codes for SigV4 failures that pkg/ec2err has no constant for.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeRequestExpired             = "RequestExpired"
)

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	scopeTerm      = "aws4_request"
)

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	AccessKeyID   string
	Date          string // scope date, YYYYMMDD
	Region        string
	Service       string
	SignedHeaders []string
	Signature     []byte
}

func (a authorization) scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + scopeTerm
}

func incomplete(format string, args ...any) *ec2err.Error {
	return ec2err.New(CodeIncompleteSignature, format, args...)
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
// SignedHeaders=a;b, Signature=hex"; every problem is IncompleteSignature.
func parseAuthorization(h string) (authorization, error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != sigV4Algorithm {
		return authorization{}, incomplete("unsupported authorization algorithm; use %s", sigV4Algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return authorization{}, incomplete("authorization header field %q is not key=value", k)
		}
		if _, dup := fields[k]; dup {
			return authorization{}, incomplete("authorization header repeats %s", k)
		}
		fields[k] = v
	}
	for _, need := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[need] == "" {
			return authorization{}, incomplete("authorization header requires a %s parameter", need)
		}
	}
	a, err := parseCredential(fields["Credential"])
	if err != nil {
		return authorization{}, err
	}
	if a.SignedHeaders, err = parseSignedHeaders(fields["SignedHeaders"], "host", "x-amz-date"); err != nil {
		return authorization{}, err
	}
	sig, err := hex.DecodeString(fields["Signature"])
	if err != nil || len(sig) != 32 {
		return authorization{}, incomplete("signature must be 64 hex characters")
	}
	a.Signature = sig
	return a, nil
}

func parseCredential(c string) (authorization, error) {
	p := strings.Split(c, "/")
	if len(p) != 5 || p[0] == "" || p[2] == "" || p[3] == "" || p[4] != scopeTerm {
		return authorization{}, incomplete("credential must have the form <key>/<YYYYMMDD>/<region>/<service>/%s", scopeTerm)
	}
	if _, err := time.Parse("20060102", p[1]); err != nil || len(p[1]) != 8 {
		return authorization{}, incomplete("credential scope date %q is not YYYYMMDD", p[1])
	}
	return authorization{AccessKeyID: p[0], Date: p[1], Region: p[2], Service: p[3]}, nil
}

// parseSignedHeaders parses "a;b;c", which must name every header in need.
func parseSignedHeaders(s string, need ...string) ([]string, error) {
	names := strings.Split(s, ";")
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || n != strings.ToLower(n) || seen[n] {
			return nil, incomplete("SignedHeaders must be distinct lowercase header names separated by ';'")
		}
		seen[n] = true
	}
	for _, n := range need {
		if !seen[n] {
			return nil, incomplete("SignedHeaders must include %s", n)
		}
	}
	return names, nil
}

// SigV4Service is the service of r's SigV4 credential scope ("ec2",
// "sts", "iam", ...), or "" when r carries no parseable SigV4
// Authorization header. It proves nothing: it only routes a request to the
// handler that verifies it for that service.
func SigV4Service(h string) string {
	a, err := parseAuthorization(h)
	if err != nil {
		return ""
	}
	return a.Service
}
