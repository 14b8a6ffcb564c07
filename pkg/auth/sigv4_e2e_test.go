package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// sigv4Server is a loopback HTTP endpoint that verifies every request and
// answers 200 "OK <akid> <region>" or 401 "<code>".
func sigv4Server(t *testing.T, ks KeyStore) *httptest.Server {
	srv, _ := recordingServer(t, ks)
	return srv
}

// recordingServer is sigv4Server that also reports the last verdict.
func recordingServer(t *testing.T, ks KeyStore) (*httptest.Server, func() string) {
	var last atomic.Value
	last.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := SigV4Options{}.Verify(r.Context(), r, body, ks, time.Now())
		if err != nil {
			w.Header().Set("X-Test-Code", errCode(err))
			last.Store(errCode(err))
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Test-Code", "OK "+res.Key.AccessKeyID+" "+res.Region)
		last.Store("OK")
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><regionInfo/></DescribeRegionsResponse>`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() string { return last.Load().(string) }
}

func send(t *testing.T, r *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("X-Test-Code")
}

func TestSigV4OverHTTPWithGoSigner(t *testing.T) {
	k := NewKey("111111111111", false)
	srv := sigv4Server(t, StaticKeys{k.AccessKeyID: k})
	want := "OK " + k.AccessKeyID + " lab-1"
	query := "Action=DescribeRegions&Version=2016-11-15&Filter.1.Name=region-name&Filter.1.Value.1=a%20b%2Fc~"
	get, _ := http.NewRequest(http.MethodGet, srv.URL+"/?"+query, nil)
	sdkSign(t, get, nil, k, "lab-1", "ec2", time.Now())
	if got := send(t, get); got != want {
		t.Errorf("GET: %q, want %q", got, want)
	}
	post, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(formBody))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sdkSign(t, post, []byte(formBody), k, "lab-1", "ec2", time.Now())
	if got := send(t, post); got != want {
		t.Errorf("POST: %q, want %q", got, want)
	}
}

// TestSigV4EC2Client drives the real EC2 SDK client (its own headers,
// content-length, invocation IDs) against the verifier.
func TestSigV4EC2Client(t *testing.T) {
	k := NewKey("111111111111", false)
	srv, last := recordingServer(t, StaticKeys{k.AccessKeyID: k})
	for _, tc := range []struct {
		name     string
		secret   string
		want     bool
		wantCode string
	}{{"good", k.SecretAccessKey, true, "OK"}, {"wrong secret", NewKey("", false).SecretAccessKey, false, "AuthFailure"}} {
		client := ec2.NewFromConfig(aws.Config{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider(k.AccessKeyID, tc.secret, ""),
			BaseEndpoint:     aws.String(srv.URL),
			RetryMaxAttempts: 1,
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"us-east-1"}})
		cancel()
		if (err == nil) != tc.want || last() != tc.wantCode {
			t.Errorf("%s: err = %v, server verdict %q; want success %v, %q", tc.name, err, last(), tc.want, tc.wantCode)
		}
	}
}

const botocoreSign = `
import json, os, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
e = os.environ
params = json.loads(e["SIGN_PARAMS"]) if e.get("SIGN_PARAMS") else None
req = AWSRequest(method=e["SIGN_METHOD"], url=e["SIGN_URL"], data=e.get("SIGN_BODY", ""), params=params,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(Credentials(e["SIGN_AKID"], e["SIGN_SECRET"]), "ec2", e["SIGN_REGION"]).add_auth(req)
p = req.prepare()
print(json.dumps({"url": p.url, "headers": dict(p.headers.items())}))
`

func botocore(t *testing.T, env ...string) (string, map[string]string) {
	t.Helper()
	hvtest.SkipIfShort(t, "python3 with botocore (seconds a run)")
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import botocore").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with botocore is required in CI: %v", err)
		}
		t.Skipf("python3/botocore unavailable: %v", err)
	}
	cmd := exec.Command(py, "-c", botocoreSign)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	var res struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("botocore output %q: %v", out, err)
	}
	return res.URL, res.Headers
}

func TestSigV4Botocore(t *testing.T) {
	k := NewKey("111111111111", false)
	srv := sigv4Server(t, StaticKeys{k.AccessKeyID: k})
	base := []string{"SIGN_AKID=" + k.AccessKeyID, "SIGN_SECRET=" + k.SecretAccessKey, "SIGN_REGION=eu-lab-2"}
	cases := []struct {
		name string
		env  []string
		body string
	}{
		{"POST form", []string{"SIGN_METHOD=POST", "SIGN_URL=" + srv.URL + "/", "SIGN_BODY=" + formBody}, formBody},
		{"GET query", []string{"SIGN_METHOD=GET", "SIGN_URL=" + srv.URL + "/",
			`SIGN_PARAMS={"Action":"DescribeRegions","Version":"2016-11-15","Filter.1.Value.1":"a b/c~*"}`}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, headers := botocore(t, append(base, tc.env...)...)
			method := strings.TrimPrefix(tc.env[0], "SIGN_METHOD=")
			for _, tamper := range []bool{false, true} {
				body := tc.body
				if tamper {
					url += "&x=1"
					if method == http.MethodPost {
						url, body = srv.URL+"/", body+"&x=1"
					}
				}
				r, _ := http.NewRequest(method, url, strings.NewReader(body))
				if body == "" {
					r.Body, r.ContentLength = nil, 0
				}
				for name, v := range headers {
					r.Header.Set(name, v)
				}
				got, want := send(t, r), "OK "+k.AccessKeyID+" eu-lab-2"
				if tamper {
					want = "AuthFailure"
				}
				if got != want {
					t.Fatalf("tamper=%v: %q, want %q (url %s)", tamper, got, want, url)
				}
			}
		})
	}
}
