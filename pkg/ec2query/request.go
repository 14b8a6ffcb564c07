package ec2query

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// CodeRequestTooLarge answers a body over Options.MaxBody (HTTP 400).
const CodeRequestTooLarge = "RequestEntityTooLarge"

// ReadParams returns the raw body and the request's parameters: the query
// string for GET, the form body for POST (query parameters not in the body
// are added). A body over max is refused before it is parsed.
func ReadParams(r *http.Request, max int64) ([]byte, url.Values, error) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, nil, ec2err.New(ec2err.InvalidParameterValue, "Malformed query string: %v", err)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return nil, query, nil
	case http.MethodPost:
	default:
		return nil, nil, ec2err.New(ec2err.UnsupportedOperation, "HTTP method %s is not supported; use POST or GET", r.Method)
	}
	tooLarge := ec2err.New(CodeRequestTooLarge, "The request body exceeds the limit of %d bytes", max)
	if r.ContentLength > max {
		return nil, nil, tooLarge
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, nil, ec2err.New(ec2err.InvalidParameterValue, "Could not read the request body: %v", err)
	}
	if int64(len(raw)) > max {
		return nil, nil, tooLarge
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, nil, ec2err.New(ec2err.InvalidParameterValue, "Unsupported Content-Type %q; send application/x-www-form-urlencoded", clip(ct))
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, nil, ec2err.New(ec2err.InvalidParameterValue, "Malformed form body: %v", err)
	}
	for k, v := range query {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	return raw, form, nil
}

// lookupAction finds the request's Action and requires the API Version
// this endpoint serves (APIVersion, what every SDK sends), as EC2 answers
// a missing or unknown one.
func lookupAction(p *params) (action, error) {
	name, ok := p.get("Action")
	if !ok || name == "" {
		return action{}, missing("Action")
	}
	v, ok := p.get("Version")
	if !ok || v == "" {
		return action{}, missing("Version")
	}
	if v != APIVersion {
		return action{}, ec2err.New(ec2err.NoSuchVersion, "The requested version (%s) of service AmazonEC2 does not exist", clip(v))
	}
	a, ok := actions[name]
	if !ok {
		return action{}, ec2err.New(ec2err.InvalidAction, "The action %s is not valid for this web service.", clip(name))
	}
	return a, nil
}

func missing(name string) error {
	return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter %s", name)
}

// decodeRequest parses p into a's request and validates it.
func decodeRequest(a action, p *params) (proto.Message, error) {
	req := a.newReq()
	m := req.ProtoReflect()
	if err := decodeMessage(p, "", m); err != nil {
		return nil, err
	}
	for _, f := range a.required {
		fd := m.Descriptor().Fields().ByName(f)
		if fd == nil {
			return nil, ec2err.New(ec2err.InternalError, "required field %s is not in %s", f, m.Descriptor().FullName())
		}
		present := p.has(wireName(fd))
		if fd.IsList() {
			present = m.Get(fd).List().Len() > 0
		}
		if !present {
			return nil, missing(wireName(fd))
		}
	}
	if k := p.unread(); k != "" {
		return nil, ec2err.New(ec2err.UnknownParameter, "The parameter %s is not recognized (ec2lab does not have it)", clip(k))
	}
	return req, nil
}

// dryRun reads the DryRun flag, which every action accepts.
func dryRun(p *params) (bool, error) {
	raw, ok := p.get("DryRun")
	if !ok {
		return false, nil
	}
	b, ok := parseBool(raw)
	if !ok {
		return false, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for DryRun", clip(raw))
	}
	return b, nil
}
