package ec2query

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/throttle"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// throttledServer is signedServer with a bucket of size 2 refilled 4 times
// a second for unfiltered describes.
func throttledServer(t *testing.T) (*httptest.Server, *fakeCompute) {
	f := &fakeCompute{}
	lim := throttle.New(throttle.Config{Buckets: map[throttle.Class]throttle.Bucket{
		throttle.UnfilteredNonMutating: {Size: 2, Refill: 4}}})
	srv := httptest.NewServer(NewHandler(Options{Compute: f, Keys: auth.StaticKeys{testKey.AccessKeyID: testKey},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Throttle: lim}))
	t.Cleanup(srv.Close)
	return srv, f
}

// TestThrottleGoSDK: with retries off, aws-sdk-go-v2 sees RequestLimitExceeded
// (HTTP 503 with a Retry-After hint) once the bucket is empty, and the
// refused call never reaches Compute; with the SDK's standard retryer every
// call gets its answer.
func TestThrottleGoSDK(t *testing.T) {
	srv, f := throttledServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := func(attempts int) *ec2.Client {
		return ec2.New(ec2.Options{Region: "lab-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: attempts,
			Credentials: credentials.NewStaticCredentialsProvider(testKey.AccessKeyID, testKey.SecretAccessKey, "")})
	}
	bare := client(1)
	var err error
	calls := 0
	for ; calls < 10 && err == nil; calls++ {
		_, err = bare.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	}
	var api smithy.APIError
	var resp *awshttp.ResponseError
	if !errors.As(err, &api) || api.ErrorCode() != "RequestLimitExceeded" || !errors.As(err, &resp) ||
		resp.HTTPStatusCode() != http.StatusServiceUnavailable {
		t.Fatalf("call %d without retries: %v", calls, err)
	}
	if ra, _ := strconv.Atoi(resp.Response.Header.Get("Retry-After")); ra < 1 {
		t.Errorf("Retry-After %q, want whole seconds >= 1", resp.Response.Header.Get("Retry-After"))
	}
	if got := len(received[*ec2labv1.DescribeVolumesRequest](f)); got != calls-1 {
		t.Errorf("Compute got %d DescribeVolumes of %d calls, the last refused", got, calls)
	}
	// Filtered describes have a bucket of their own (EC2's default size).
	if _, err := bare.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{fakeVolume}}); err != nil {
		t.Errorf("a filtered describe after the unfiltered bucket emptied: %v", err)
	}

	std := client(10)
	before := len(received[*ec2labv1.DescribeVolumesRequest](f))
	for i := range 8 {
		if _, err := std.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{}); err != nil {
			t.Fatalf("standard retryer, call %d: %v", i, err)
		}
	}
	if got := len(received[*ec2labv1.DescribeVolumesRequest](f)) - before; got != 8 {
		t.Errorf("Compute got %d calls of 8", got)
	}
}

// TestThrottleBoto3: boto3's standard retry mode recovers from
// RequestLimitExceeded; with retries off the caller sees it (503).
func TestThrottleBoto3(t *testing.T) {
	needBoto3(t)
	srv, _ := throttledServer(t)
	t.Setenv("CALLS", "8")
	out := runClient(t, srv, "", "python3", "testdata/throttle.py")
	if !strings.Contains(out, "THROTTLE OK") {
		t.Fatalf("throttle.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
}
