package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// canonicalRequest builds the SigV4 canonical request for r as the server
// received it, leaving the query parameter named skip out (a presigned
// URL's X-Amz-Signature; "" skips nothing).
func canonicalRequest(r *http.Request, signed []string, payloadHash, skip string) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery, skip)
	if err != nil {
		return "", err
	}
	return strings.Join([]string{
		r.Method,
		canonicalPath(r.URL.EscapedPath()),
		query,
		canonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		payloadHash,
	}, "\n"), nil
}

// canonicalPath URI-encodes the path as received (so %XX becomes %25XX), as
// the AWS SDKs do for every service but S3; "" is "/".
func canonicalPath(escaped string) string {
	if escaped == "" {
		return "/"
	}
	return uriEncode(escaped, "/")
}

// canonicalQuery decodes the raw query and re-encodes it RFC 3986 style,
// sorted by key then value, without the parameter named skip.
func canonicalQuery(raw, skip string) (string, error) {
	var pairs [][2]string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return "", incomplete("malformed query string")
		}
		if skip != "" && dk == skip {
			continue
		}
		pairs = append(pairs, [2]string{uriEncode(dk, ""), uriEncode(dv, "")})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&"), nil
}

// uriEncode percent-encodes every byte outside RFC 3986's unreserved set
// and keep.
func uriEncode(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalHeaders writes "name:value\n" for exactly the signed headers.
// Host and Content-Length are read from where net/http keeps them.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		var vals []string
		switch name {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			vals = r.Header.Values(name)
			if len(vals) == 0 && r.ContentLength >= 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		default:
			vals = r.Header.Values(name)
		}
		clean := make([]string, len(vals))
		for i, v := range vals {
			clean[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name + ":" + strings.Join(clean, ",") + "\n")
	}
	return b.String()
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// sigV4Signature is HMAC(signingKey, stringToSign) with the key derived
// from secret over the scope.
func sigV4Signature(secret string, a authorization, amzDate, canonical string) []byte {
	toSign := strings.Join([]string{sigV4Algorithm, amzDate, a.scope(), sha256Hex([]byte(canonical))}, "\n")
	k := hmacSHA256([]byte("AWS4"+secret), a.Date)
	k = hmacSHA256(k, a.Region)
	k = hmacSHA256(k, a.Service)
	k = hmacSHA256(k, scopeTerm)
	return hmacSHA256(k, toSign)
}
