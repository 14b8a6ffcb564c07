package ec2query

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// FuzzDecodeRequest: an arbitrary query string, form body and Content-Type
// are read, routed to an action and decoded as the handler does; every
// refusal is an EC2 client error (never InternalError), and a request that
// decodes encodes back to parameters that decode the same.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(uint8(0), "", []byte("Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-a"), "application/x-www-form-urlencoded", uint16(0))
	f.Add(uint8(1), "Action=RunInstances&Version=2016-11-15&ImageId=ami-1&MinCount=1&MaxCount=1", []byte(nil), "", uint16(0))
	f.Add(uint8(0), "", []byte("ImageId=ami-1&MinCount=x&Bogus=1"), "", uint16(3))
	f.Add(uint8(0), "%zz", []byte("a=%"), "text/xml", uint16(7))
	f.Add(uint8(2), "", []byte("Filter.1.Name=x&Filter.1.Value.1=y&MaxResults=5&NextToken=abc&DryRun=maybe"), "", uint16(11))
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	methods := []string{http.MethodPost, http.MethodGet, http.MethodPut}
	f.Fuzz(func(t *testing.T, method uint8, query string, body []byte, ctype string, pick uint16) {
		r := httptest.NewRequest(methods[int(method)%len(methods)], "/", bytes.NewReader(body))
		r.URL.RawQuery = query
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		_, vals, err := ReadParams(r, 1<<16)
		if err != nil {
			clientError(t, "ReadParams", err)
			return
		}
		if _, err := lookupAction(newParams(vals)); err != nil {
			clientError(t, "lookupAction", err)
		}
		if _, ok := actions[vals.Get("Action")]; !ok || pick%2 == 1 { // also decode as a known action
			vals.Set("Action", names[int(pick/2)%len(names)])
		}
		vals.Set("Version", APIVersion)
		p := newParams(vals)
		a, err := lookupAction(p)
		if err != nil {
			t.Fatalf("lookupAction(%v): %v", vals, err)
		}
		if _, err := dryRun(p); err != nil {
			clientError(t, "dryRun", err)
		}
		req, err := decodeRequest(a, p)
		if err != nil {
			clientError(t, "decodeRequest "+vals.Get("Action"), err)
			return
		}
		wire := Encode(req).Encode()
		again, err := url.ParseQuery(wire)
		if err != nil {
			t.Fatalf("encoded form %q does not parse: %v", wire, err)
		}
		got := a.newReq()
		if err := decodeMessage(newParams(again), "", got.ProtoReflect()); err != nil || !proto.Equal(got, req) {
			t.Fatalf("%s: %v decodes to %s; encoded %q it decodes to %s, %v", vals.Get("Action"), vals,
				prototext.Format(req), wire, prototext.Format(got), err)
		}
	})
}

// clientError fails t unless err is an EC2 error a client caused.
func clientError(t *testing.T, what string, err error) {
	t.Helper()
	e, ok := ec2err.As(err)
	if !ok || e.Code == ec2err.InternalError || e.Code == "" {
		t.Fatalf("%s: %v is not an EC2 client error", what, err)
	}
}
