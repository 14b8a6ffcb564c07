package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// The account's default DHCP option set, as in EC2: made with the
// account's default VPC (or by its first CreateVpc, for an account whose
// default VPC predates it), it holds the region's private DNS domain (the
// suffix of every PrivateDnsName) and AmazonProvidedDNS, which is exactly
// what the built-in options ("default") hand out, so a VPC behaves the
// same under either. The default VPC and every new VPC are associated with
// it. It is an ordinary set: the account may tag it, and delete it once no
// VPC uses it; an account gets one default set ever, so after that new
// VPCs get "default". The account's marker records the set's ID and
// outlives the set.

// prefixDefaultDhcpOptions + account → the ID of the account's default
// DHCP option set, written with the set.
const prefixDefaultDhcpOptions = "/defaultdopt/"

// defaultDhcpOptionsSet is the default set id of acct in region.
func defaultDhcpOptionsSet(id, acct, region string) DhcpOptions {
	return DhcpOptions{ID: id, Owner: acct, Configurations: []DhcpConfiguration{
		{Key: DhcpDomainName, Values: []string{network.PrivateDNSDomain(region)}},
		{Key: DhcpDomainNameServers, Values: []string{AmazonProvidedDNS}},
	}}
}

// accountDhcpOptions is the account's default set and its revision, made
// now if the account never had one; ok is false once the account deleted
// it. Concurrent callers make one set: the marker must not exist.
func (s *Service) accountDhcpOptions(ctx context.Context, acct string) (d DhcpOptions, rev int64, ok bool, err error) {
	for attempt := 0; attempt < 20; attempt++ {
		id, _, err := store.GetJSON[string](ctx, s.st, prefixDefaultDhcpOptions+acct)
		if err == nil {
			return s.defaultDhcpOptionsByID(ctx, id)
		} else if !errors.Is(err, store.ErrNotFound) {
			return DhcpOptions{}, 0, false, fmt.Errorf("default dhcp options marker of %s: %w", acct, err)
		}
		if err := s.makeDefaultDhcpOptions(ctx, acct); err != nil && !errors.Is(err, store.ErrConflict) {
			return DhcpOptions{}, 0, false, err
		}
		// made, here or by a concurrent caller: read it back
	}
	return DhcpOptions{}, 0, false, fmt.Errorf("default dhcp options of %s: too many conflicts", acct)
}

// defaultDhcpOptionsByID reads the default set the marker names (ok
// false: deleted).
func (s *Service) defaultDhcpOptionsByID(ctx context.Context, id string) (DhcpOptions, int64, bool, error) {
	d, rev, err := store.GetJSON[DhcpOptions](ctx, s.st, prefixDhcpOptions+id)
	if errors.Is(err, store.ErrNotFound) {
		return DhcpOptions{}, 0, false, nil
	} else if err != nil {
		return DhcpOptions{}, 0, false, fmt.Errorf("read default dhcp options %s: %w", id, err)
	}
	return d, rev, true, nil
}

// makeDefaultDhcpOptions records acct's default set with its marker; an
// error wrapping store.ErrConflict means a concurrent caller made it.
func (s *Service) makeDefaultDhcpOptions(ctx context.Context, acct string) error {
	d := defaultDhcpOptionsSet(ids.New(ids.DhcpOptions), acct, s.cfg.Region)
	marker, _ := store.PutJSON(prefixDefaultDhcpOptions+acct, d.ID, store.MustNotExist)
	op, _ := store.PutJSON(prefixDhcpOptions+d.ID, d, store.MustNotExist)
	if _, err := s.st.Txn(ctx, marker, op); err != nil {
		return fmt.Errorf("record default dhcp options %s: %w", d.ID, err)
	}
	s.log.Info("default dhcp options created", "dopt", d.ID, "account", acct)
	return nil
}

// newVPCDhcpOptions is the set a new VPC of acct is associated with (""
// once the account deleted its default set: the built-in options) and the
// write that guards it against a concurrent DeleteDhcpOptions (the set
// again, at the revision read), for the VPC's transaction.
func (s *Service) newVPCDhcpOptions(ctx context.Context, acct string) (string, []store.Op, error) {
	d, rev, ok, err := s.accountDhcpOptions(ctx, acct)
	if err != nil || !ok {
		return "", nil, err
	}
	op, _ := store.PutJSON(prefixDhcpOptions+d.ID, d, rev)
	return d.ID, []store.Op{op}, nil
}
