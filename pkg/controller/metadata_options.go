package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
)

// EC2's metadata option values and defaults.
const (
	HTTPTokensOptional   = "optional"
	HTTPTokensRequired   = "required"
	HTTPEndpointEnabled  = "enabled"
	HTTPEndpointDisabled = "disabled"
	defaultHopLimit      = 1
	maxHopLimit          = 64
)

// MetadataOptions are an instance's instance metadata service options
// (EC2 MetadataOptions). The zero value reads as EC2's defaults.
type MetadataOptions struct {
	HTTPTokens   string `json:"http_tokens,omitempty"`
	HTTPEndpoint string `json:"http_endpoint,omitempty"`
	HopLimit     int32  `json:"hop_limit,omitempty"`
	// Unpushed marks options the instance's host has not confirmed yet
	// (a Modify while it was unreachable); the reconciler pushes them.
	Unpushed bool `json:"unpushed,omitempty"`
}

// MetadataOptionsRequest is RunInstances' MetadataOptions or a
// ModifyInstanceMetadataOptions: empty strings and a nil HopLimit leave a
// value as it is (at launch: the default).
type MetadataOptionsRequest struct {
	HTTPTokens, HTTPEndpoint string
	HopLimit                 *int32
}

// WithDefaults fills unset options with EC2's defaults.
func (o MetadataOptions) WithDefaults() MetadataOptions {
	if o.HTTPTokens == "" {
		o.HTTPTokens = HTTPTokensOptional
	}
	if o.HTTPEndpoint == "" {
		o.HTTPEndpoint = HTTPEndpointEnabled
	}
	if o.HopLimit == 0 {
		o.HopLimit = defaultHopLimit
	}
	return o
}

// apply returns o changed by r (validated).
func (o MetadataOptions) apply(r MetadataOptionsRequest) (MetadataOptions, error) {
	if err := r.validate(); err != nil {
		return o, err
	}
	o = o.WithDefaults()
	if r.HTTPTokens != "" {
		o.HTTPTokens = r.HTTPTokens
	}
	if r.HTTPEndpoint != "" {
		o.HTTPEndpoint = r.HTTPEndpoint
	}
	if r.HopLimit != nil {
		o.HopLimit = *r.HopLimit
	}
	return o, nil
}

// validate checks values as EC2 does (InvalidParameterValue).
func (r MetadataOptionsRequest) validate() error {
	switch r.HTTPTokens {
	case "", HTTPTokensOptional, HTTPTokensRequired:
	default:
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter HttpTokens is invalid. Supported values are optional, required.", r.HTTPTokens)
	}
	switch r.HTTPEndpoint {
	case "", HTTPEndpointEnabled, HTTPEndpointDisabled:
	default:
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter HttpEndpoint is invalid. Supported values are enabled, disabled.", r.HTTPEndpoint)
	}
	if r.HopLimit != nil && (*r.HopLimit < 1 || *r.HopLimit > maxHopLimit) {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%d) for parameter HttpPutResponseHopLimit is invalid. Expecting a value between 1 and %d.",
			*r.HopLimit, maxHopLimit)
	}
	return nil
}

// ModifyInstanceMetadataOptions changes one of the caller's instances'
// options and pushes them to its host at once, so a running instance's
// metadata service answers by them from its next request.
func (s *Service) ModifyInstanceMetadataOptions(ctx context.Context, id string, r MetadataOptionsRequest, dryRun bool) (MetadataOptions, error) {
	in, err := s.instance(ctx, id)
	if err != nil {
		return MetadataOptions{}, err
	}
	if in.State == StateTerminated || in.State == StateShuttingDown {
		return MetadataOptions{}, ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is not in a state from which its metadata options can be modified.", id)
	}
	if err := r.validate(); err != nil {
		return MetadataOptions{}, err
	}
	if dryRun {
		return MetadataOptions{}, DryRun()
	}
	out, err := update(ctx, s.st, prefixInstance+id, func(rec *Instance) (e error) {
		rec.Metadata, e = rec.Metadata.apply(r)
		rec.Metadata.Unpushed = true
		return e
	})
	if err != nil {
		return MetadataOptions{}, fmt.Errorf("modify metadata options of %s: %w", id, err)
	}
	s.pushMetadataOptions(ctx, out)
	out.Metadata.Unpushed = false
	return out.Metadata.WithDefaults(), nil
}

// pushMetadataOptions tells the instance's host its options and, once the
// host has them, clears Unpushed (unless they changed meanwhile). A host
// that is down gets them from a later reconcile (pushUnpushedMetadata) or
// with the next CreateInstance; a failure is logged.
func (s *Service) pushMetadataOptions(ctx context.Context, in Instance) {
	if in.HostID == "" {
		return
	}
	ag, err := s.agent(in.HostID)
	if err == nil {
		o := in.Metadata.WithDefaults()
		err = ag.SetMetadataOptions(ctx, host.MetadataOptions{InstanceID: in.ID,
			HTTPTokens: o.HTTPTokens, HTTPEndpoint: o.HTTPEndpoint, HopLimit: o.HopLimit})
	}
	if err != nil {
		s.log.Warn("push metadata options", "instance", in.ID, "host", in.HostID, "err", err)
		return
	}
	_, err = update(ctx, s.st, prefixInstance+in.ID, func(rec *Instance) error {
		if rec.Metadata == in.Metadata {
			rec.Metadata.Unpushed = false
		}
		return nil
	})
	if err != nil {
		s.log.Warn("push metadata options: record", "instance", in.ID, "err", err)
	}
}

// pushUnpushedMetadata retries the options of instances whose host missed
// a ModifyInstanceMetadataOptions.
func (s *Service) pushUnpushedMetadata(ctx context.Context, insts []*Instance) {
	for _, in := range insts {
		if in.Metadata.Unpushed && in.State != StateTerminated && in.State != StatePending {
			s.pushMetadataOptions(ctx, *in)
		}
	}
}
