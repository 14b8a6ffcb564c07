package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/ec2lab/ec2lab/pkg/accounts"
	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/asgquery"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/awsid"
	"github.com/ec2lab/ec2lab/pkg/console"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/throttle"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Options are ec2d's run-time settings.
type Options struct {
	Config   Config
	DataDir  string
	GRPCAddr string
	HTTPAddr string
	// HTTPSAddr, when set, serves the HTTP listener's handler (Query API,
	// other AWS services, /metrics, /healthz, /readyz) over TLS there too,
	// with a certificate from the region CA (querytls.go).
	HTTPSAddr string
	// AgentAddr, when set, serves the agent Registry there (loopback only)
	// for standalone ec2-agent processes.
	AgentAddr string
	// AgentTLSDir is the region CA directory (`ec2d ca init`): agent
	// traffic then uses mutual TLS and may leave loopback.
	AgentTLSDir string
	// GRPCCADir is the region CA directory whose CA issues the gRPC API's
	// TLS certificate (see GRPCCADir for the default); made on first start
	// when missing.
	GRPCCADir string
	// GRPCTLSHosts are extra names (DNS or IP) for the gRPC certificate.
	GRPCTLSHosts []string
	// GRPCPlaintextLoopback serves the gRPC API without TLS; refused unless
	// GRPCAddr is a loopback address.
	GRPCPlaintextLoopback bool
	// RegisterImages maps AMI names to bundle directories registered at
	// start when no image of that name exists (idempotent across restarts).
	RegisterImages map[string]string
	Log            *slog.Logger
	// Ready, when set, is called once everything listens.
	Ready func(grpcAddr, httpAddr string)
}

// Run serves the region until ctx ends.
func Run(ctx context.Context, o Options) error {
	log := o.Log
	// QEMU runs as libvirt-qemu and must traverse the data dir to reach
	// the pools (fsmode.Dir); every file in it is private (fsmode).
	if err := fsmode.MkdirAll(o.DataDir, fsmode.Dir); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if err := tightenFileModes(ctx, o.DataDir, o.Config, log); err != nil {
		return err
	}
	st, err := OpenStore(ctx, o.Config.Store, o.DataDir, log)
	if err != nil {
		return fmt.Errorf("state store %s: %w", o.Config.Store.Describe(o.DataDir), err)
	}
	defer st.Close()
	log.Info("state store open", "store", o.Config.Store.Describe(o.DataDir))
	svc, err := controller.New(o.Config.Config, st, log)
	if err != nil {
		return err
	}
	master, err := loadMasterKey(o.DataDir)
	if err != nil {
		return err
	}
	if err := svc.SetMasterKey(master); err != nil {
		return err
	}
	cfg := svc.Config()
	admin, credPath, err := ensureAdminKey(ctx, st, o.DataDir, cfg.AccountID, cfg.Region)
	if err != nil {
		return err
	}
	if err := startAgents(ctx, o.Config, svc, log); err != nil {
		return err
	}
	if o.AgentAddr != "" {
		if _, err := serveRegistry(ctx, o.AgentAddr, o.AgentTLSDir, svc, log); err != nil {
			return err
		}
	}
	m := newMetrics(svc)
	go runBackground(ctx, electorFor(st, replicaName(o.GRPCAddr), log), svc, log)
	keys := accounts.KeyStore(st)
	compute := api.NewCompute(svc)
	grpcLis, err := net.Listen("tcp", o.GRPCAddr)
	if err != nil {
		return fmt.Errorf("grpc listen: %w", err)
	}
	httpLis, err := net.Listen("tcp", o.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http listen: %w", err)
	}
	creds, caPath, err := grpcTransport(o, grpcLis.Addr().String(), log)
	if err != nil {
		grpcLis.Close()
		httpLis.Close()
		return err
	}
	conns := newConnLimiter(maxUnauthenticatedConns, maxUnauthenticatedConnsPerIP, log)
	grpcLis, httpLis = conns.Listener(grpcLis), conns.Listener(httpLis)
	lim := throttle.New(o.Config.Throttling) // one budget per account for both edges
	gs := newGRPCServer(keys, compute, log, lim, conns, append(m.GRPCServerOptions(), grpc.Creds(creds))...)
	if o.Config.PeerAPI != nil {
		if _, err := servePeerAPI(ctx, o.Config.PeerAPI, keys, compute, log); err != nil {
			return err
		}
	}
	v1.RegisterAccountsServer(gs, api.NewAccounts(accounts.New(st, log)))
	obs := Observability{Metrics: m, Ready: svc.Ready}
	handler := NewObservedHTTPHandler(compute, keys, log, cfg.Region, lim, obs)
	hs := newHTTPServer(handler, log)
	hs.ConnContext = conns.connContext
	var httpsLis net.Listener
	var httpsCA string
	hss := newHTTPServer(handler, log)
	hss.ConnContext = conns.connContext
	if o.HTTPSAddr != "" {
		if httpsLis, httpsCA, err = listenQueryTLS(o, conns, log); err != nil {
			return err
		}
	}
	// Images first: once /healthz answers, the registered AMIs exist.
	if err := registerImages(ctx, svc, admin, o.RegisterImages, log); err != nil {
		return err
	}
	errc := make(chan error, 3)
	go func() { errc <- gs.Serve(grpcLis) }()
	go func() { errc <- hs.Serve(httpLis) }()
	ep := endpoints{grpc: grpcLis.Addr().String(), http: httpLis.Addr().String(), ca: caPath}
	if httpsLis != nil {
		go func() { errc <- hss.Serve(httpsLis) }()
		ep.https, ep.httpsCA = httpsLis.Addr().String(), httpsCA
	}
	announce(log, ep, credPath, cfg.Region)
	if o.Ready != nil {
		o.Ready(grpcLis.Addr().String(), httpLis.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	gs.GracefulStop()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	_ = hss.Shutdown(sctx)
	return nil
}

func startAgents(ctx context.Context, cfg Config, svc *controller.Service, log *slog.Logger) error {
	if len(cfg.EmbeddedAgents) == 0 {
		return nil
	}
	dec, err := virttype.Detect(cfg.DomainType)
	if err != nil {
		return err
	}
	log.Info("domain type chosen for guests", "type", dec.Type, "reason", dec.Reason)
	hv, err := hypervisor.Connect(ctx, cfg.LibvirtURI)
	if err != nil {
		return fmt.Errorf("connect libvirt %s: %w", cfg.LibvirtURI, err)
	}
	go func() { <-ctx.Done(); hv.Close() }()
	reg, err := newEmbeddedRegistry(ctx, svc)
	if err != nil {
		return err
	}
	for _, a := range cfg.EmbeddedAgents {
		if err := reg.start(ctx, a, cfg, hv, dec, svc, log); err != nil {
			return err
		}
	}
	return nil
}

// MaxGRPCRequest is the largest message ec2d's public gRPC server reads
// (gRPC's default is 4 MiB, read and decoded before the call is
// authenticated). The largest legitimate request is a RunInstances or
// CreateLaunchTemplate: 16 KiB of user data, up to 50 tags of 128+256
// bytes per resource type (about 19 KiB each) and a few devices and
// interfaces, under 100 KiB; ImportKeyPair carries at most 4 KiB. Peer
// regions stream snapshot layers from this server (server streams), so
// its limit bounds only the small requests that start them.
const MaxGRPCRequest = 256 << 10

// NewGRPCServer is ec2d's public gRPC server: the Compute service (and
// AutoScaling, when compute is the controller's) behind
// request authentication, errors mapped once by errgrpc, health and
// reflection; no message over MaxGRPCRequest is read. opts add to the
// server's options (grpc.Creds for TLS).
func NewGRPCServer(keys auth.KeyStore, compute v1.ComputeServer, log *slog.Logger, opts ...grpc.ServerOption) *grpc.Server {
	return newGRPCServer(keys, compute, log, nil, nil, opts...)
}

// NewThrottledGRPCServer is NewGRPCServer with each account's calls
// admitted by lim (shared with the Query API; nil: no limit).
func NewThrottledGRPCServer(keys auth.KeyStore, compute v1.ComputeServer, log *slog.Logger, lim *throttle.Limiter, opts ...grpc.ServerOption) *grpc.Server {
	return newGRPCServer(keys, compute, log, lim, nil, opts...)
}

// newGRPCServer is NewThrottledGRPCServer telling conns (when set) which
// connections authenticated.
func newGRPCServer(keys auth.KeyStore, compute v1.ComputeServer, log *slog.Logger, lim *throttle.Limiter, conns *connLimiter,
	opts ...grpc.ServerOption) *grpc.Server {
	skip := func(m string) bool {
		return strings.HasPrefix(m, "/grpc.health.") || strings.HasPrefix(m, "/grpc.reflection.")
	}
	// errgrpc outermost: every error, the authenticator's included, leaves
	// as a status carrying its EC2 code.
	// Peer keys are served on the peer API only (peerapi.go).
	peerUnary, peerStream := auth.PeerGate(false)
	v := auth.NewRPCVerifier(keys, skip)
	unary := []grpc.UnaryServerInterceptor{errgrpc.UnaryServerInterceptor(), v.Unary(), peerUnary}
	stream := []grpc.StreamServerInterceptor{errgrpc.StreamServerInterceptor(), v.Stream(), peerStream}
	if conns != nil {
		unary, stream = append(unary, conns.unaryAuthenticated), append(stream, conns.streamAuthenticated)
	}
	unary = append(unary, throttleUnary(lim), logUnary(log))
	stream = append(stream, throttleStream(lim), logStream(log))
	gs := grpc.NewServer(append([]grpc.ServerOption{grpc.MaxRecvMsgSize(MaxGRPCRequest),
		grpc.ChainUnaryInterceptor(unary...), grpc.ChainStreamInterceptor(stream...)}, opts...)...)
	v1.RegisterComputeServer(gs, compute)
	if c, ok := compute.(controlled); ok { // as on the HTTP listener
		v1.RegisterAutoScalingServer(gs, api.NewAutoScaling(c.Controller()))
	}
	h := health.NewServer()
	healthpb.RegisterHealthServer(gs, h)
	reflection.Register(gs)
	return gs
}

// NewHTTPHandler is ec2d's HTTP listener: the EC2 Query API over the same
// Compute, /metrics and /healthz (liveness).
//
// region, when given, is the only region EC2 requests may be signed for
// (EC2 refuses a credential scoped to another region); STS and IAM
// signatures keep their own scopes (IAM is global: us-east-1).
func NewHTTPHandler(compute v1.ComputeServer, keys auth.KeyStore, log *slog.Logger, region ...string) http.Handler {
	r := ""
	if len(region) > 0 {
		r = region[0]
	}
	return NewThrottledHTTPHandler(compute, keys, log, r, nil)
}

// NewThrottledHTTPHandler is NewHTTPHandler with each account's requests
// admitted by lim (shared with the gRPC API; nil: no limit).
func NewThrottledHTTPHandler(compute v1.ComputeServer, keys auth.KeyStore, log *slog.Logger, region string, lim *throttle.Limiter) http.Handler {
	return NewObservedHTTPHandler(compute, keys, log, region, lim, Observability{})
}

// NewObservedHTTPHandler is NewThrottledHTTPHandler serving obs's /metrics
// (which counts the Query API's requests), /readyz (observe.go) and the
// management console under /console/ (pkg/console), to which a browser's
// plain GET / is redirected.
func NewObservedHTTPHandler(compute v1.ComputeServer, keys auth.KeyStore, log *slog.Logger, region string, lim *throttle.Limiter,
	obs Observability) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	obs.mount(mux, log)
	o := ec2query.Options{Compute: compute, Keys: keys, Logger: log, Region: region, Throttle: lim, Observe: obs.queryObserver()}
	others := identityHandlers(keys, log)
	if c, ok := compute.(controlled); ok { // Auto Scaling calls the controller itself
		others[asgquery.Service] = asgquery.NewHandler(asgquery.Options{Groups: c.Controller(), Keys: keys,
			Region: region, Logger: log, Throttle: lim})
	}
	mux.Handle("/", browserToConsole(bySigV4Service(ec2query.NewHandler(o), others)))
	mux.Handle(console.Prefix, console.New(console.Options{Compute: compute, Keys: keys, Log: log, Region: region}))
	return mux
}

// HTTP server limits: a client gets this long to send its headers and its
// body, and to take the answer; an idle keep-alive connection is closed
// after IdleTimeout.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpWriteTimeout      = 2 * time.Minute
	httpIdleTimeout       = 2 * time.Minute
	httpMaxHeaderBytes    = 64 << 10
)

// newHTTPServer is the Query API's server with its timeouts, so that slow
// or idle clients cannot hold connections open.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: httpReadHeaderTimeout, ReadTimeout: httpReadTimeout,
		WriteTimeout: httpWriteTimeout, IdleTimeout: httpIdleTimeout, MaxHeaderBytes: httpMaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
}

// controlled is a Compute over a controller (api.Compute), which the
// services without a gRPC API (Auto Scaling) call directly.
type controlled interface{ Controller() *controller.Service }

// identityHandlers are the identity answers of STS and IAM (pkg/awsid).
func identityHandlers(keys auth.KeyStore, log *slog.Logger) map[string]http.Handler {
	others := map[string]http.Handler{}
	for _, svc := range awsid.Services {
		others[svc] = awsid.NewHandler(svc, keys, log)
	}
	return others
}

// bySigV4Service sends requests signed for another service (STS, IAM,
// Auto Scaling) to its handler in others and everything else to the EC2
// Query API, which refuses any other service.
func bySigV4Service(ec2 http.Handler, others map[string]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := others[auth.RequestSigV4Service(r)]; ok {
			h.ServeHTTP(w, r)
			return
		}
		ec2.ServeHTTP(w, r)
	})
}

func registerImages(ctx context.Context, svc *controller.Service, admin auth.Key, images map[string]string, log *slog.Logger) error {
	actx := auth.WithKey(ctx, admin)
	for name, dir := range images {
		if img, ok := svc.ImageByName(actx, name); ok {
			log.Info("image already registered", "name", name, "image", img.ID)
			continue
		}
		if _, err := svc.RegisterBundle(actx, dir, name, "", nil); err != nil {
			return fmt.Errorf("register image %s from %s: %w", name, dir, err)
		}
	}
	return nil
}

// endpoints are where ec2d serves: the gRPC and HTTP listeners, and the CA
// certificate gRPC clients trust ("" when gRPC is plaintext).
type endpoints struct{ grpc, http, ca, https, httpsCA string }

func announce(log *slog.Logger, ep endpoints, credPath, region string) {
	log.Info("ec2d ready", "grpc", ep.grpc, "grpc_tls", ep.ca != "", "grpc_ca", ep.ca, "http", ep.http, "https", ep.https,
		"credentials", credPath, "region", region)
	trust, grpcLine, endpoint := "", "plaintext, loopback only", "grpc://"+ep.grpc
	if ep.ca != "" {
		trust, grpcLine, endpoint = " AWS_CA_BUNDLE="+ep.ca, "TLS, CA certificate "+ep.ca, ep.grpc
	}
	https := ""
	if ep.https != "" {
		https = fmt.Sprintf("\n  EC2 Query API, TLS:   https://%s (aws --ca-bundle %s)", ep.https, ep.httpsCA)
	}
	fmt.Fprintf(os.Stderr, `
ec2d is serving region %[4]s
  gRPC (ec2ctl):        %[1]s (%[5]s)
  EC2 Query API (aws):  http://%[2]s%[8]s
  management console:   http://%[2]s/console/ (sign in with the credentials file's key)
  credentials:          %[3]s (profile ec2lab)
Use it:
  export AWS_SHARED_CREDENTIALS_FILE=%[3]s AWS_PROFILE=ec2lab AWS_DEFAULT_REGION=%[4]s EC2LAB_ENDPOINT=%[6]s%[7]s
  ec2ctl describe-images --owners self
  aws --endpoint-url http://%[2]s ec2 describe-instances
`, ep.grpc, ep.http, credPath, region, grpcLine, endpoint, trust, https)
}
