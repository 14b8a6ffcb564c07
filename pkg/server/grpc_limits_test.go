package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcinsecure "google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/server"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// countingRuns answers RunInstances and counts the calls that reached it.
type countingRuns struct {
	v1.UnimplementedComputeServer
	calls atomic.Int32
}

func (c *countingRuns) RunInstances(context.Context, *v1.RunInstancesRequest) (*v1.Reservation, error) {
	c.calls.Add(1)
	return &v1.Reservation{ReservationId: "r-0123456789abcdef0"}, nil
}

// largestRun is the largest RunInstances the controller accepts: user data
// at its limit and 50 tags of the longest key and value for each resource
// type that TagSpecifications name at launch.
func largestRun() *v1.RunInstancesRequest {
	r := &v1.RunInstancesRequest{ImageId: "ami-0123456789abcdef0", InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
		UserData: make([]byte, controller.MaxUserData)}
	for _, typ := range []string{"instance", "volume", "network-interface"} {
		spec := &v1.TagSpecification{ResourceType: typ}
		for i := range 50 {
			spec.Tags = append(spec.Tags, &v1.Tag{Key: fmt.Sprintf("%03d", i) + strings.Repeat("k", 125), Value: strings.Repeat("v", 256)})
		}
		r.TagSpecifications = append(r.TagSpecifications, spec)
	}
	return r
}

// TestGRPCRequestSizeBound: ec2d's public gRPC server reads the largest
// legitimate request and refuses a larger one (ResourceExhausted) before
// it is decoded or authenticated: an unsigned 300 KiB request never
// reaches authentication (it would be MissingAuthenticationToken) nor
// Compute.
func TestGRPCRequestSizeBound(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	compute := &countingRuns{}
	lis := bufconn.Listen(1 << 20)
	gs := server.NewGRPCServer(auth.StaticKeys{k.AccessKeyID: k}, compute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = gs.Serve(lis) }()
	defer gs.Stop()
	dial := func(opts ...grpc.DialOption) v1.ComputeClient {
		opts = append(opts, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
			grpc.WithTransportCredentials(grpcinsecure.NewCredentials()))
		conn, err := grpc.NewClient("passthrough:///ec2d", opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return v1.NewComputeClient(conn)
	}
	signed, unsigned := dial(auth.SigningDialOptions(k)...), dial()
	big := &v1.RunInstancesRequest{ImageId: "ami-0123456789abcdef0", MinCount: 1, MaxCount: 1, UserData: make([]byte, 300<<10)}
	n := proto.Size(largestRun())
	t.Logf("largest legitimate RunInstances: %d bytes", n)
	if n > server.MaxGRPCRequest/2 {
		t.Errorf("largest legitimate request is %d bytes, want under half of %d", n, server.MaxGRPCRequest)
	}
	tests := []struct {
		name   string
		client v1.ComputeClient
		req    *v1.RunInstancesRequest
		code   codes.Code
		calls  int32 // calls that reached Compute so far
	}{
		{"largest legitimate request", signed, largestRun(), codes.OK, 1},
		{"small unsigned request", unsigned, &v1.RunInstancesRequest{MinCount: 1, MaxCount: 1}, codes.Unauthenticated, 1},
		{"300 KiB unsigned", unsigned, big, codes.ResourceExhausted, 1},
		{"300 KiB signed", signed, big, codes.ResourceExhausted, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.RunInstances(context.Background(), tt.req)
			if got := status.Code(err); got != tt.code {
				t.Fatalf("code %v (%v), want %v", got, err, tt.code)
			}
			if got := compute.calls.Load(); got != tt.calls {
				t.Errorf("%d calls reached Compute, want %d", got, tt.calls)
			}
		})
	}
}
