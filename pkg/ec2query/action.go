package ec2query

import (
	"context"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// action is how one Query API action is parsed and served.
type action struct {
	// mutating actions change state; a DryRun of one is decided by Compute
	// (handler.run).
	mutating bool
	// required are request fields (proto names) that must be present.
	required []protoreflect.Name
	newReq   func() proto.Message
	// check validates the decoded request beyond its types (optional).
	check func(proto.Message) error
	// strict are wire prefixes under which every parameter must name a
	// field (strict.go).
	strict []string
	call   func(context.Context, ec2labv1.ComputeServer, proto.Message) (body, error)
}

// op is an action served by one ComputeServer method whose response enc
// turns into XML.
func op[Req proto.Message, Resp any](mutating bool, method func(ec2labv1.ComputeServer, context.Context, Req) (Resp, error),
	enc func(Resp) body, required ...protoreflect.Name) action {
	return custom(mutating, func(ctx context.Context, s ec2labv1.ComputeServer, req Req) (body, error) {
		resp, err := method(s, ctx, req)
		if err != nil {
			return nil, err
		}
		return enc(resp), nil
	}, required...)
}

// custom is an action with its own call.
func custom[Req proto.Message](mutating bool, f func(context.Context, ec2labv1.ComputeServer, Req) (body, error),
	required ...protoreflect.Name) action {
	return action{
		mutating: mutating,
		required: required,
		newReq: func() proto.Message {
			var zero Req
			return zero.ProtoReflect().Type().New().Interface()
		},
		call: func(ctx context.Context, s ec2labv1.ComputeServer, m proto.Message) (body, error) {
			return f(ctx, s, m.(Req))
		},
	}
}

// withCheck adds a validation of the decoded request to a.
func withCheck[Req proto.Message](a action, check func(Req) error) action {
	a.check = func(m proto.Message) error { return check(m.(Req)) }
	return a
}

// done is the encoder of actions that answer <return>true</return>.
func done[Resp any](Resp) body { return returnTrue() }
