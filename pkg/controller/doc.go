// Package controller is the domain side of ec2d: it owns the region's
// resources (instances, volumes, snapshots, images, key pairs, tags, hosts),
// decides what should exist, records it in the state store, and drives the
// host agents until what they report matches (the reconciler). API edges
// (gRPC, the EC2 Query API) only translate to and from these services.
package controller
