package ec2query

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// presignScript prints URLs presigned by botocore's own presigner
// (generate_presigned_url, SigV4 query auth with UNSIGNED-PAYLOAD): a
// DescribeRegions valid for 300 s, and one valid for 1 s.
const presignScript = `
import os, boto3
c = boto3.client("ec2", endpoint_url=os.environ["EC2_ENDPOINT"], region_name="lab-1",
    aws_access_key_id=os.environ["EC2_KEY"], aws_secret_access_key=os.environ["EC2_SECRET"])
p = {"RegionNames": ["lab-1"]}
print(c.generate_presigned_url("describe_regions", Params=p, ExpiresIn=300, HttpMethod="GET"))
print(c.generate_presigned_url("describe_regions", Params=p, ExpiresIn=1, HttpMethod="GET"))
`

// TestBotoPresignedURL: a URL presigned by botocore answers
// DescribeRegions through the handler with real SigV4 verification; the
// same URL with a changed parameter is AuthFailure, and the 1-second URL is
// RequestExpired once it has passed.
func TestBotoPresignedURL(t *testing.T) {
	needBoto3(t)
	srv, f := signedServer(t)
	urls := strings.Fields(runClient(t, srv, presignScript, "python3", "-"))
	if len(urls) != 2 || !strings.Contains(urls[0], "X-Amz-Signature=") {
		t.Fatalf("presigned URLs: %q", urls)
	}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get(urls[0]); status != http.StatusOK || !strings.Contains(body, "<regionName>lab-1</regionName>") {
		t.Fatalf("presigned DescribeRegions: %d %s", status, body)
	}
	if got := received[*ec2labv1.DescribeRegionsRequest](f); len(got) != 1 || len(got[0].GetRegionNames()) != 1 || got[0].GetRegionNames()[0] != "lab-1" {
		t.Errorf("Compute received %v, want one DescribeRegions of lab-1", got)
	}
	if status, body := get(strings.Replace(urls[0], "RegionName.1=lab-1", "RegionName.1=lab-2", 1)); status != http.StatusUnauthorized ||
		!strings.Contains(body, "<Code>AuthFailure</Code>") {
		t.Errorf("tampered URL: %d %s", status, body)
	}
	time.Sleep(2 * time.Second)
	if status, body := get(urls[1]); status != http.StatusBadRequest || !strings.Contains(body, "<Code>RequestExpired</Code>") {
		t.Errorf("expired URL: %d %s", status, body)
	}
}
