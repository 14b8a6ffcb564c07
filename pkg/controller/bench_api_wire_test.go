package controller_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// BenchmarkAPI10k measures the control plane's API with 10,000 instances
// in a real bbolt store (no guests: no reconciler runs), through the wire
// paths a user takes: gRPC with HMAC-authenticated calls on loopback, and
// the EC2 Query API over HTTP signed with SigV4 by aws-sdk-go-v2.
//
//	go test -run '^$' -bench API10k -benchtime 200x ./pkg/controller/
func BenchmarkAPI10k(b *testing.B) {
	svc, ami := controller.NewBenchRig(b, 10000)
	key := auth.NewKey(controller.BenchAccount, false)
	keys := auth.StaticKeys{key.AccessKeyID: key}
	compute := api.NewCompute(svc)
	grpcClient := serveGRPC(b, keys, compute)
	query := serveQuery(b, keys, compute)
	ctx := context.Background()

	b.Run("describe-page1000", func(b *testing.B) {
		latencies(b, func() error {
			out, err := grpcClient.DescribeInstances(ctx, &v1.DescribeInstancesRequest{MaxResults: 1000})
			return expect(err, countInstances(out), 1000)
		})
	})
	b.Run("describe-filtered", func(b *testing.B) {
		latencies(b, func() error {
			out, err := grpcClient.DescribeInstances(ctx, &v1.DescribeInstancesRequest{Filters: []*v1.Filter{
				{Name: "tag:team", Values: []string{"t3"}}, {Name: "instance-state-name", Values: []string{"pending"}}}})
			return expect(err, countInstances(out), 10000/controller.BenchTeams)
		})
	})
	b.Run("run-grpc", func(b *testing.B) {
		latencies(b, func() error {
			out, err := grpcClient.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1})
			return expect(err, len(out.GetInstances()), 1)
		})
	})
	b.Run("run-query-sigv4", func(b *testing.B) {
		latencies(b, func() error {
			out, err := query.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami),
				InstanceType: types.InstanceType("lab.tiny"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
			if err != nil {
				return err
			}
			return expect(nil, len(out.Instances), 1)
		})
	})
}

// latencies times each call of op sequentially and reports the p50 and
// p99 latency and the calls per second, next to ns/op.
func latencies(b *testing.B, op func() error) {
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		t0 := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns/op")
	b.ReportMetric(float64(d[(len(d)*99)/100].Nanoseconds()), "p99-ns/op")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
}

func expect(err error, got, want int) error {
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("got %d instances, want %d", got, want)
	}
	return nil
}

func countInstances(out *v1.DescribeInstancesResponse) int {
	n := 0
	for _, r := range out.GetReservations() {
		n += len(r.GetInstances())
	}
	return n
}

// serveGRPC serves compute on a loopback port behind the auth interceptor
// ec2d uses and returns a client that signs every call with the first key.
func serveGRPC(b *testing.B, keys auth.StaticKeys, compute v1.ComputeServer) v1.ComputeClient {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	gs := grpc.NewServer(grpc.ChainUnaryInterceptor(auth.NewRPCVerifier(keys, nil).Unary()))
	v1.RegisterComputeServer(gs, compute)
	go func() { _ = gs.Serve(l) }()
	b.Cleanup(gs.Stop)
	var key auth.Key
	for _, k := range keys {
		key = k
	}
	conn, err := grpc.NewClient(l.Addr().String(), append(auth.SigningDialOptions(key),
		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return v1.NewComputeClient(conn)
}

// serveQuery serves the EC2 Query API over compute on a loopback
// httptest server and returns an aws-sdk-go-v2 client signing with SigV4.
func serveQuery(b *testing.B, keys auth.StaticKeys, compute v1.ComputeServer) *ec2.Client {
	srv := httptest.NewServer(ec2query.NewHandler(ec2query.Options{Compute: compute, Keys: keys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	b.Cleanup(srv.Close)
	var key auth.Key
	for _, k := range keys {
		key = k
	}
	return ec2.New(ec2.Options{Region: "lab-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(key.AccessKeyID, key.SecretAccessKey, "")})
}
