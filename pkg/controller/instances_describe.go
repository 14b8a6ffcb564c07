package controller

import (
	"context"
	"sort"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// DescribeInstances lists the caller's instances, filtered and paginated,
// sorted by instance ID.
func (s *Service) DescribeInstances(ctx context.Context, idList []string, filters []Filter, p Page) ([]Instance, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	all, err := s.ownedInstanceRefs(ctx, acct, idList)
	if err != nil {
		return nil, "", err
	}
	byInst, err := s.addressesForFilters(ctx, filters)
	if err != nil {
		return nil, "", err
	}
	var hits []*Instance // shared cache records: copied only for the page
	for _, in := range all {
		ok, err := matches(filters, func(n string) ([]string, bool) {
			if instanceAddressFilters[n] {
				withAddr := *in
				withAddr.Addresses = byInst[in.ID]
				return instanceAddressField(withAddr, n)
			}
			return instanceField(*in, n)
		})
		if err != nil {
			return nil, "", err
		}
		if ok {
			hits = append(hits, in)
		}
	}
	keys := refIDs(hits)
	page, next, err := paginate(keys, p)
	if err != nil {
		return nil, "", err
	}
	first := sort.SearchStrings(keys, firstOf(page))
	out := make([]Instance, len(page))
	for i := range page {
		out[i] = s.view(*hits[first+i])
	}
	if err := s.withAddresses(ctx, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// ownedInstances returns the account's instances; named IDs must all exist.
func (s *Service) ownedInstances(ctx context.Context, acct string, idList []string) ([]Instance, error) {
	if len(idList) == 0 {
		all, err := s.instancesBy(ctx, "owner", acct)
		if err != nil {
			return nil, err
		}
		out := make([]Instance, 0, len(all))
		for _, in := range all {
			out = append(out, *in)
		}
		return out, nil
	}
	var out []Instance
	var missing []string
	for _, id := range idList {
		if !ids.Valid(ids.Instance, id) {
			return nil, ec2err.New(ec2err.InvalidInstanceIDMalformed, "Invalid id: \"%s\"", id)
		}
		in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
		if err != nil || in.Owner != acct {
			missing = append(missing, id)
			continue
		}
		out = append(out, in)
	}
	if len(missing) > 0 {
		return nil, ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance IDs '%s' do not exist", joinIDs(missing))
	}
	return out, nil
}

func joinIDs(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func instanceField(in Instance, name string) ([]string, bool) {
	switch name {
	case "instance-id":
		return []string{in.ID}, true
	case "instance-state-name":
		return []string{in.State}, true
	case "instance-state-code":
		return []string{strconv.Itoa(int(StateCode(in.State)))}, true
	case "availability-zone":
		return []string{in.AZ}, true
	case "instance-type":
		return []string{in.Type}, true
	case "image-id":
		return []string{in.ImageID}, true
	case "key-name":
		return []string{in.KeyName}, true
	case "reservation-id":
		return []string{in.ReservationID}, true
	case "client-token":
		return []string{in.ClientToken}, true
	case "architecture":
		return []string{in.Architecture}, true
	case "owner-id":
		return []string{in.Owner}, true
	case "host-id", "ec2lab:host-id":
		return []string{in.HostID}, true
	case "block-device-mapping.volume-id":
		var out []string
		for _, b := range in.BlockDevices {
			out = append(out, b.VolumeID)
		}
		return out, true
	case "block-device-mapping.device-name":
		var out []string
		for _, b := range in.BlockDevices {
			out = append(out, b.DeviceName)
		}
		return out, true
	}
	if v, ok := instanceNetworkField(in, name); ok {
		return v, true
	}
	return tagField(in.Tags, name)
}
