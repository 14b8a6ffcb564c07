// Package ec2query owns the EC2 Query API (version 2016-11-15) of ec2lab:
// an http.Handler that authenticates a request (SigV4, in the Authorization
// header or presigned in the query string), translates its form
// parameters into an ec2labv1 request, calls the same ComputeServer the
// gRPC API serves, and encodes the answer as EC2's XML. It implements no
// behaviour of its own beyond translating and validating shapes.
package ec2query

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/throttle"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DefaultMaxBody is the largest request body accepted by default.
const DefaultMaxBody = 1 << 20

// Options configures NewHandler.
type Options struct {
	// Compute serves every action (in-process; the gRPC API's server).
	Compute ec2labv1.ComputeServer
	// Keys finds the secret of a request's access key (for the default Verify).
	Keys auth.KeyStore
	// Region is the region this endpoint serves: the default Verify
	// refuses a signature scoped to another one ("" accepts any).
	Region string
	// Verify authenticates a request; the default is auth.VerifySigV4
	// over Keys. It returns an *ec2err.Error with the EC2 code.
	Verify func(ctx context.Context, r *http.Request, body []byte, now time.Time) (auth.Key, error)
	// Precheck refuses a request on its headers alone, before its body is
	// read (an unsigned request, an unknown key, a wrong scope); with the
	// default Verify the default is SigV4Options.Precheck over Keys, with
	// another Verify none.
	Precheck func(ctx context.Context, r *http.Request, now time.Time) error
	Logger   *slog.Logger
	// MaxBody is the largest request body accepted (default 1 MiB).
	MaxBody int64
	Now     func() time.Time
	// Throttle limits each account's requests (nil: no limit); the gRPC
	// edge shares it.
	Throttle *throttle.Limiter
	// Observe, when set, is told of every request once answered: its
	// action ("unknown" when the request named none this API serves or was
	// refused before its action was read), its EC2 error code ("" on
	// success) and how long it took (metrics).
	Observe func(action, code string, d time.Duration)
}

type handler struct {
	o Options
}

// NewHandler returns the Query API handler (mount it at "/").
func NewHandler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Verify == nil {
		o.Verify = sigV4Verifier(o.Keys, o.Region)
		if o.Precheck == nil {
			o.Precheck = sigV4Prechecker(o.Keys, o.Region)
		}
	}
	return &handler{o: o}
}

// sigV4Verifier is the default Verify; without a KeyStore nothing passes.
func sigV4Verifier(ks auth.KeyStore, region string) func(context.Context, *http.Request, []byte, time.Time) (auth.Key, error) {
	var opts auth.SigV4Options
	if region != "" {
		opts.Regions = []string{region}
	}
	return func(ctx context.Context, r *http.Request, body []byte, now time.Time) (auth.Key, error) {
		if ks == nil {
			return auth.Key{}, ec2err.New(ec2err.AuthFailure, "No access keys are configured on this endpoint")
		}
		res, err := opts.Verify(ctx, r, body, ks, now)
		return res.Key, err
	}
}

// sigV4Prechecker is the default Precheck (with the default Verify).
func sigV4Prechecker(ks auth.KeyStore, region string) func(context.Context, *http.Request, time.Time) error {
	var opts auth.SigV4Options
	if region != "" {
		opts.Regions = []string{region}
	}
	return func(ctx context.Context, r *http.Request, now time.Time) error {
		if ks == nil {
			return ec2err.New(ec2err.AuthFailure, "No access keys are configured on this endpoint")
		}
		return opts.Precheck(ctx, r, ks, now)
	}
}

// call is one request in flight, for the log line.
type call struct {
	id, action, accessKey string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.o.Now()
	c := &call{id: NewRequestID()}
	status, code := http.StatusOK, "Success"
	defer func() {
		if p := recover(); p != nil {
			h.o.Logger.ErrorContext(r.Context(), "ec2query panic", "request_id", c.id, "action", c.action, "panic", p)
			status, code = h.fail(w, c, ec2err.New(ec2err.InternalError, "An internal error has occurred"))
		}
		d := h.o.Now().Sub(start)
		h.log(r.Context(), c, status, code, d)
		h.observe(c.action, code, d)
	}()
	b, err := h.serve(r, c)
	if err != nil {
		status, code = h.fail(w, c, err)
		return
	}
	doc, err := marshalResponse(c.action, c.id, b)
	if err != nil {
		status, code = h.fail(w, c, err)
		return
	}
	writeXML(w, status, doc)
}

// observe tells Observe of a request; unknown action names are bucketed so
// that clients cannot add series.
func (h *handler) observe(action, code string, d time.Duration) {
	if h.o.Observe == nil {
		return
	}
	if _, ok := actions[action]; !ok {
		action = "unknown"
	}
	if code == "Success" {
		code = ""
	}
	h.o.Observe(action, code, d)
}

// serve authenticates, parses and runs the request. What the headers
// prove is checked before the body is read, so an unauthenticated client
// cannot make the server read a large body.
func (h *handler) serve(r *http.Request, c *call) (body, error) {
	if h.o.Precheck != nil {
		if err := h.o.Precheck(r.Context(), r, h.o.Now()); err != nil {
			return nil, err
		}
	}
	raw, vals, err := ReadParams(r, h.o.MaxBody)
	if err != nil {
		return nil, err
	}
	key, err := h.o.Verify(r.Context(), r, raw, h.o.Now())
	if err != nil {
		return nil, err
	}
	c.accessKey = key.AccessKeyID
	if auth.IsPresigned(r) { // the signature's parameters are not the action's
		for _, k := range auth.PresignParams {
			delete(vals, k)
		}
	}
	auth.ConnAuthenticated(r.Context())
	ctx := auth.WithKey(r.Context(), key)
	p := newParams(vals)
	c.action, _ = p.get("Action")
	a, err := lookupAction(p)
	if err != nil {
		return nil, err
	}
	return h.run(ctx, c.action, a, p)
}

// run decodes and validates the request, then calls Compute. A DryRun is
// decided by Compute (the controller's checks of existence, ownership and
// parameters, as for the gRPC edge), which answers DryRunOperation when the
// request would have succeeded; only actions without a dry_run field, all
// of them read-only, are answered here, as the caller is authenticated.
func (h *handler) run(ctx context.Context, name string, a action, p *params) (body, error) {
	req, err := decodeRequest(a, p)
	if err != nil {
		return nil, err
	}
	if k, ok := auth.FromContext(ctx); ok {
		if err := h.o.Throttle.Allow(throttle.FromProto(k.AccountID, name, req)); err != nil {
			return nil, err
		}
	}
	dry, err := dryRun(p)
	if err != nil {
		return nil, err
	}
	if dry && !hasDryRunField(req) {
		if a.mutating {
			return nil, ec2err.New(ec2err.InternalError, "DryRun cannot be checked for this action")
		}
		return nil, dryRunOK()
	}
	b, err := a.call(ctx, h.o.Compute, req)
	if err != nil {
		return nil, err
	}
	if dry { // Compute did not decide the dry run: never report it as done
		h.o.Logger.Error("ec2query: Compute ignored DryRun", "action", fmt.Sprintf("%T", req))
		return nil, ec2err.New(ec2err.InternalError, "DryRun was not honoured")
	}
	return b, nil
}

// hasDryRunField reports whether req carries a dry_run flag (decodeRequest
// has set it from the DryRun parameter).
func hasDryRunField(req proto.Message) bool {
	return req.ProtoReflect().Descriptor().Fields().ByName("dry_run") != nil
}

func dryRunOK() error {
	return ec2err.New(ec2err.DryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}

// fail writes err as EC2's error document and returns status and code.
func (h *handler) fail(w http.ResponseWriter, c *call, err error) (int, string) {
	e := toEC2(err)
	if e.Code == ec2err.InternalError {
		h.o.Logger.Error("ec2query internal error", "request_id", c.id, "action", c.action, "err", err)
	}
	status := HTTPStatus(e.Code)
	if d, ok := throttle.RetryAfter(err); ok { // a hint: the SDKs back off on the code
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	}
	writeXML(w, status, marshalError(e.Code, e.Message, c.id))
	return status, e.Code
}

// toEC2 finds the EC2 code of err: Compute runs in-process and returns the
// domain's errors, wrapped or not.
func toEC2(err error) *ec2err.Error {
	e, ok := ec2err.As(err)
	if !ok || e.Code == "" {
		return &ec2err.Error{Code: ec2err.InternalError, Message: err.Error()}
	}
	return e
}

func (h *handler) log(ctx context.Context, c *call, status int, code string, d time.Duration) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	h.o.Logger.Log(ctx, level, "ec2query request", "request_id", c.id, "action", c.action,
		"access_key", c.accessKey, "status", status, "code", code, "duration", d)
}

// HTTPStatus is the HTTP status EC2 answers an error code with.
func HTTPStatus(code string) int {
	switch code {
	case ec2err.AuthFailure, ec2err.MissingAuthenticationToken:
		return http.StatusUnauthorized
	case ec2err.IncompleteSignature, ec2err.UnauthorizedOperation:
		return http.StatusForbidden
	case ec2err.DryRunOperation:
		return http.StatusPreconditionFailed
	case ec2err.InsufficientInstanceCapacity, ec2err.InternalError:
		return http.StatusInternalServerError
	case ec2err.RequestLimitExceeded:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}
