package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/ec2lab/ec2lab/pkg/auth"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

type regions struct{ v1.UnimplementedComputeServer }

func (regions) DescribeRegions(context.Context, *v1.DescribeRegionsRequest) (*v1.DescribeRegionsResponse, error) {
	return &v1.DescribeRegionsResponse{Regions: []*v1.Region{{RegionName: "lab-1"}}}, nil
}

// TestSignatureScopedToTheRegion: a request signed for another region is
// refused as EC2 refuses it; one signed for the endpoint's region passes.
func TestSignatureScopedToTheRegion(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	srv := httptest.NewServer(NewHTTPHandler(regions{}, auth.StaticKeys{k.AccessKeyID: k},
		slog.New(slog.NewTextHandler(io.Discard, nil)), "lab-1"))
	defer srv.Close()
	client := func(region string) *ec2.Client {
		return ec2.New(ec2.Options{Region: region, BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, "")})
	}
	if _, err := client("lab-1").DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatalf("signed for lab-1: %v", err)
	}
	_, err := client("us-east-1").DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AuthFailure" {
		t.Fatalf("signed for us-east-1: %v, want AuthFailure", err)
	}
}

// TestSlowClientsAreCutOff: a client that sends half its headers and stops
// is disconnected after the read-header timeout, an idle keep-alive
// connection after the idle timeout (both shortened here).
func TestSlowClientsAreCutOff(t *testing.T) {
	hs := newHTTPServer(NewHTTPHandler(regions{}, auth.StaticKeys{}, slog.New(slog.NewTextHandler(io.Discard, nil))),
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	hs.ReadHeaderTimeout, hs.IdleTimeout = 200*time.Millisecond, 200*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	for name, send := range map[string]string{
		"half a header":        "POST / HTTP/1.1\r\nHost: x\r\n",
		"idle after a request": "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte(send)); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err = io.ReadAll(c) // ends when the server closes the connection
			if err != nil || time.Since(start) > 3*time.Second {
				t.Fatalf("connection held %v (err %v), want closed after ~200ms", time.Since(start), err)
			}
		})
	}
	if hs.ReadTimeout == 0 || hs.WriteTimeout == 0 {
		t.Error("the Query API server has no read or write timeout")
	}
}
