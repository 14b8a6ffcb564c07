package controller

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Elastic IP addresses: an account allocates an address of the region's
// pool (addresses_pool.go), associates it with an interface address of
// one of its instances (addresses_associate.go) and releases it back.

const (
	// prefixAddress holds one Address record per allocation ID.
	prefixAddress = "/addresses/"
	// prefixAddressClaim holds one key per allocated public IP: its
	// create-only write is what keeps two allocations off one address.
	prefixAddressClaim = "/addressclaims/"
	// DomainVPC is the only domain ec2lab allocates in (EC2-Classic is gone).
	DomainVPC = "vpc"
	// PublicIPv4PoolAmazon is the name EC2 gives its own address pool,
	// which the region's pool stands for.
	PublicIPv4PoolAmazon = "amazon"
	// allocateAttempts bounds retries when a concurrent allocation claimed
	// the address picked.
	allocateAttempts = 20
)

// Address is the record of one Elastic IP allocation.
type Address struct {
	AllocationID string    `json:"allocation_id"`
	Owner        string    `json:"owner"`
	PublicIP     string    `json:"public_ip"`
	Domain       string    `json:"domain"`
	AllocateTime time.Time `json:"allocate_time"`
	Tags         []Tag     `json:"tags,omitempty"`
	// Association is where the address points; nil when disassociated.
	Association *AddressAssociation `json:"association,omitempty"`
	// NetworkBorderGroup and PublicIPv4Pool are computed on read: the
	// region and amazon.
	NetworkBorderGroup string `json:"-"`
	PublicIPv4Pool     string `json:"-"`
}

// AddressAssociation is an Elastic IP's association with one private
// address of a network interface: an instance's, or a NAT gateway's
// (NatGatewayID; InstanceID is then empty).
type AddressAssociation struct {
	ID                    string `json:"id"`
	InstanceID            string `json:"instance_id"`
	NatGatewayID          string `json:"nat_gateway_id,omitempty"`
	NetworkInterfaceID    string `json:"network_interface_id"`
	NetworkInterfaceOwner string `json:"network_interface_owner"`
	PrivateIP             string `json:"private_ip"`
}

// AllocateRequest is AllocateAddress's parameters.
type AllocateRequest struct {
	Domain                string
	Address               string // a specific pool address; empty: the lowest free
	PublicIPv4Pool        string
	NetworkBorderGroup    string
	CustomerOwnedIPv4Pool string
	IpamPoolID            string
	Tags                  []Tag
	DryRun                bool
}

// addressClaim holds one pool address: for an Elastic IP allocation
// (AllocationID), or as an instance's auto-assigned public address
// (InstanceID; publicips.go).
type addressClaim struct {
	AllocationID string `json:"allocation_id,omitempty"`
	InstanceID   string `json:"instance_id,omitempty"`
	Owner        string `json:"owner"`
}

func addressKey(allocID string) string { return prefixAddress + allocID }
func addressClaimKey(ip string) string { return prefixAddressClaim + ip }
func (s *Service) addressView(a Address) Address {
	a.NetworkBorderGroup, a.PublicIPv4Pool = s.cfg.Region, PublicIPv4PoolAmazon
	return a
}

// AllocateAddress allocates an Elastic IP of the region's pool to the
// caller: the address asked for, or the lowest free one.
func (s *Service) AllocateAddress(ctx context.Context, req AllocateRequest) (Address, error) {
	acct, err := account(ctx)
	if err != nil {
		return Address{}, err
	}
	want, err := s.checkAllocate(req)
	if err != nil {
		return Address{}, err
	}
	release, err := s.admit(ctx, acct, QuotaElasticIPs, "", 1, s.countAddresses(acct))
	if err != nil {
		return Address{}, err
	}
	defer release()
	if req.DryRun {
		return Address{}, DryRun()
	}
	a := Address{AllocationID: ids.New(ids.Allocation), Owner: acct, Domain: DomainVPC,
		AllocateTime: s.now().UTC(), Tags: req.Tags}
	for attempt := 0; attempt < allocateAttempts; attempt++ {
		ip, err := s.pickAddress(ctx, want)
		if err != nil {
			return Address{}, err
		}
		a.PublicIP = ip.String()
		err = s.claimAddress(ctx, a)
		if err == nil {
			return s.addressView(a), nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return Address{}, fmt.Errorf("allocate %s: %w", a.PublicIP, err)
		}
		if want.IsValid() {
			return Address{}, addressInUse(a.PublicIP)
		}
	}
	return Address{}, ec2err.New(ec2err.AddressLimitExceeded, "The region's Elastic IP pool has no free address.")
}

// checkAllocate refuses what ec2lab cannot allocate, and returns the
// specific address asked for (invalid when none).
func (s *Service) checkAllocate(req AllocateRequest) (netip.Addr, error) {
	switch {
	case req.Domain != "" && req.Domain != DomainVPC:
		return netip.Addr{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for Domain: only vpc addresses are allocated.", req.Domain)
	case req.PublicIPv4Pool != "" && req.PublicIPv4Pool != PublicIPv4PoolAmazon:
		return netip.Addr{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for PublicIpv4Pool: this region has one pool, amazon.", req.PublicIPv4Pool)
	case s.CheckNetworkBorderGroup(req.NetworkBorderGroup) != nil:
		return netip.Addr{}, s.CheckNetworkBorderGroup(req.NetworkBorderGroup)
	case req.CustomerOwnedIPv4Pool != "":
		return netip.Addr{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for CustomerOwnedIpv4Pool: this region has no customer-owned pools.", req.CustomerOwnedIPv4Pool)
	case req.IpamPoolID != "":
		return netip.Addr{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for IpamPoolId: this region has no IPAM pools.", req.IpamPoolID)
	case s.eipPool.Empty():
		return netip.Addr{}, ec2err.New(ec2err.AddressLimitExceeded, "The region %s has no Elastic IP pool configured (elastic_ip_pool).", s.cfg.Region)
	case req.Address == "":
		return netip.Addr{}, nil
	}
	ip, err := netip.ParseAddr(req.Address)
	if err != nil || !ip.Is4() {
		return netip.Addr{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for Address: not an IPv4 address.", req.Address)
	}
	if !s.eipPool.Contains(ip) {
		return netip.Addr{}, ec2err.New(ec2err.InvalidAddressNotFound, "Address '%s' not found: it is not in the region's Elastic IP pool.", req.Address)
	}
	return ip, nil
}

// CheckNetworkBorderGroup refuses a network border group other than the
// region's, the only one its addresses are in ("" passes).
func (s *Service) CheckNetworkBorderGroup(nbg string) error {
	if nbg != "" && nbg != s.cfg.Region {
		return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for NetworkBorderGroup: this region's is %s.", nbg, s.cfg.Region)
	}
	return nil
}

// pickAddress is want, or the lowest pool address no allocation claims.
func (s *Service) pickAddress(ctx context.Context, want netip.Addr) (netip.Addr, error) {
	if want.IsValid() {
		return want, nil
	}
	claims, err := s.st.List(ctx, prefixAddressClaim)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("list address claims: %w", err)
	}
	taken := make(map[netip.Addr]bool, len(claims))
	for _, kv := range claims {
		if ip, err := netip.ParseAddr(kv.Key[len(prefixAddressClaim):]); err == nil {
			taken[ip] = true
		}
	}
	ip, ok := s.eipPool.lowestFree(taken)
	if !ok {
		return netip.Addr{}, ec2err.New(ec2err.AddressLimitExceeded, "The region's Elastic IP pool has no free address.")
	}
	return ip, nil
}

// claimAddress writes a's claim and record in one transaction; a claim
// already there fails it with store.ErrConflict.
func (s *Service) claimAddress(ctx context.Context, a Address) error {
	claim, err := store.PutJSON(addressClaimKey(a.PublicIP), addressClaim{AllocationID: a.AllocationID, Owner: a.Owner}, store.MustNotExist)
	if err != nil {
		return err
	}
	rec, err := store.PutJSON(addressKey(a.AllocationID), a, store.MustNotExist)
	if err != nil {
		return err
	}
	_, err = s.st.Txn(ctx, claim, rec)
	return err
}

// ReleaseAddress gives an unassociated address back to the pool.
func (s *Service) ReleaseAddress(ctx context.Context, allocID, publicIP string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	a, rev, err := s.ownAddress(ctx, acct, allocID, publicIP)
	if err != nil {
		return err
	}
	if a.Association != nil {
		return ec2err.New(ec2err.InvalidIPAddressInUse, "Address '%s' (%s) is in use: it is associated (%s).", a.PublicIP, a.AllocationID, a.Association.ID)
	}
	if dryRun {
		return DryRun()
	}
	_, err = s.st.Txn(ctx, store.Op{Key: addressKey(a.AllocationID), Delete: true, ExpectRevision: rev},
		store.Op{Key: addressClaimKey(a.PublicIP), Delete: true, ExpectRevision: store.AnyRevision})
	if errors.Is(err, store.ErrConflict) {
		return ec2err.New(ec2err.InvalidIPAddressInUse, "Address '%s' (%s) changed while it was released; retry.", a.PublicIP, a.AllocationID)
	}
	if err != nil {
		return fmt.Errorf("release %s: %w", a.AllocationID, err)
	}
	return nil
}

// ownAddress finds the caller's address by allocation ID or, without one,
// by public IP, with its record's revision.
func (s *Service) ownAddress(ctx context.Context, acct, allocID, publicIP string) (Address, int64, error) {
	if allocID == "" && publicIP == "" {
		return Address{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AllocationId")
	}
	if allocID == "" {
		a, err := s.addressByIP(ctx, acct, publicIP)
		if err != nil {
			return Address{}, 0, err
		}
		allocID = a.AllocationID
	}
	if !ids.Valid(ids.Allocation, allocID) {
		return Address{}, 0, ec2err.New(ec2err.InvalidAllocationIDMalformed, "Invalid id: \"%s\" (expecting \"eipalloc-...\")", allocID)
	}
	a, rev, err := store.GetJSON[Address](ctx, s.st, addressKey(allocID))
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Owner != acct) {
		return Address{}, 0, allocationNotFound(allocID)
	}
	if err != nil {
		return Address{}, 0, fmt.Errorf("read address %s: %w", allocID, err)
	}
	return a, rev, nil
}

// addressByIP is the caller's address of public IP ip.
func (s *Service) addressByIP(ctx context.Context, acct, ip string) (Address, error) {
	c, _, err := store.GetJSON[addressClaim](ctx, s.st, addressClaimKey(ip))
	if err != nil || c.Owner != acct || c.AllocationID == "" { // an auto-assigned address is no Elastic IP
		return Address{}, ec2err.New(ec2err.InvalidAddressNotFound, "Address '%s' not found.", ip)
	}
	return Address{AllocationID: c.AllocationID}, nil
}

func allocationNotFound(id string) error {
	return ec2err.New(ec2err.InvalidAllocationIDNotFound, "Allocation ID '%s' not found.", id)
}

func addressInUse(ip string) error {
	return ec2err.New(ec2err.InvalidIPAddressInUse, "Address '%s' is in use.", ip)
}

// accountAddresses lists acct's addresses ("": every account's).
func (s *Service) accountAddresses(ctx context.Context, acct string) ([]Address, error) {
	all, err := store.ListJSON[Address](ctx, s.st, prefixAddress)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	out := all[:0]
	for _, a := range all {
		if acct == "" || a.Owner == acct {
			out = append(out, a)
		}
	}
	return out, nil
}

// addressHooks registers the addresses' tags and the sweep that
// disassociates the addresses of instances gone.
func (s *Service) addressHooks(h *hooks) {
	h.tags(wrapTagErrors(recordTags(s, ids.Allocation, "elastic-ip", prefixAddress,
		func(r *Address) (string, string, *[]Tag) { return r.AllocationID, r.Owner, &r.Tags })))
	h.sweep("elastic-ips", s.sweepAddressAssociations)
}
