package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
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

// DeleteTags removes tags; a tag given with an empty value goes whatever
// its value. Without tags it removes every user-defined tag, keeping those
// AWS made (aws: keys, such as aws:autoscaling:groupName), as EC2 does.
func (s *Service) DeleteTags(ctx context.Context, resources []string, tags []Tag, dryRun bool) error {
	return s.editTags(ctx, resources, tags, dryRun, func(have []Tag) ([]Tag, error) {
		if len(tags) == 0 {
			var kept []Tag
			for _, h := range have {
				if strings.HasPrefix(h.Key, "aws:") {
					kept = append(kept, h)
				}
			}
			return kept, nil
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

// tagTarget is how CreateTags, DeleteTags and DescribeTags reach one kind
// of resource. Each kind registers its own (hooks.tagTarget), under the
// prefix of its IDs; the kinds are in registration order.
type tagTarget struct {
	idPrefix string // as ids.Prefix gives it: "vol"
	kind     string // the EC2 resource type: "volume"
	// get returns the tags of the caller's resource id; any error means it
	// does not exist, for the caller.
	get func(ctx context.Context, acct, id string) ([]Tag, error)
	// edit applies fn to the tags of a resource that get found.
	edit func(ctx context.Context, acct, id string, fn func([]Tag) ([]Tag, error)) error
	// describe lists the tags of the caller's resources of the kind; nil
	// where another kind's describe lists them (a group lists its rules').
	describe func(ctx context.Context, acct string) []TagDescription
}

// describeTags appends to out the tags of one resource of t's kind.
func (t tagTarget) describeTags(out []TagDescription, id string, tags []Tag) []TagDescription {
	return append(out, tagDescriptions(id, t.kind, tags)...)
}

// tagDescriptions lists one resource's tags as DescribeTags gives them.
func tagDescriptions(id, kind string, tags []Tag) []TagDescription {
	var out []TagDescription
	for _, t := range tags {
		out = append(out, TagDescription{ResourceID: id, ResourceType: kind, Key: t.Key, Value: t.Value})
	}
	return out
}

// recordTags is the tag target of a kind kept as one record per ID under
// prefix; fields gives a record's ID, owner and tags.
func recordTags[T any](s *Service, idPrefix, kind, prefix string, fields func(*T) (id, owner string, tags *[]Tag)) tagTarget {
	t := tagTarget{idPrefix: idPrefix, kind: kind}
	t.get = func(ctx context.Context, acct, id string) ([]Tag, error) {
		r, _, err := store.GetJSON[T](ctx, s.st, prefix+id)
		if err != nil {
			return nil, err
		}
		if _, owner, tags := fields(&r); owner == acct {
			return *tags, nil
		}
		return nil, store.ErrNotFound
	}
	t.edit = func(ctx context.Context, acct, id string, fn func([]Tag) ([]Tag, error)) error {
		_, err := update(ctx, s.st, prefix+id, func(r *T) (e error) {
			_, _, tags := fields(r)
			*tags, e = fn(*tags)
			return
		})
		return err
	}
	t.describe = func(ctx context.Context, acct string) []TagDescription {
		all, _ := store.ListJSON[T](ctx, s.st, prefix)
		var out []TagDescription
		for i := range all {
			if id, owner, tags := fields(&all[i]); owner == acct {
				out = t.describeTags(out, id, *tags)
			}
		}
		return out
	}
	return t
}

// wrapTagErrors has t's edit name the resource in its errors.
func wrapTagErrors(t tagTarget) tagTarget {
	edit := t.edit
	t.edit = func(ctx context.Context, acct, id string, fn func([]Tag) ([]Tag, error)) error {
		if err := edit(ctx, acct, id, fn); err != nil {
			return fmt.Errorf("tag %s: %w", id, err)
		}
		return nil
	}
	return t
}

// tagTargetOf returns the tag target of the kind id belongs to.
func (s *Service) tagTargetOf(id string) (tagTarget, bool) {
	p := ids.Prefix(id)
	for _, t := range s.hooks.tagTargets {
		if t.idPrefix == p {
			return t, true
		}
	}
	return tagTarget{}, false
}

func (s *Service) resourceTags(ctx context.Context, acct, id string) ([]Tag, error) {
	t, ok := s.tagTargetOf(id)
	if !ok {
		return nil, ec2err.New(ec2err.InvalidID, "The ID '%s' is not valid", id)
	}
	tags, err := t.get(ctx, acct, id)
	if err != nil {
		return nil, ec2err.New(ec2err.InvalidID, "The ID '%s' does not exist", id)
	}
	return tags, nil
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
	t, ok := s.tagTargetOf(id)
	if !ok {
		return ec2err.New(ec2err.InvalidID, "The ID '%s' is not valid", id)
	}
	return t.edit(ctx, acct, id, edit)
}

// DescribeTags lists the caller's tags across resources.
func (s *Service) DescribeTags(ctx context.Context, filters []Filter, p Page) ([]TagDescription, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	var all []TagDescription
	for _, t := range s.hooks.tagTargets {
		if t.describe != nil {
			all = append(all, t.describe(ctx, acct)...)
		}
	}
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
