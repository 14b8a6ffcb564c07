package ctl

import (
	"context"
	"fmt"
	"io"
	"time"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// debugInterceptor logs each call's method, request and outcome to w.
// Credentials travel as per-RPC metadata and are never logged; user data
// and key material are reduced to their length.
func debugInterceptor(w io.Writer, s *settings) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		keyID := "(none)"
		if s.key != nil {
			keyID = s.key.AccessKeyID
		}
		fmt.Fprintf(w, "DEBUG endpoint=%s tls=%t region=%q profile=%q access-key-id=%s\n",
			s.endpoint, s.tls, s.region, s.profile, keyID)
		fmt.Fprintf(w, "DEBUG calling %s %s\n", method, redactedJSON(req))
		start := time.Now()
		err := invoker(ctx, method, req, reply, cc, opts...)
		fmt.Fprintf(w, "DEBUG %s finished in %s err=%v\n", method, time.Since(start).Round(time.Millisecond), err)
		return err
	}
}

func redactedJSON(req any) string {
	m, ok := req.(proto.Message)
	if !ok {
		return fmt.Sprint(req)
	}
	m = proto.Clone(m)
	note := ""
	switch r := m.(type) {
	case *pb.RunInstancesRequest:
		if n := len(r.UserData); n > 0 {
			note = fmt.Sprintf(" (userData: %d bytes, not shown)", n)
			r.UserData = nil
		}
	case *pb.ImportKeyPairRequest:
		note = fmt.Sprintf(" (publicKeyMaterial: %d bytes)", len(r.PublicKeyMaterial))
		r.PublicKeyMaterial = nil
	}
	b, err := protojson.MarshalOptions{}.Marshal(m)
	if err != nil {
		return "<unprintable>"
	}
	return string(b) + note
}
