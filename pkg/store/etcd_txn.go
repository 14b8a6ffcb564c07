package store

import (
	"context"
	"fmt"
	"strings"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Txn implements Store as one etcd transaction: If the ExpectRevision
// compares (and the ctx's Guard: its key's create revision), Then the puts and deletes, Else read the checked keys to name
// the ones that failed. The new revision is the response header's: the
// revision every op was applied at, or, when nothing changed (only deletes
// of absent keys), the current revision unchanged, as with Bolt.
func (e *Etcd) Txn(ctx context.Context, ops ...Op) (int64, error) {
	if err := validateOps(ops); err != nil {
		return 0, err
	}
	if len(ops) == 0 {
		return e.Revision(ctx)
	}
	if err := e.live(); err != nil {
		return 0, fmt.Errorf("txn: %w", err)
	}
	cmps, checked, reads := txnChecks(ops)
	g, guarded := GuardFrom(ctx)
	if guarded {
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(g.Key), "=", toEtcdRev(g.CreateRevision)))
		reads = append(reads, clientv3.OpGet(g.Key, clientv3.WithKeysOnly()))
	}
	resp, err := e.kv.Txn(ctx).If(cmps...).Then(txnWrites(ops)...).Else(reads...).Commit()
	if err != nil {
		return 0, fmt.Errorf("txn: %w", e.wrapErr(err))
	}
	if !resp.Succeeded {
		if guarded {
			if err := guardError(g, resp.Responses[len(resp.Responses)-1]); err != nil {
				return 0, fmt.Errorf("txn: %w", err)
			}
		}
		return 0, fmt.Errorf("txn: %w", conflictError(checked, resp.Responses))
	}
	return fromEtcdRev(resp.Header.Revision), nil
}

// txnChecks returns the compares for ops' ExpectRevisions, the ops they
// check and a read of each checked key, in the same order.
func txnChecks(ops []Op) (cmps []clientv3.Cmp, checked []Op, reads []clientv3.Op) {
	for _, op := range ops {
		switch {
		case op.ExpectRevision == AnyRevision:
			continue
		case op.ExpectRevision == MustNotExist:
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(op.Key), "=", 0))
		default:
			cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(op.Key), "=", toEtcdRev(op.ExpectRevision)))
		}
		checked = append(checked, op)
		reads = append(reads, clientv3.OpGet(op.Key, clientv3.WithKeysOnly()))
	}
	return cmps, checked, reads
}

func txnWrites(ops []Op) []clientv3.Op {
	out := make([]clientv3.Op, 0, len(ops))
	for _, op := range ops {
		if op.Delete {
			out = append(out, clientv3.OpDelete(op.Key))
			continue
		}
		out = append(out, clientv3.OpPut(op.Key, string(op.Value)))
	}
	return out
}

// conflictError names every checked key whose revision did not match, from
// the Else reads (taken in the same transaction as the compares).
func conflictError(checked []Op, reads []*pb.ResponseOp) error {
	var msgs []string
	for i, op := range checked {
		var cur int64
		if i < len(reads) {
			if kvs := reads[i].GetResponseRange().GetKvs(); len(kvs) > 0 {
				cur = fromEtcdRev(kvs[0].ModRevision)
			}
		}
		if cur != op.ExpectRevision {
			msgs = append(msgs, fmt.Sprintf("key %s: expected revision %d, have %d", op.Key, op.ExpectRevision, cur))
		}
	}
	if len(msgs) == 0 {
		return fmt.Errorf("checks of %d keys failed: %w", len(checked), ErrConflict) // not expected: the reads disagree
	}
	return fmt.Errorf("%s: %w", strings.Join(msgs, "; "), ErrConflict)
}

// guardError is ErrFenced, naming the guard key's create revision now,
// when the read of the guard key (from the Else branch) shows it no longer
// holds; nil when it does (another check failed).
func guardError(g Guard, read *pb.ResponseOp) error {
	var cur int64
	if kvs := read.GetResponseRange().GetKvs(); len(kvs) > 0 {
		cur = fromEtcdRev(kvs[0].CreateRevision)
	}
	if cur == g.CreateRevision {
		return nil
	}
	return fmt.Errorf("guard %s: key created at revision %d now: %w", g, cur, ErrFenced)
}
