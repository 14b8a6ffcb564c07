package controller

import (
	"context"
	"sort"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// TagDescription is one tag of one resource.
type TagDescription struct {
	ResourceID, ResourceType, Key, Value string
}

// maxTags is EC2's limit of tags per resource.
const maxTags = 50

// CreateTags adds or overwrites tags on resources; every resource must
// exist and belong to the caller, or nothing changes.
func (s *Service) CreateTags(ctx context.Context, resources []string, tags []Tag, dryRun bool) error {
	return s.editTags(ctx, resources, tags, dryRun, func(have []Tag) ([]Tag, error) {
		for _, t := range tags {
			have = setTag(have, t)
		}
		if len(have) > maxTags {
			return nil, ec2err.New(ec2err.TagLimitExceeded, "The maximum number of tags (%d) for a resource has been reached.", maxTags)
		}
		return have, nil
	})
}

// DeleteTags removes tags; a tag given with an empty value goes whatever its value.
func (s *Service) DeleteTags(ctx context.Context, resources []string, tags []Tag, dryRun bool) error {
	return s.editTags(ctx, resources, tags, dryRun, func(have []Tag) ([]Tag, error) {
		if len(tags) == 0 {
			return nil, nil
		}
		var out []Tag
		for _, h := range have {
			drop := false
			for _, t := range tags {
				if t.Key == h.Key && (t.Value == "" || t.Value == h.Value) {
					drop = true
				}
			}
			if !drop {
				out = append(out, h)
			}
		}
		return out, nil
	})
}

func setTag(have []Tag, t Tag) []Tag {
	for i := range have {
		if have[i].Key == t.Key {
			have[i].Value = t.Value
			return have
		}
	}
	return append(have, t)
}

func validateTags(tags []Tag) error {
	if len(tags) > maxTags {
		return ec2err.New(ec2err.TagLimitExceeded, "The maximum number of tags (%d) for a resource has been reached.", maxTags)
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return ec2err.New(ec2err.InvalidParameterValue, "Tag keys must be 1-128 characters and values at most 256 characters")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return ec2err.New(ec2err.InvalidParameterValue, "Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	return nil
}

func (s *Service) editTags(ctx context.Context, resources []string, tags []Tag, dryRun bool, edit func([]Tag) ([]Tag, error)) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if len(resources) == 0 {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ResourceId")
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	for _, id := range resources {
		if _, err := s.resourceTags(ctx, acct, id); err != nil {
			return err
		}
	}
	if dryRun {
		return DryRun()
	}
	for _, id := range resources {
		if err := s.updateTags(ctx, acct, id, edit); err != nil {
			return err
		}
	}
	return nil
}

// resourceKind maps an ID prefix to its store prefix and EC2 resource type.
func resourceKind(id string) (prefix, kind string, ok bool) {
	switch ids.Prefix(id) {
	case ids.Instance:
		return prefixInstance, "instance", true
	case ids.Volume:
		return prefixVolume, "volume", true
	case ids.Snapshot:
		return prefixSnapshot, "snapshot", true
	case ids.Image:
		return prefixImage, "image", true
	case ids.KeyPair:
		return prefixKeyPair, "key-pair", true
	case network.VPCIDPrefix:
		return prefixVPC, "vpc", true
	case network.SubnetIDPrefix:
		return prefixSubnet, "subnet", true
	case SGIDPrefix:
		return prefixSecGroup, "security-group", true
	case SGRuleIDPrefix:
		return kindSGRule, ruleResourceType, true
	case ids.PlacementGroup:
		return prefixPlacementGroup, "placement-group", true
	case ids.NetworkInterface:
		return prefixENI, "network-interface", true
	case ids.RouteTable:
		return prefixRouteTable, "route-table", true
	case ids.NetworkACL:
		return prefixNetworkACL, "network-acl", true
	case ids.LaunchTemplate:
		return prefixLaunchTemplate, "launch-template", true
	}
	return "", "", false
}

func (s *Service) resourceTags(ctx context.Context, acct, id string) ([]Tag, error) {
	prefix, _, ok := resourceKind(id)
	if !ok {
		return nil, ec2err.New(ec2err.InvalidID, "The ID '%s' is not valid", id)
	}
	notFound := ec2err.New(ec2err.InvalidID, "The ID '%s' does not exist", id)
	switch prefix {
	case prefixInstance:
		r, _, err := store.GetJSON[Instance](ctx, s.st, prefix+id)
		if err != nil || r.Owner != acct {
			return nil, notFound
		}
		return r.Tags, nil
	case prefixVolume:
		r, _, err := store.GetJSON[Volume](ctx, s.st, prefix+id)
		if err != nil || r.Owner != acct {
			return nil, notFound
		}
		return r.Tags, nil
	case prefixSnapshot:
		r, _, err := store.GetJSON[Snapshot](ctx, s.st, prefix+id)
		if err != nil || r.Owner != acct {
			return nil, notFound
		}
		return r.Tags, nil
	case prefixImage:
		r, _, err := store.GetJSON[Image](ctx, s.st, prefix+id)
		if err != nil || r.Owner != acct {
			return nil, notFound
		}
		return r.Tags, nil
	case prefixLaunchTemplate:
		r, _, err := store.GetJSON[LaunchTemplate](ctx, s.st, prefix+id)
		if err != nil || r.Owner != acct {
			return nil, notFound
		}
		return r.Tags, nil
	case prefixVPC, prefixSubnet, prefixSecGroup, prefixPlacementGroup, prefixENI, prefixRouteTable, prefixNetworkACL, kindSGRule:
		return s.networkTags(ctx, acct, prefix, id)
	default:
		k, err := s.keyPairByID(ctx, acct, id)
		if err != nil {
			return nil, notFound
		}
		return k.Tags, nil
	}
}

func (s *Service) keyPairByID(ctx context.Context, acct, id string) (KeyPair, error) {
	return findByID(ctx, s.st, prefixKeyPair+acct+"/", id, func(k KeyPair) string { return k.ID })
}

// findByID scans the records under prefix (kept by name, not by ID) for the
// one whose ID is id.
func findByID[T any](ctx context.Context, st store.Store, prefix, id string, idOf func(T) string) (T, error) {
	all, err := store.ListJSON[T](ctx, st, prefix)
	if err != nil {
		var zero T
		return zero, err
	}
	for _, r := range all {
		if idOf(r) == id {
			return r, nil
		}
	}
	var zero T
	return zero, store.ErrNotFound
}

func (s *Service) updateTags(ctx context.Context, acct, id string, edit func([]Tag) ([]Tag, error)) error {
	prefix, _, _ := resourceKind(id)
	var err error
	switch prefix {
	case prefixInstance:
		_, err = update(ctx, s.st, prefix+id, func(r *Instance) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixVolume:
		_, err = update(ctx, s.st, prefix+id, func(r *Volume) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixSnapshot:
		_, err = update(ctx, s.st, prefix+id, func(r *Snapshot) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixImage:
		_, err = update(ctx, s.st, prefix+id, func(r *Image) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixLaunchTemplate:
		_, err = update(ctx, s.st, prefix+id, func(r *LaunchTemplate) (e error) { r.Tags, e = edit(r.Tags); return })
	case prefixVPC, prefixSubnet, prefixSecGroup, prefixPlacementGroup, prefixENI, prefixRouteTable, prefixNetworkACL, kindSGRule:
		return s.updateNetworkTags(ctx, acct, prefix, id, edit)
	default:
		k, kerr := s.keyPairByID(ctx, acct, id)
		if kerr != nil {
			return kerr
		}
		_, err = update(ctx, s.st, keyPairKey(acct, k.Name), func(r *KeyPair) (e error) { r.Tags, e = edit(r.Tags); return })
	}
	return err
}

// DescribeTags lists the caller's tags across resources.
func (s *Service) DescribeTags(ctx context.Context, filters []Filter, p Page) ([]TagDescription, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	var all []TagDescription
	add := func(id, kind string, tags []Tag) {
		for _, t := range tags {
			all = append(all, TagDescription{ResourceID: id, ResourceType: kind, Key: t.Key, Value: t.Value})
		}
	}
	insts, _ := s.instancesBy(ctx, "owner", acct)
	for _, r := range insts {
		if r.Owner == acct {
			add(r.ID, "instance", r.Tags)
		}
	}
	vols, _ := s.volumesOf(ctx, acct)
	for _, r := range vols {
		if r.Owner == acct {
			add(r.ID, "volume", r.Tags)
		}
	}
	snaps, _ := store.ListJSON[Snapshot](ctx, s.st, prefixSnapshot)
	for _, r := range snaps {
		if r.Owner == acct {
			add(r.ID, "snapshot", r.Tags)
		}
	}
	imgs, _ := store.ListJSON[Image](ctx, s.st, prefixImage)
	for _, r := range imgs {
		if r.Owner == acct {
			add(r.ID, "image", r.Tags)
		}
	}
	keys, _ := store.ListJSON[KeyPair](ctx, s.st, prefixKeyPair+acct+"/")
	for _, r := range keys {
		add(r.ID, "key-pair", r.Tags)
	}
	templates, _ := store.ListJSON[LaunchTemplate](ctx, s.st, prefixLaunchTemplate)
	for _, r := range templates {
		if r.Owner == acct {
			add(r.ID, "launch-template", r.Tags)
		}
	}
	all = append(all, s.networkTagDescriptions(ctx, acct)...)
	byKey := map[string]TagDescription{}
	var order []string
	for _, t := range all {
		ok, err := matches(filters, func(n string) ([]string, bool) { return tagDescField(t, n) })
		if err != nil {
			return nil, "", err
		}
		if ok {
			k := t.ResourceID + "\x00" + t.Key
			byKey[k] = t
			order = append(order, k)
		}
	}
	sort.Strings(order)
	page, next, err := paginate(order, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]TagDescription, len(page))
	for i, k := range page {
		out[i] = byKey[k]
	}
	return out, next, nil
}

func tagDescField(t TagDescription, name string) ([]string, bool) {
	switch name {
	case "key":
		return []string{t.Key}, true
	case "value":
		return []string{t.Value}, true
	case "resource-id":
		return []string{t.ResourceID}, true
	case "resource-type":
		return []string{t.ResourceType}, true
	}
	if strings.HasPrefix(name, "tag:") {
		if t.Key == name[4:] {
			return []string{t.Value}, true
		}
		return nil, true
	}
	return nil, false
}
