// Package api is the gRPC edge of ec2d: it serves ec2lab.v1.Compute by
// translating proto messages to the controller's domain calls and back,
// and maps errors once, with ec2err.ToGRPC.
package api
