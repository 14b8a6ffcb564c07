package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// DHCP option sets (EC2 "DHCP option sets"): what the DHCP servers of a
// VPC's subnets hand out. A VPC without one (DescribeVpcs: "default") gets
// the built-in options: the region's private domain, and the VPC's DNS
// server while enableDnsSupport is on. New VPCs get the account's default
// set, which hands out the same (dhcp_options_default.go). Hosts apply a
// set to their dnsmasq (vpcDNS → host.SubnetDNS.DHCP), so guests see it at
// their next lease.

// prefixDhcpOptions + ID → DhcpOptions.
const prefixDhcpOptions = "/dhcpoptions/"

// DefaultDhcpOptions names "no set" in AssociateDhcpOptions and
// DescribeVpcs.
const DefaultDhcpOptions = "default"

// AmazonProvidedDNS stands for the VPC's DNS server in domain-name-servers.
const AmazonProvidedDNS = "AmazonProvidedDNS"

// DHCP option keys EC2 accepts.
const (
	DhcpDomainName         = "domain-name"
	DhcpDomainNameServers  = "domain-name-servers"
	DhcpNTPServers         = "ntp-servers"
	DhcpNetBIOSNameServers = "netbios-name-servers"
	DhcpNetBIOSNodeType    = "netbios-node-type"
)

// DhcpConfiguration is one key of a set with its values.
type DhcpConfiguration struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// DhcpOptions is a DHCP option set.
type DhcpOptions struct {
	ID             string              `json:"id"`
	Owner          string              `json:"owner"`
	Configurations []DhcpConfiguration `json:"configurations"`
	Tags           []Tag               `json:"tags,omitempty"`
}

// values is the set's values of key (none when it has no such key).
func (d DhcpOptions) values(key string) []string {
	for _, c := range d.Configurations {
		if c.Key == key {
			return c.Values
		}
	}
	return nil
}

// dhcpOptionsHooks registers the sets' tags.
func (s *Service) dhcpOptionsHooks(h *hooks) {
	h.tags(wrapTagErrors(recordTags(s, ids.DhcpOptions, "dhcp-options", prefixDhcpOptions,
		func(r *DhcpOptions) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })))
}

// CreateDhcpOptions records a set after checking each option as EC2 does.
func (s *Service) CreateDhcpOptions(ctx context.Context, confs []DhcpConfiguration, tags []Tag, dryRun bool) (DhcpOptions, error) {
	acct, err := account(ctx)
	if err != nil {
		return DhcpOptions{}, err
	}
	confs, err = checkDhcpConfigurations(confs)
	if err != nil {
		return DhcpOptions{}, err
	}
	if err := validateTags(tags); err != nil {
		return DhcpOptions{}, err
	}
	if dryRun {
		return DhcpOptions{}, DryRun()
	}
	d := DhcpOptions{ID: ids.New(ids.DhcpOptions), Owner: acct, Configurations: confs, Tags: tags}
	op, _ := store.PutJSON(prefixDhcpOptions+d.ID, d, store.MustNotExist)
	if _, err := s.st.Txn(ctx, op); err != nil {
		return DhcpOptions{}, fmt.Errorf("record %s: %w", d.ID, err)
	}
	s.log.Info("dhcp options created", "dopt", d.ID, "account", acct)
	return d, nil
}

// checkDhcpConfigurations validates a new set's options and answers them
// in EC2's order, each key once.
func checkDhcpConfigurations(confs []DhcpConfiguration) ([]DhcpConfiguration, error) {
	if len(confs) == 0 {
		return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter dhcpConfiguration")
	}
	seen := map[string]bool{}
	for _, c := range confs {
		if seen[c.Key] {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Duplicate DHCP option key: %s", c.Key)
		}
		seen[c.Key] = true
		if len(c.Values) == 0 {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Value for DHCP option %s is missing", c.Key)
		}
		if err := checkDhcpValues(c.Key, c.Values); err != nil {
			return nil, err
		}
	}
	order := []string{DhcpDomainName, DhcpDomainNameServers, DhcpNTPServers, DhcpNetBIOSNameServers, DhcpNetBIOSNodeType}
	slices.SortFunc(confs, func(a, b DhcpConfiguration) int { return slices.Index(order, a.Key) - slices.Index(order, b.Key) })
	return confs, nil
}

// checkDhcpValues checks one option's values.
func checkDhcpValues(key string, vals []string) error {
	bad := func(v string) error {
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter %s is invalid.", v, key)
	}
	switch key {
	case DhcpDomainName:
		if len(vals) != 1 {
			return ec2err.New(ec2err.InvalidParameterValue, "DHCP option domain-name takes one value (separate several domains with spaces)")
		}
		names := strings.Split(vals[0], " ") // several domains: separated by single spaces
		for _, name := range names {
			if !validDomainName(name) {
				return bad(vals[0])
			}
		}
	case DhcpDomainNameServers, DhcpNTPServers, DhcpNetBIOSNameServers:
		if len(vals) > 4 {
			return ec2err.New(ec2err.InvalidParameterValue, "DHCP option %s takes at most 4 values", key)
		}
		for _, v := range vals {
			if key == DhcpDomainNameServers && v == AmazonProvidedDNS {
				continue
			}
			if a, err := netip.ParseAddr(v); err != nil || !a.Is4() {
				return bad(v)
			}
		}
	case DhcpNetBIOSNodeType:
		if len(vals) != 1 || !slices.Contains([]string{"1", "2", "4", "8"}, vals[0]) {
			return bad(strings.Join(vals, ","))
		}
	case "ipv6-address-preferred-lease-time":
		return ec2err.New(ec2err.UnsupportedOperation, "DHCP option %s is not supported: ec2lab networks are IPv4 only", key)
	default:
		return ec2err.New(ec2err.InvalidParameterValue, "Invalid DHCP option key: %s", key)
	}
	return nil
}

// validDomainName accepts a DNS name of letters, digits, hyphens and dots.
func validDomainName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

// DeleteDhcpOptions deletes a set no VPC uses.
func (s *Service) DeleteDhcpOptions(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	d, rev, err := s.ownDhcpOptions(ctx, acct, id)
	if err != nil {
		return err
	}
	vpcs, err := store.ListJSON[VPC](ctx, s.st, prefixVPC)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(vpcs, func(v VPC) bool { return v.DhcpOptionsID == d.ID }) {
		return ec2err.New(ec2err.DependencyViolation, "The dhcpOptions '%s' has dependencies and cannot be deleted.", d.ID)
	}
	if dryRun {
		return DryRun()
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: prefixDhcpOptions + d.ID, Delete: true, ExpectRevision: rev}); err != nil {
		return fmt.Errorf("delete %s: %w", d.ID, err)
	}
	s.log.Info("dhcp options deleted", "dopt", d.ID, "account", acct)
	return nil
}

// AssociateDhcpOptions gives a VPC a set, or DefaultDhcpOptions for the
// built-in options. Its hosts apply it at the next network push; guests
// see it when they renew their lease.
func (s *Service) AssociateDhcpOptions(ctx context.Context, id, vpcID string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if id == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter DhcpOptionsId")
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	var guard []store.Op
	if id != DefaultDhcpOptions {
		d, rev, err := s.ownDhcpOptions(ctx, acct, id)
		if err != nil {
			return err
		}
		op, _ := store.PutJSON(prefixDhcpOptions+d.ID, d, rev) // against a concurrent delete
		guard = append(guard, op)
	}
	v, vrev, err := s.ownVPC(ctx, acct, vpcID)
	if err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	v.DhcpOptionsID = strings.TrimPrefix(id, DefaultDhcpOptions)
	op, _ := store.PutJSON(prefixVPC+v.ID, v, vrev)
	if _, err := s.st.Txn(ctx, append(guard, op)...); err != nil {
		return fmt.Errorf("associate %s with %s: %w", id, v.ID, err)
	}
	s.log.Info("dhcp options associated", "dopt", id, "vpc", v.ID, "account", acct)
	s.Kick()
	return nil
}

// DescribeDhcpOptions lists the caller's sets, its default set among them
// (made with its default VPC on first use).
func (s *Service) DescribeDhcpOptions(ctx context.Context, idList []string, filters []Filter, p Page) ([]DhcpOptions, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	for _, id := range idList {
		if !ids.Valid(ids.DhcpOptions, id) {
			return nil, "", dhcpOptionsMalformed(id)
		}
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[DhcpOptions](ctx, s.st, prefixDhcpOptions)
	if err != nil {
		return nil, "", err
	}
	return selectPage(all, selection[DhcpOptions]{IDs: idList, Filters: filters, Page: p,
		ID: func(d DhcpOptions) string { return d.ID }, Field: dhcpOptionsField,
		Keep: func(d DhcpOptions) bool { return d.Owner == acct }, NotFound: dhcpOptionsNotFound})
}

// dhcpOptionsField answers DescribeDhcpOptions' filters.
func dhcpOptionsField(d DhcpOptions, name string) ([]string, bool) {
	switch name {
	case "dhcp-options-id":
		return []string{d.ID}, true
	case "owner-id":
		return []string{d.Owner}, true
	case "key":
		var out []string
		for _, c := range d.Configurations {
			out = append(out, c.Key)
		}
		return out, true
	case "value":
		var out []string
		for _, c := range d.Configurations {
			out = append(out, c.Values...)
		}
		return out, true
	}
	return tagField(d.Tags, name)
}

// ownDhcpOptions reads one of the caller's sets.
func (s *Service) ownDhcpOptions(ctx context.Context, acct, id string) (DhcpOptions, int64, error) {
	if id == "" {
		return DhcpOptions{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter DhcpOptionsId")
	}
	if !ids.Valid(ids.DhcpOptions, id) {
		return DhcpOptions{}, 0, dhcpOptionsMalformed(id)
	}
	d, rev, err := store.GetJSON[DhcpOptions](ctx, s.st, prefixDhcpOptions+id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Owner != acct) {
		return DhcpOptions{}, 0, dhcpOptionsNotFound(id)
	} else if err != nil {
		return DhcpOptions{}, 0, fmt.Errorf("read %s: %w", id, err)
	}
	return d, rev, nil
}

func dhcpOptionsMalformed(id string) error {
	return ec2err.New(ec2err.InvalidDhcpOptionsIDMalformed, "Invalid id: \"%s\" (expecting \"dopt-...\")", id)
}

func dhcpOptionsNotFound(id string) error {
	return ec2err.New(ec2err.InvalidDhcpOptionIDNotFound, "The dhcpOption ID '%s' does not exist", id)
}

// netbiosNodeType is the set's node type as a number (0: none).
func (d DhcpOptions) netbiosNodeType() int32 {
	v := d.values(DhcpNetBIOSNodeType)
	if len(v) != 1 {
		return 0
	}
	n, _ := strconv.Atoi(v[0])
	return int32(n)
}
