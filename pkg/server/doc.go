// Package server assembles ec2d: the state store, the controller and its
// reconciler, the gRPC API (with request authentication, health and
// reflection), the HTTP endpoint (EC2 Query API, the STS/IAM identity
// calls, /metrics, /healthz, /readyz), the access keys and credentials file, and —
// in all-in-one mode — the agents embedded for this host, which join
// through the same agent registry as remote ones.
package server
