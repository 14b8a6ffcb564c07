// Package server assembles ec2d: the state store, the controller and its
// reconciler, the gRPC API (with request authentication, health and
// reflection), the HTTP endpoint (EC2 Query API, /metrics, /healthz), the
// access keys and credentials file, and — in all-in-one mode — the agents
// embedded for this host.
package server
