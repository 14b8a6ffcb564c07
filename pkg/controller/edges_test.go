package controller_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcinsecure "google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/server"
	"github.com/ec2lab/ec2lab/pkg/throttle"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// edges serves one controller through both of ec2d's edges, wired as ec2d
// wires them (server.NewGRPCServer, server.NewHTTPHandler), for one key
// per account.
type edges struct {
	grpc map[string]v1.ComputeClient // account → client
	sdk  map[string]*ec2.Client      // account → Query API client
	url  string                      // the Query API's address
	// dial connects to the gRPC server (for ec2ctl).
	dial func(ctx context.Context, addr string) (net.Conn, error)
}

func newEdges(t *testing.T, svc *controller.Service, accounts ...string) *edges {
	t.Helper()
	return newThrottledEdges(t, svc, nil, accounts...)
}

// newThrottledEdges is newEdges with both edges sharing lim, as ec2d
// wires them (nil: no throttling).
func newThrottledEdges(t *testing.T, svc *controller.Service, lim *throttle.Limiter, accounts ...string) *edges {
	t.Helper()
	return newObservedEdges(t, svc, lim, server.Observability{}, accounts...)
}

// newObservedEdges is newThrottledEdges with obs's /metrics and /readyz
// served, and the gRPC server observed by obs.Metrics when set.
func newObservedEdges(t *testing.T, svc *controller.Service, lim *throttle.Limiter, obs server.Observability, accounts ...string) *edges {
	t.Helper()
	keys := auth.StaticKeys{}
	e := &edges{grpc: map[string]v1.ComputeClient{}, sdk: map[string]*ec2.Client{}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	compute := api.NewCompute(svc)
	lis := bufconn.Listen(1 << 20)
	var opts []grpc.ServerOption
	if obs.Metrics != nil {
		opts = obs.Metrics.GRPCServerOptions()
	}
	gs := server.NewThrottledGRPCServer(keys, compute, log, lim, opts...)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	hs := httptest.NewServer(server.NewObservedHTTPHandler(compute, keys, log, "", lim, obs))
	t.Cleanup(hs.Close)
	e.url = hs.URL
	e.dial = func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }
	for _, acct := range accounts {
		k := auth.Key{AccessKeyID: "AKIA" + acct, SecretAccessKey: "secret-" + acct, AccountID: acct}
		keys[k.AccessKeyID] = k
		conn, err := grpc.NewClient("passthrough:///edge", append(auth.SigningDialOptions(k),
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
			grpc.WithTransportCredentials(grpcinsecure.NewCredentials()))...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		e.grpc[acct] = v1.NewComputeClient(conn)
		e.sdk[acct] = ec2.New(ec2.Options{Region: "lab-1", BaseEndpoint: aws.String(hs.URL),
			Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, "")})
	}
	return e
}

// outcome is what a client sees of a failed call: the EC2 code and the
// transport's status (gRPC code or HTTP status).
type outcome struct {
	code      string
	grpcCode  codes.Code
	httpState int
}

func grpcOutcome(err error) outcome {
	return outcome{code: ec2err.Code(errgrpc.ToNative(err)), grpcCode: status.Code(err)}
}

func sdkOutcome(err error) outcome {
	var apiErr smithy.APIError
	var re *smithyhttp.ResponseError
	o := outcome{}
	if errors.As(err, &apiErr) {
		o.code = apiErr.ErrorCode()
	}
	if errors.As(err, &re) {
		o.httpState = re.HTTPStatusCode()
	}
	return o
}

// TestAgentErrorReachesBothEdges: an EC2 error the agent answers crosses
// the agent's gRPC connection, is wrapped by the controller (attach %s to
// %s: %w) and reaches the gRPC edge and the Query API with its code.
func TestAgentErrorReachesBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	rig.FailAttach(ec2err.New(ec2err.IncorrectInstanceState, "the domain of %s is shutting down", rig.Instance))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	_, err := e.grpc[rig.Acct1].AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: rig.Volume, InstanceId: rig.Instance, Device: "/dev/sdf"})
	if got := grpcOutcome(err); got.code != ec2err.IncorrectInstanceState || got.grpcCode != codes.FailedPrecondition {
		t.Errorf("gRPC edge: %+v (%v), want IncorrectInstanceState / FailedPrecondition", got, err)
	}
	_, err = e.sdk[rig.Acct1].AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: aws.String(rig.Volume),
		InstanceId: aws.String(rig.Instance), Device: aws.String("/dev/sdf")})
	if got := sdkOutcome(err); got.code != ec2err.IncorrectInstanceState || got.httpState != http.StatusBadRequest {
		t.Errorf("Query API: %+v (%v), want IncorrectInstanceState / 400", got, err)
	}
}

// TestDryRunAnswersAlikeOnBothEdges: the controller alone decides a dry
// run, so each edge answers a dry run of another account's instance with
// InvalidInstanceID.NotFound, and of one's own with DryRunOperation.
func TestDryRunAnswersAlikeOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1, rig.Acct2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tests := []struct {
		name, acct string
		want       outcome // code, gRPC code, HTTP status
	}{
		{"another account's instance", rig.Acct2, outcome{ec2err.InvalidInstanceIDNotFound, codes.NotFound, http.StatusBadRequest}},
		{"own instance", rig.Acct1, outcome{ec2err.DryRunOperation, codes.FailedPrecondition, http.StatusPreconditionFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, gerr := e.grpc[tt.acct].TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{rig.Instance}, DryRun: true})
			if got := grpcOutcome(gerr); got.code != tt.want.code || got.grpcCode != tt.want.grpcCode {
				t.Errorf("gRPC edge: %+v, want %s / %v", got, tt.want.code, tt.want.grpcCode)
			}
			_, qerr := e.sdk[tt.acct].TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{rig.Instance}, DryRun: aws.Bool(true)})
			if got := sdkOutcome(qerr); got.code != tt.want.code || got.httpState != tt.want.httpState {
				t.Errorf("Query API: %+v, want %s / %d", got, tt.want.code, tt.want.httpState)
			}
		})
	}
	if in, err := e.grpc[rig.Acct1].DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: []string{rig.Instance}}); err != nil ||
		in.GetReservations()[0].GetInstances()[0].GetState().GetName() != "running" {
		t.Errorf("after dry runs: %v %v, want the instance still running", in, err)
	}
}

// TestAccountAttributesFromTheAccount: DescribeAccountAttributes over the
// Query API names the caller's real default VPC.
func TestAccountAttributesFromTheAccount(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx := context.Background()
	vpcs, err := e.grpc[rig.Acct1].DescribeVpcs(ctx, &v1.DescribeVpcsRequest{Filters: []*v1.Filter{{Name: "is-default", Values: []string{"true"}}}})
	if err != nil || len(vpcs.GetVpcs()) != 1 {
		t.Fatalf("default VPC: %v %v", vpcs, err)
	}
	out, err := e.sdk[rig.Acct1].DescribeAccountAttributes(ctx, &ec2.DescribeAccountAttributesInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range out.AccountAttributes {
		if len(a.AttributeValues) > 0 {
			got[aws.ToString(a.AttributeName)] = aws.ToString(a.AttributeValues[0].AttributeValue)
		}
	}
	if got["default-vpc"] != vpcs.GetVpcs()[0].GetVpcId() || got["supported-platforms"] != "VPC" {
		t.Errorf("account attributes %v, want default-vpc %s", got, vpcs.GetVpcs()[0].GetVpcId())
	}
}
