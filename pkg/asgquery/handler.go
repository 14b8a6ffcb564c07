// Package asgquery serves AWS Auto Scaling's Query API (version
// 2011-01-01, SigV4 service "autoscaling") on ec2d's HTTP listener: it
// authenticates a request, reads its form parameters into the
// controller's Auto Scaling calls and writes AWS's XML. Parameters it does
// not serve are refused by name, never dropped.
package asgquery

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/awsid"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
	"github.com/ec2lab/ec2lab/pkg/throttle"
)

// Service is the SigV4 service name this package answers.
const Service = "autoscaling"

// Version is the API version callers send; Namespace the XML namespace.
const (
	Version   = "2011-01-01"
	Namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
)

const maxBody = 256 << 10

// Groups is what the handler calls: the controller's Auto Scaling calls.
type Groups interface {
	CreateAutoScalingGroup(ctx context.Context, req controller.GroupRequest) error
	UpdateAutoScalingGroup(ctx context.Context, req controller.GroupRequest) error
	DeleteAutoScalingGroup(ctx context.Context, name string, force bool) error
	SetDesiredCapacity(ctx context.Context, name string, desired int) error
	TerminateInstanceInAutoScalingGroup(ctx context.Context, id string, decrement bool) (controller.ScalingActivity, error)
	DescribeAutoScalingGroups(ctx context.Context, names []string, p controller.Page) ([]controller.AutoScalingGroup, string, error)
	DescribeAutoScalingInstances(ctx context.Context, ids []string, p controller.Page) ([]controller.GroupInstance, string, error)
	DescribeScalingActivities(ctx context.Context, group string, ids []string, p controller.Page) ([]controller.ScalingActivity, string, error)
}

var _ Groups = (*controller.Service)(nil)

// Options configures NewHandler.
type Options struct {
	Groups Groups
	Keys   auth.KeyStore
	// Region, when given, is the only region a request may be signed for.
	Region   string
	Logger   *slog.Logger
	Throttle *throttle.Limiter
	Now      func() time.Time
}

// Handler serves the Auto Scaling Query API.
type Handler struct{ o Options }

// NewHandler returns the handler.
func NewHandler(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{o: o}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := ec2query.NewRequestID()
	action, result, err := h.serve(r)
	code := "Success"
	if err != nil {
		code = ec2err.Code(err)
		h.writeError(w, reqID, err)
	} else {
		h.writeResult(w, reqID, action, result)
	}
	h.o.Logger.Info("autoscaling request", "action", action, "code", code, "request_id", reqID)
}

func (h *Handler) serve(r *http.Request) (string, any, error) {
	opts := auth.SigV4Options{Service: Service}
	if h.o.Region != "" {
		opts.Regions = []string{h.o.Region}
	}
	if h.o.Keys == nil {
		return "", nil, ec2err.New(ec2err.AuthFailure, "No access keys are configured on this endpoint")
	}
	if err := opts.Precheck(r.Context(), r, h.o.Keys, h.o.Now()); err != nil { // before the body is read
		return "", nil, err
	}
	raw, vals, err := ec2query.ReadParams(r, maxBody)
	if err != nil {
		return "", nil, err
	}
	res, err := opts.Verify(r.Context(), r, raw, h.o.Keys, h.o.Now())
	if err != nil {
		return "", nil, err
	}
	auth.ConnAuthenticated(r.Context())
	p := newParams(vals)
	action, _ := p.str("Action")
	version, _ := p.str("Version")
	switch {
	case action == "":
		return "", nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Action")
	case version != Version:
		return action, nil, ec2err.New(ec2err.InvalidParameterValue, "Version %q is not supported by autoscaling; use %s", version, Version)
	}
	call, ok := actions[action]
	if !ok {
		return action, nil, ec2err.New(ec2err.InvalidAction, "Could not find operation %s for version %s (ec2lab serves %s)", action, Version, actionNames())
	}
	ctx := auth.WithKey(r.Context(), res.Key)
	if err := h.o.Throttle.Allow(throttle.Request{Account: res.Key.AccountID, Action: action, Filtered: p.filtered()}); err != nil {
		return action, nil, err
	}
	result, err := call(ctx, h.o.Groups, p)
	return action, result, err
}

func (h *Handler) writeResult(w http.ResponseWriter, reqID, action string, result any) {
	awsid.WriteResult(w, Namespace, reqID, action, result)
}

func (h *Handler) writeError(w http.ResponseWriter, reqID string, err error) {
	e, ok := ec2err.As(err)
	if !ok {
		h.o.Logger.Error("autoscaling request failed", "err", err)
		e = ec2err.New(ec2err.InternalError, "An internal error has occurred")
	}
	status := ec2query.HTTPStatus(e.Code)
	if e.Code == ec2err.ResourceContention {
		status = http.StatusInternalServerError
	}
	awsid.WriteError(w, Namespace, reqID, status, e)
}
