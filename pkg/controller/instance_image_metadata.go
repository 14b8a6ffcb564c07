package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// InstanceImageMetadata is DescribeInstanceImageMetadata's answer for one
// instance: the instance and the image it was launched from.
type InstanceImageMetadata struct {
	Instance Instance
	ZoneID   string // the ID of the instance's zone
	// Image is the image's record as it is now, deprecated, deregistered
	// or no longer shared included (EC2 describes it all the same); nil
	// when no record of it is left.
	Image *Image
}

// DescribeInstanceImageMetadata describes, for each of the caller's
// instances, the image it was launched from, filtered and paginated.
// Named instances must be the caller's (InvalidInstanceID.NotFound).
func (s *Service) DescribeInstanceImageMetadata(ctx context.Context, idList []string, filters []Filter, p Page, dryRun bool) ([]InstanceImageMetadata, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, false, 1, 1000); err != nil {
		return nil, "", err
	}
	insts, err := s.ownedInstances(ctx, acct, idList)
	if err != nil {
		return nil, "", err
	}
	if dryRun {
		return nil, "", DryRun()
	}
	images, err := store.ListJSON[Image](ctx, s.st, prefixImage)
	if err != nil {
		return nil, "", err
	}
	byID := map[string]*Image{}
	for i := range images {
		byID[images[i].ID] = &images[i]
	}
	all := make([]InstanceImageMetadata, 0, len(insts))
	for _, in := range insts {
		m := InstanceImageMetadata{Instance: in, Image: byID[in.ImageID]}
		if z, ok := s.cfg.Zone(in.AZ); ok {
			m.ZoneID = z.ID
		}
		all = append(all, m)
	}
	return selectPage(all, selection[InstanceImageMetadata]{IDs: idList, Filters: filters, Page: p,
		ID: func(m InstanceImageMetadata) string { return m.Instance.ID }, Field: imageMetadataField})
}

// imageMetadataField answers DescribeInstanceImageMetadata's filters;
// owner-id and owner-alias are the image's. ec2lab has no Allowed AMIs
// setting: every image is allowed.
func imageMetadataField(m InstanceImageMetadata, name string) ([]string, bool) {
	in := m.Instance
	switch name {
	case "availability-zone":
		return []string{in.AZ}, true
	case "zone-id":
		return []string{m.ZoneID}, true
	case "instance-id":
		return []string{in.ID}, true
	case "instance-state-name":
		return []string{in.State}, true
	case "instance-type":
		return []string{in.Type}, true
	case "launch-time":
		return []string{filterTime(in.LaunchTime)}, true
	case "image-allowed":
		return []string{"true"}, true
	case "owner-alias":
		return nil, true // ec2lab's images are accounts', none Amazon's
	case "owner-id":
		if m.Image == nil {
			return nil, true
		}
		return []string{m.Image.Owner}, true
	}
	return tagField(in.Tags, name)
}
