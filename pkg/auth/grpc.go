package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
)

// gRPC metadata keys carrying a request signature.
const (
	MDAccessKey = "x-ec2lab-access-key"
	MDDate      = "x-ec2lab-date"
	MDNonce     = "x-ec2lab-nonce"
	MDSignature = "x-ec2lab-signature"
)

// MaxSkew is how far a request's signed date may be from the server clock
// (both directions), for gRPC and SigV4 alike. A gRPC signature is
// accepted once within that window (see RPCVerifier).
const MaxSkew = 15 * time.Minute

// rpcAlgorithm heads the string to sign, so that a signature of one
// scheme can never verify under another.
const rpcAlgorithm = "EC2LAB-HMAC-SHA256-2"

// nonceBytes is the size of the random nonce each signed call carries.
const nonceBytes = 16

// RPCStringToSign is the canonical string a gRPC request signature covers:
// the algorithm, the full method ("/pkg.Service/Method"), the date
// (RFC 3339, UTC), the access key ID, the nonce and the hex SHA-256 of the
// request message (MessageHash).
func RPCStringToSign(fullMethod, date, accessKeyID, nonce string, bodyHash []byte) string {
	return rpcAlgorithm + "\n" + fullMethod + "\n" + date + "\n" + accessKeyID + "\n" + nonce + "\n" + hex.EncodeToString(bodyHash)
}

// RPCSignature is hex(HMAC-SHA256(secret, RPCStringToSign(...))), the value
// of MDSignature.
func RPCSignature(secret, fullMethod, date, accessKeyID, nonce string, bodyHash []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(RPCStringToSign(fullMethod, date, accessKeyID, nonce, bodyHash)))
	return hex.EncodeToString(m.Sum(nil))
}

// MessageHash is the SHA-256 of m's deterministic protobuf encoding, which
// client and server compute alike from the message. A nil m (the opening
// of a client-streaming call, which has no single request message) hashes
// the empty string, as an empty message does.
//
// The server hashes the message it decoded, so both sides must encode it
// alike: a client setting a field the server's schema lacks fails unless
// that field's number is above every field the server knows (unknown
// fields are encoded last), as a field added with the next number is.
func MessageHash(m proto.Message) ([]byte, error) {
	var b []byte
	if m != nil {
		var err error
		if b, err = (proto.MarshalOptions{Deterministic: true}).Marshal(m); err != nil {
			return nil, fmt.Errorf("hash request: %w", err)
		}
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

// SignRPC returns the metadata pairs that authenticate one call to
// fullMethod made at t with request message req (nil for a
// client-streaming call), under a fresh random nonce.
func SignRPC(k Key, fullMethod string, t time.Time, req proto.Message) (map[string]string, error) {
	h, err := MessageHash(req)
	if err != nil {
		return nil, err
	}
	n := make([]byte, nonceBytes)
	if _, err := rand.Read(n); err != nil {
		return nil, fmt.Errorf("sign rpc: nonce: %w", err)
	}
	nonce := hex.EncodeToString(n)
	date := t.UTC().Format(time.RFC3339)
	return map[string]string{
		MDAccessKey: k.AccessKeyID,
		MDDate:      date,
		MDNonce:     nonce,
		MDSignature: RPCSignature(k.SecretAccessKey, fullMethod, date, k.AccessKeyID, nonce, h),
	}, nil
}
