package controller

import "github.com/ec2lab/ec2lab/pkg/store"

// Idempotency tokens: a ClientToken's record (idempotencyRecord, under
// prefixToken) is written in the same transaction as the records it made,
// by every action that takes one.

func tokenKey(acct, op, token string) string { return prefixToken + acct + "/" + op + "/" + token }

func tokenOp(acct, op, token, hash string, resultIDs []string) store.Op {
	o, _ := store.PutJSON(tokenKey(acct, op, token), idempotencyRecord{Op: op, ParamsHash: hash, ResultIDs: resultIDs}, 0)
	return o
}
