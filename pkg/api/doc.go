// Package api is the gRPC edge of ec2d: it serves ec2lab.v1.Compute by
// translating proto messages to the controller's domain calls and back,
// returning the domain's errors as they are: ec2d maps them once, in the
// gRPC server's errgrpc interceptors, and the Query API, which calls this
// server in-process, reads them natively.
package api
