package store

import (
	"errors"
	"fmt"
)

// validateOps rejects what no backend may commit: an empty key, a key
// twice in one transaction, an ExpectRevision below AnyRevision.
func validateOps(ops []Op) error {
	seen := make(map[string]bool, len(ops))
	for _, op := range ops {
		switch {
		case op.Key == "":
			return errors.New("txn: empty key")
		case seen[op.Key]:
			return fmt.Errorf("txn: key %s appears twice", op.Key)
		case op.ExpectRevision < AnyRevision:
			return fmt.Errorf("txn: key %s: invalid expected revision %d", op.Key, op.ExpectRevision)
		}
		seen[op.Key] = true
	}
	return nil
}
