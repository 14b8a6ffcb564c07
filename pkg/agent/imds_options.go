package agent

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/imds"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// setMetadataOptions applies EC2's HttpTokens / HttpEndpoint /
// HttpPutResponseHopLimit values to what the metadata service knows of an
// instance; empty values are EC2's defaults (optional, enabled, 1). A bad
// value changes nothing.
func setMetadataOptions(inst *imds.Instance, tokens, endpoint string, hopLimit int32) error {
	switch tokens {
	case "", "optional", "required":
	default:
		return fmt.Errorf("metadata options of %s: http_tokens %q", inst.InstanceID, tokens)
	}
	switch endpoint {
	case "", "enabled", "disabled":
	default:
		return fmt.Errorf("metadata options of %s: http_endpoint %q", inst.InstanceID, endpoint)
	}
	if hopLimit < 0 || hopLimit > 64 {
		return fmt.Errorf("metadata options of %s: hop limit %d", inst.InstanceID, hopLimit)
	}
	inst.TokensRequired, inst.EndpointDisabled = tokens == "required", endpoint == "disabled"
	inst.PutResponseHopLimit = int(hopLimit)
	return nil
}

// SetMetadataOptions changes a local instance's metadata options in place:
// the handlers look the instance up on every request, so the next request
// sees them. The record file is rewritten so a restart keeps them. An
// instance this agent does not serve is no error (the controller sends the
// options with its next CreateInstance).
func (a *Agent) SetMetadataOptions(ctx context.Context, req *agentv1.SetMetadataOptionsRequest) (*agentv1.SetMetadataOptionsResponse, error) {
	id := req.GetInstanceId()
	var bad error
	rec, ok := a.md.update(id, func(r *metadataRecord) {
		bad = setMetadataOptions(&r.Instance, req.GetHttpTokens(), req.GetHttpEndpoint(), req.GetHttpPutResponseHopLimit())
	})
	if bad != nil {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "%v", bad)
	}
	if !ok {
		return &agentv1.SetMetadataOptionsResponse{}, nil
	}
	b, err := json.Marshal(rec)
	if err == nil {
		err = writePrivate(a.metadataPath(id), b)
	}
	if err != nil {
		return nil, fmt.Errorf("metadata options of %s: %w", id, err)
	}
	a.log.Info("metadata options set", "instance", id, "http_tokens", req.GetHttpTokens(),
		"http_endpoint", req.GetHttpEndpoint(), "hop_limit", req.GetHttpPutResponseHopLimit())
	return &agentv1.SetMetadataOptionsResponse{}, nil
}

// update changes id's record in place (the index stays: addresses do not
// change); ok is false when there is no record.
func (m *metadataService) update(id string, fn func(*metadataRecord)) (metadataRecord, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.records[id]
	if !ok {
		return metadataRecord{}, false
	}
	next := rec
	fn(&next)
	m.records[id] = next
	return next, true
}
