package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/throttle"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// answering is a Compute that answers DescribeSnapshots and DescribeRegions
// with nothing: what reaches it got through transport and gate.
type answering struct{ v1.UnimplementedComputeServer }

func (answering) DescribeSnapshots(context.Context, *v1.DescribeSnapshotsRequest) (*v1.DescribeSnapshotsResponse, error) {
	return &v1.DescribeSnapshotsResponse{}, nil
}

// GetSnapshotLayers ends its stream at once (a server-streaming call).
func (answering) GetSnapshotLayers(*v1.GetSnapshotLayersRequest, grpc.ServerStreamingServer[v1.LayerChunk]) error {
	return nil
}

func (answering) DescribeRegions(context.Context, *v1.DescribeRegionsRequest) (*v1.DescribeRegionsResponse, error) {
	return &v1.DescribeRegionsResponse{}, nil
}

func newCA(t *testing.T, dir, name string) {
	t.Helper()
	if err := tlsutil.InitCA(dir, name+" CA"); err != nil {
		t.Fatal(err)
	}
	if err := tlsutil.Issue(dir, name, []string{"127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
}

// TestPeerAPI: the peer API answers only a peer key, over mutual TLS with a
// certificate signed by a peer's CA, and only the copies' calls; the public
// API refuses peer keys.
func TestPeerAPI(t *testing.T) {
	dir := t.TempDir()
	src, dst, rogue := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "rogue")
	newCA(t, src, "lab-1")
	newCA(t, dst, "lab-2")
	newCA(t, rogue, "rogue")
	peerKey := auth.NewKey("", false)
	peerKey.Peer = "lab-2"
	tenant := auth.NewKey("222222222222", false)
	keys := auth.StaticKeys{peerKey.AccessKeyID: peerKey, tenant.AccessKeyID: tenant}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	spec := &PeerAPISpec{Listen: "127.0.0.1:0", TLS: &controller.TLSFiles{CA: filepath.Join(dst, tlsutil.CACert),
		Cert: filepath.Join(src, "lab-1.pem"), Key: filepath.Join(src, "lab-1-key.pem")}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := servePeerAPI(ctx, spec, keys, answering{}, log)
	if err != nil {
		t.Fatal(err)
	}
	public := NewGRPCServer(keys, answering{}, log)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = public.Serve(lis) }()
	defer public.Stop()

	tlsAs := func(certDir, name string) credentials.TransportCredentials {
		f := tlsutil.InDir(certDir, name)
		f.CA = filepath.Join(src, tlsutil.CACert) // the client verifies lab-1
		cfg, err := tlsutil.ClientConfig(f, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return credentials.NewTLS(cfg)
	}
	tests := []struct {
		name   string
		addr   string
		creds  credentials.TransportCredentials
		key    auth.Key
		public bool // call DescribeRegions, not a copy's call
		stream bool // the copy's server-streaming call, GetSnapshotLayers
		want   string
	}{
		{name: "peer key, peer's certificate", addr: addr, creds: tlsAs(dst, "lab-2"), key: peerKey},
		{name: "certificate of an unknown CA", addr: addr, creds: tlsAs(rogue, "rogue"), key: peerKey, want: "transport"},
		{name: "no TLS", addr: addr, creds: insecure.NewCredentials(), key: peerKey, want: "transport"},
		{name: "tenant key on the peer API", addr: addr, creds: tlsAs(dst, "lab-2"), key: tenant, want: ec2err.UnauthorizedOperation},
		{name: "peer key, not a copy's call", addr: addr, creds: tlsAs(dst, "lab-2"), key: peerKey, public: true, want: ec2err.UnauthorizedOperation},
		{name: "peer key on the public API", addr: lis.Addr().String(), creds: insecure.NewCredentials(), key: peerKey, want: ec2err.UnauthorizedOperation},
		{name: "tenant on the public API", addr: lis.Addr().String(), creds: insecure.NewCredentials(), key: tenant},
		// server-streaming calls are authenticated by their request message:
		// the gate must judge them after it, not let them through keyless
		{name: "peer key streams layers", addr: addr, creds: tlsAs(dst, "lab-2"), key: peerKey, stream: true},
		{name: "tenant key streams layers on the peer API", addr: addr, creds: tlsAs(dst, "lab-2"), key: tenant, stream: true,
			want: ec2err.UnauthorizedOperation},
		{name: "peer key streams layers on the public API", addr: lis.Addr().String(), creds: insecure.NewCredentials(),
			key: peerKey, stream: true, want: ec2err.UnauthorizedOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := grpc.NewClient("passthrough:///"+tt.addr, append(append(errgrpc.DialOptions(),
				grpc.WithTransportCredentials(tt.creds)), auth.SigningDialOptions(tt.key)...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			c := v1.NewComputeClient(conn)
			cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
			defer ccancel()
			switch {
			case tt.public:
				_, err = c.DescribeRegions(cctx, &v1.DescribeRegionsRequest{})
			case tt.stream:
				var st grpc.ServerStreamingClient[v1.LayerChunk]
				if st, err = c.GetSnapshotLayers(cctx, &v1.GetSnapshotLayersRequest{SnapshotId: "snap-0123456789abcdef0"}); err == nil {
					if _, err = st.Recv(); errors.Is(err, io.EOF) {
						err = nil
					}
				}
			default:
				_, err = c.DescribeSnapshots(cctx, &v1.DescribeSnapshotsRequest{SnapshotIds: []string{"snap-0123456789abcdef0"}})
			}
			e, isEC2 := ec2err.As(err)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "transport" && (!errors.Is(err, ec2err.ErrUnreachable) || isEC2):
				t.Fatalf("err %v, want a transport failure", err)
			case tt.want != "" && tt.want != "transport" && (!isEC2 || e.Code != tt.want):
				t.Fatalf("err %v, want %s", err, tt.want)
			}
		})
	}
}

// TestPeerTransportConfig: peers pull over mutual TLS; plaintext only when
// asked for and on loopback; half a TLS config is refused at load.
func TestPeerTransportConfig(t *testing.T) {
	tls := "{ca: /x/ca.pem, cert: /x/c.pem, key: /x/k.pem}"
	tests := []struct {
		name, yaml, want string // want: "" = accepted, else part of the error
	}{
		{"peer over mutual TLS", "peers:\n  - {name: lab-1, grpc_endpoint: \"10.0.0.1:7702\", credentials_file: /x/c, tls: " + tls + "}\n", ""},
		{"peer listed for DescribeRegions only", "peers:\n  - {name: lab-1, endpoint: \"http://10.0.0.1:7780\"}\n", ""},
		{"peer without transport", "peers:\n  - {name: lab-1, grpc_endpoint: \"127.0.0.1:7702\", credentials_file: /x/c}\n", "mutual TLS"},
		{"peer plaintext on loopback", "peers:\n  - {name: lab-1, grpc_endpoint: \"127.0.0.1:7702\", credentials_file: /x/c, plaintext: true}\n", ""},
		{"peer plaintext off loopback", "peers:\n  - {name: lab-1, grpc_endpoint: \"10.0.0.1:7702\", credentials_file: /x/c, plaintext: true}\n", "not loopback"},
		{"peer half a TLS config", "peers:\n  - {name: lab-1, grpc_endpoint: \"10.0.0.1:7702\", credentials_file: /x/c, tls: {ca: /x/ca.pem}}\n", "ca, cert and key"},
		{"peer API over mutual TLS", "peer_api: {listen: \"0.0.0.0:7702\", tls: " + tls + "}\n", ""},
		{"peer API without transport", "peer_api: {listen: \"127.0.0.1:7702\"}\n", "mutual TLS"},
		{"peer API plaintext off loopback", "peer_api: {listen: \"0.0.0.0:7702\", plaintext: true}\n", "not loopback"},
		{"peer API plaintext on loopback", "peer_api: {listen: \"127.0.0.1:7702\", plaintext: true}\n", ""},
		{"peer API both", "peer_api: {listen: \"127.0.0.1:7702\", plaintext: true, tls: " + tls + "}\n", "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "region.yaml")
			body := "region: lab-2\navailability_zones:\n  - {name: lab-2a, pool: /tmp/p}\n" + tt.yaml
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(path)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("LoadConfig: %v, want %q", err, tt.want)
			}
		})
	}
}

// TestStreamsAreThrottled: a server-streaming call (GetSnapshotLayers)
// draws from its account's bucket like any call, once its request has
// authenticated it; over the bucket it answers RequestLimitExceeded.
func TestStreamsAreThrottled(t *testing.T) {
	tenant := auth.NewKey("222222222222", false)
	lim := throttle.New(throttle.Config{Buckets: map[throttle.Class]throttle.Bucket{
		throttle.UnfilteredNonMutating: {Size: 1, Refill: 0.001}, throttle.NonMutating: {Size: 1, Refill: 0.001}}})
	gs := NewThrottledGRPCServer(auth.StaticKeys{tenant.AccessKeyID: tenant}, answering{}, slog.New(slog.NewTextHandler(io.Discard, nil)), lim)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(lis) }()
	defer gs.Stop()
	conn, err := grpc.NewClient("passthrough:///"+lis.Addr().String(), append(append(errgrpc.DialOptions(),
		grpc.WithTransportCredentials(insecure.NewCredentials())), auth.SigningDialOptions(tenant)...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := v1.NewComputeClient(conn)
	layers := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := c.GetSnapshotLayers(ctx, &v1.GetSnapshotLayersRequest{SnapshotId: "snap-0123456789abcdef0"})
		if err != nil {
			return err
		}
		if _, err = st.Recv(); errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	if err := layers(); err != nil {
		t.Fatalf("first stream: %v", err)
	}
	if e, ok := ec2err.As(layers()); !ok || e.Code != ec2err.RequestLimitExceeded {
		t.Errorf("second stream on an empty bucket: %v, want RequestLimitExceeded", e)
	}
}
