package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// GetJSON reads key and decodes its JSON value into a T, returning the mod
// revision for a later conditional PutJSON.
func GetJSON[T any](ctx context.Context, s Store, key string) (T, int64, error) {
	var v T
	kv, err := s.Get(ctx, key)
	if err != nil {
		return v, 0, err
	}
	if err := json.Unmarshal(kv.Value, &v); err != nil {
		return v, 0, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, kv.Revision, nil
}

// PutJSON builds a put Op storing v as JSON under key with the given
// ExpectRevision (AnyRevision, MustNotExist or a mod revision).
func PutJSON(key string, v any, expectRev int64) (Op, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Op{}, fmt.Errorf("encode %s: %w", key, err)
	}
	return Op{Key: key, Value: b, ExpectRevision: expectRev}, nil
}

// ListJSON decodes every value under prefix, in key order.
func ListJSON[T any](ctx context.Context, s Store, prefix string) ([]T, error) {
	kvs, err := s.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(kvs))
	for _, kv := range kvs {
		var v T
		if err := json.Unmarshal(kv.Value, &v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kv.Key, err)
		}
		out = append(out, v)
	}
	return out, nil
}
