package auth

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// FuzzParseAuthorization: a header either fails with IncompleteSignature
// or parses to what, rendered again, parses the same.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261126/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + strings.Repeat("ab", 32))
	f.Add("AWS4-HMAC-SHA256 Credential=a/20261126/r/s/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + strings.Repeat("0", 64) + ",Extra=1")
	f.Add("AWS4-HMAC-SHA256 Credential=a/2026112/r/s/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("AWS4-HMAC-SHA256 garbage")
	f.Add("Basic YTpi")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h)
		if err != nil {
			if code := errCode(err); code != CodeIncompleteSignature {
				t.Fatalf("parseAuthorization(%q): code %q, want %s", h, code, CodeIncompleteSignature)
			}
			return
		}
		wire := fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%x",
			sigV4Algorithm, a.AccessKeyID, a.scope(), strings.Join(a.SignedHeaders, ";"), a.Signature)
		again, err := parseAuthorization(wire)
		if err != nil || !reflect.DeepEqual(again, a) {
			t.Fatalf("parseAuthorization(%q) = %+v; rendered %q parses to %+v, %v", h, a, wire, again, err)
		}
	})
}

// FuzzCanonicalQuery: a raw query either fails with IncompleteSignature or
// canonicalizes to a form that is its own canonical form.
func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "Action=DescribeInstances&Version=2016-11-15", "b=2&a=1&a=0", "a+b=c%20d&%7E=~",
		"X-Amz-Signature=abc&X-Amz-Date=1", "%zz=1", "k=%", "&&=&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := canonicalQuery(raw, "")
		if err != nil {
			if code := errCode(err); code != CodeIncompleteSignature {
				t.Fatalf("canonicalQuery(%q): code %q, want %s", raw, code, CodeIncompleteSignature)
			}
			return
		}
		again, err := canonicalQuery(c, "")
		if err != nil || again != c {
			t.Fatalf("canonicalQuery(%q) = %q, which canonicalizes to %q, %v", raw, c, again, err)
		}
	})
}

// FuzzVerifySigV4Mutation: a request signed by the AWS SDK verifies, and
// once its body, Authorization header, X-Amz-Date or query is altered it
// never does (unless the alteration keeps its meaning: the header parses
// the same, the query canonicalizes to nothing); a refusal is an EC2 error,
// never InternalError.
func FuzzVerifySigV4Mutation(f *testing.F) {
	f.Add(uint8(0), uint16(10), byte(1), "")
	f.Add(uint8(1), uint16(60), byte(0x20), "")
	f.Add(uint8(2), uint16(3), byte('7'), "")
	f.Add(uint8(3), uint16(0), byte(0), "Action=RunInstances")
	f.Add(uint8(1), uint16(200), byte('A'^'a'), "")
	k := NewKey("111111111111", false)
	ks := StaticKeys{k.AccessKeyID: k}
	f.Fuzz(func(t *testing.T, what uint8, pos uint16, b byte, query string) {
		r, body := serverRequest(t, k, "us-east-1", "ec2")
		authz := r.Header.Get("Authorization")
		changed := true
		switch what % 4 {
		case 0:
			body, changed = mutate(body, int(pos), b)
		case 1:
			var h []byte
			h, _ = mutate([]byte(authz), int(pos), b)
			r.Header.Set("Authorization", string(h))
			orig, _ := parseAuthorization(authz)
			got, err := parseAuthorization(string(h))
			changed = err != nil || !reflect.DeepEqual(got, orig)
		case 2:
			d, _ := mutate([]byte(r.Header.Get("X-Amz-Date")), int(pos), b)
			changed = string(d) != r.Header.Get("X-Amz-Date")
			r.Header.Set("X-Amz-Date", string(d))
		case 3:
			r.URL.RawQuery = query
			c, err := canonicalQuery(query, "")
			changed = err != nil || c != ""
		}
		_, err := VerifySigV4(context.Background(), r, body, ks, signedAt)
		if changed && err == nil {
			t.Fatalf("altered request verified (case %d): Authorization %q, X-Amz-Date %q, query %q, body %q",
				what%4, r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), r.URL.RawQuery, body)
		}
		if !changed && err != nil {
			t.Fatalf("request altered only in form refused: %v (Authorization %q)", err, r.Header.Get("Authorization"))
		}
		if e, ok := ec2err.As(err); err != nil && (!ok || e.Code == ec2err.InternalError) {
			t.Fatalf("refusal %v is not an EC2 client error", err)
		}
	})
}

// mutate flips b into s[pos], or inserts b when pos is past the end; it
// reports whether s changed.
func mutate(s []byte, pos int, b byte) ([]byte, bool) {
	s = append([]byte(nil), s...)
	if i := pos % (len(s) + 1); i < len(s) {
		s[i] ^= b
		return s, b != 0
	}
	return append(s, b), true
}
