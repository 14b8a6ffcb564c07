package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"regexp"
	"sort"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Key states, in IAM's words.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// Account is one account and its keys, secrets left out.
type Account struct {
	ID   string
	Keys []auth.Key
}

// Status is k's state: Active or Inactive.
func Status(k auth.Key) string {
	if k.Disabled {
		return StatusInactive
	}
	return StatusActive
}

// Service administers accounts and keys; every method is for admin keys
// only (UnauthorizedOperation otherwise).
type Service struct {
	st  store.Store
	log *slog.Logger
	mu  sync.Mutex // one change at a time: "does the account exist" holds until the write
}

// New returns the administration service over st.
func New(st store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{st: st, log: log}
}

// requireAdmin refuses a caller whose key is not an admin key.
func requireAdmin(ctx context.Context) (auth.Key, error) {
	k, ok := auth.FromContext(ctx)
	if !ok || !k.Admin {
		return auth.Key{}, ec2err.New(ec2err.UnauthorizedOperation, "You are not authorized to perform this operation.")
	}
	return k, nil
}

// CreateAccount makes account id (or a new random ID when id is "") and
// its first access key; the returned key carries its secret.
func (s *Service) CreateAccount(ctx context.Context, id string) (auth.Key, error) {
	caller, err := requireAdmin(ctx)
	if err != nil {
		return auth.Key{}, err
	}
	if id != "" && !accountIDPattern.MatchString(id) {
		return auth.Key{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for AccountId: want 12 digits", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byAccount, err := s.accounts(ctx)
	if err != nil {
		return auth.Key{}, err
	}
	if id == "" {
		if id, err = newAccountID(byAccount); err != nil {
			return auth.Key{}, err
		}
	} else if _, ok := byAccount[id]; ok {
		return auth.Key{}, ec2err.New(ec2err.InvalidParameterValue, "The account %s already exists", id)
	}
	k := auth.NewKey(id, false)
	if err := PutAccessKey(ctx, s.st, k); err != nil {
		return auth.Key{}, fmt.Errorf("create account %s: %w", id, err)
	}
	s.log.InfoContext(ctx, "account created", "account", id, "access_key", k.AccessKeyID, "by", caller.AccessKeyID)
	return k, nil
}

// CreateAccessKey makes another access key for an existing account.
func (s *Service) CreateAccessKey(ctx context.Context, account string) (auth.Key, error) {
	caller, err := requireAdmin(ctx)
	if err != nil {
		return auth.Key{}, err
	}
	if account == "" {
		return auth.Key{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AccountId")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byAccount, err := s.accounts(ctx)
	if err != nil {
		return auth.Key{}, err
	}
	if _, ok := byAccount[account]; !ok {
		return auth.Key{}, ec2err.New(ec2err.InvalidParameterValue, "The account %s does not exist", account)
	}
	k := auth.NewKey(account, false)
	if err := PutAccessKey(ctx, s.st, k); err != nil {
		return auth.Key{}, fmt.Errorf("create access key for %s: %w", account, err)
	}
	s.log.InfoContext(ctx, "access key created", "account", account, "access_key", k.AccessKeyID, "by", caller.AccessKeyID)
	return k, nil
}

// DisableAccessKey makes a tenant key Inactive.
func (s *Service) DisableAccessKey(ctx context.Context, id string) (auth.Key, error) {
	caller, err := requireAdmin(ctx)
	if err != nil {
		return auth.Key{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, op, err := s.disableOp(ctx, id)
	if err != nil {
		return auth.Key{}, err
	}
	if _, err := s.st.Txn(ctx, op); err != nil {
		return auth.Key{}, fmt.Errorf("disable access key %s: %w", id, err)
	}
	s.log.InfoContext(ctx, "access key disabled", "account", k.AccountID, "access_key", id, "by", caller.AccessKeyID)
	return k, nil
}

// RotateAccessKey makes a new key for id's account and disables id, in one
// transaction; the returned new key carries its secret.
func (s *Service) RotateAccessKey(ctx context.Context, id string) (auth.Key, error) {
	caller, err := requireAdmin(ctx)
	if err != nil {
		return auth.Key{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, disable, err := s.disableOp(ctx, id)
	if err != nil {
		return auth.Key{}, err
	}
	k := auth.NewKey(old.AccountID, false)
	put, err := store.PutJSON(prefixAccessKey+k.AccessKeyID, k, store.MustNotExist)
	if err != nil {
		return auth.Key{}, err
	}
	if _, err := s.st.Txn(ctx, disable, put); err != nil {
		return auth.Key{}, fmt.Errorf("rotate access key %s: %w", id, err)
	}
	s.log.InfoContext(ctx, "access key rotated", "account", k.AccountID, "old", id, "new", k.AccessKeyID, "by", caller.AccessKeyID)
	return k, nil
}

// disableOp is the write that disables tenant key id, and the key as it
// will be (secret left out).
func (s *Service) disableOp(ctx context.Context, id string) (auth.Key, store.Op, error) {
	if id == "" {
		return auth.Key{}, store.Op{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AccessKeyId")
	}
	k, rev, err := store.GetJSON[auth.Key](ctx, s.st, prefixAccessKey+id)
	if errors.Is(err, store.ErrNotFound) {
		return auth.Key{}, store.Op{}, ec2err.New(ec2err.InvalidParameterValue, "The access key %s does not exist", id)
	}
	if err != nil {
		return auth.Key{}, store.Op{}, fmt.Errorf("read access key %s: %w", id, err)
	}
	switch {
	case k.Admin:
		return auth.Key{}, store.Op{}, ec2err.New(ec2err.OperationNotPermitted,
			"The access key %s is an admin key: manage admin keys with `ec2d keys` while ec2d is stopped", id)
	case k.Disabled:
		return auth.Key{}, store.Op{}, ec2err.New(ec2err.IncorrectState, "The access key %s is already Inactive", id)
	}
	k.Disabled = true
	op, err := store.PutJSON(prefixAccessKey+id, k, rev)
	k.SecretAccessKey = ""
	return k, op, err
}

// ListAccounts lists every account with its keys, sorted by ID; the keys
// carry no secrets.
func (s *Service) ListAccounts(ctx context.Context) ([]Account, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	byAccount, err := s.accounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(byAccount))
	for id, keys := range byAccount {
		out = append(out, Account{ID: id, Keys: keys})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// accounts groups every key by account, secrets removed.
func (s *Service) accounts(ctx context.Context) (map[string][]auth.Key, error) {
	keys, err := AccessKeys(ctx, s.st)
	if err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	out := map[string][]auth.Key{}
	for _, k := range keys {
		k.SecretAccessKey = ""
		out[k.AccountID] = append(out[k.AccountID], k)
	}
	return out, nil
}

// newAccountID picks a random 12-digit ID no account has.
func newAccountID(taken map[string][]auth.Key) (string, error) {
	for range 100 {
		n, err := rand.Int(rand.Reader, big.NewInt(1e12))
		if err != nil {
			return "", err
		}
		id := fmt.Sprintf("%012d", n.Int64())
		if _, ok := taken[id]; !ok && id[0] != '0' {
			return id, nil
		}
	}
	return "", ec2err.New(ec2err.InternalError, "no free account ID found")
}
