// Package peer owns the conversation between two ec2lab regions for
// cross-region copies: the client a destination region uses to describe
// and pull from a source (over mutual TLS to the source's peer API, signed
// with the peer key from its config, each call asserting the account the
// copy acts for: auth.ActAs), and both halves of the layer-transfer
// protocol over ec2lab.v1's LayerChunk stream: Send, which the source's
// gRPC edge runs, and Receiver, which writes what arrives into a pool, each
// file verified by SHA-256 before it is published read-only. The
// controller sees a peer only through the small interface it declares,
// over this package's plain types.
package peer
