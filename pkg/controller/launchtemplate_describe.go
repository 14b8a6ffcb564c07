package controller

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// templateTimeLayout is how a create-time filter value reads a time (EC2's XML
// form, so that "2026-11-26T*" matches).
const templateTimeLayout = "2006-01-02T15:04:05.000Z"

// checkTemplatePage enforces MaxResults 1-200 (both Describe calls).
func checkTemplatePage(p Page) error {
	if p.MaxResults != 0 && (p.MaxResults < 1 || p.MaxResults > 200) {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value ( %d ) for parameter maxResults is invalid. Expecting a value between 1 and 200.", p.MaxResults)
	}
	return nil
}

// DescribeLaunchTemplates lists the caller's templates, by ID or name
// (each must exist) and filters (create-time, launch-template-name,
// tag:<key>, tag-key, tag-value), in pages of MaxResults.
func (s *Service) DescribeLaunchTemplates(ctx context.Context, idList, names []string, filters []Filter, p Page) ([]LaunchTemplate, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkTemplatePage(p); err != nil {
		return nil, "", err
	}
	want, err := s.templateIDs(ctx, acct, idList, names)
	if err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[LaunchTemplate](ctx, s.st, prefixLaunchTemplate)
	if err != nil {
		return nil, "", err
	}
	return selectPage(all, selection[LaunchTemplate]{IDs: want, Filters: filters, Page: p,
		ID:       func(t LaunchTemplate) string { return t.ID },
		Field:    templateField,
		Keep:     func(t LaunchTemplate) bool { return t.Owner == acct },
		NotFound: templateIDNotFound})
}

// templateIDs checks the IDs asked for and adds those of the names.
func (s *Service) templateIDs(ctx context.Context, acct string, idList, names []string) ([]string, error) {
	out := append([]string{}, idList...)
	for _, id := range idList {
		if !ids.Valid(ids.LaunchTemplate, id) {
			return nil, ec2err.New(ec2err.InvalidLaunchTemplateIDMalformed,
				"The specified ID for the launch template, %s, is malformed (expecting \"lt-\" and 17 hexadecimal digits).", id)
		}
	}
	for _, n := range names {
		id, _, err := store.GetJSON[string](ctx, s.st, ltNameKey(acct, n))
		if err != nil {
			return nil, ec2err.New(ec2err.InvalidLaunchTemplateNameNotFound,
				"At least one of the launch templates specified in the request does not exist (%s).", n)
		}
		out = append(out, id)
	}
	return out, nil
}

func templateField(t LaunchTemplate, name string) ([]string, bool) {
	switch name {
	case "create-time":
		return []string{t.CreateTime.UTC().Format(templateTimeLayout)}, true
	case "launch-template-name":
		return []string{t.Name}, true
	}
	return tagField(t.Tags, name)
}

// DescribeVersionsRequest is DescribeLaunchTemplateVersions' input.
type DescribeVersionsRequest struct {
	TemplateID, TemplateName string
	// Versions are numbers, $Latest or $Default; without a template, only
	// $Latest and $Default (of each of the caller's templates).
	Versions               []string
	MinVersion, MaxVersion string
	Filters                []Filter
	Page                   Page
}

// DescribeLaunchTemplateVersions lists versions, newest first: those
// named, those of one template between MinVersion and MaxVersion
// (inclusive), or the $Latest and $Default versions of every template.
func (s *Service) DescribeLaunchTemplateVersions(ctx context.Context, req DescribeVersionsRequest) ([]LaunchTemplateVersion, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkTemplatePage(req.Page); err != nil {
		return nil, "", err
	}
	var vs []LaunchTemplateVersion
	if req.TemplateID == "" && req.TemplateName == "" {
		vs, err = s.aliasVersions(ctx, acct, req)
	} else {
		vs, err = s.versionsOfTemplate(ctx, acct, req)
	}
	if err != nil {
		return nil, "", err
	}
	return pageOfVersions(vs, req.Filters, req.Page)
}

// aliasVersions are the $Latest and/or $Default versions of each of the
// caller's templates.
func (s *Service) aliasVersions(ctx context.Context, acct string, req DescribeVersionsRequest) ([]LaunchTemplateVersion, error) {
	const usage = "To describe the versions of all your launch templates give Versions $Latest, $Default or both and no launch template; for one template give its ID or name."
	if len(req.Versions) == 0 {
		return nil, ec2err.New(ec2err.MissingParameter, "%s", usage)
	}
	for _, v := range req.Versions {
		if l := strings.ToLower(v); l != "$latest" && l != "$default" {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "%s", usage)
		}
	}
	if req.MinVersion != "" || req.MaxVersion != "" {
		return nil, ec2err.New(ec2err.InvalidParameterCombination, "MinVersion and MaxVersion need a launch template ID or name.")
	}
	all, err := store.ListJSON[LaunchTemplate](ctx, s.st, prefixLaunchTemplate)
	if err != nil {
		return nil, err
	}
	var out []LaunchTemplateVersion
	for _, t := range all {
		if t.Owner != acct {
			continue
		}
		vs, err := s.namedVersions(ctx, t, req.Versions)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// versionsOfTemplate are the versions of one template: those named, or
// those between MinVersion and MaxVersion.
func (s *Service) versionsOfTemplate(ctx context.Context, acct string, req DescribeVersionsRequest) ([]LaunchTemplateVersion, error) {
	t, _, err := s.ownTemplate(ctx, acct, req.TemplateID, req.TemplateName)
	if err != nil {
		return nil, err
	}
	if len(req.Versions) > 0 {
		if req.MinVersion != "" || req.MaxVersion != "" {
			return nil, ec2err.New(ec2err.InvalidParameterCombination, "Versions cannot be combined with MinVersion or MaxVersion.")
		}
		return s.namedVersions(ctx, t, req.Versions)
	}
	lo, err := boundVersion(t, req.MinVersion, 1)
	if err != nil {
		return nil, err
	}
	hi, err := boundVersion(t, req.MaxVersion, t.LastNumber)
	if err != nil {
		return nil, err
	}
	all, err := store.ListJSON[LaunchTemplateVersion](ctx, s.st, prefixLTVersion+t.ID+"/")
	if err != nil {
		return nil, err
	}
	var out []LaunchTemplateVersion
	for _, v := range all {
		if v.Number >= lo && v.Number <= hi {
			v.Template = t
			out = append(out, v)
		}
	}
	return out, nil
}

// namedVersions reads the versions named (each must exist), once each.
func (s *Service) namedVersions(ctx context.Context, t LaunchTemplate, names []string) ([]LaunchTemplateVersion, error) {
	var out []LaunchTemplateVersion
	seen := map[int64]bool{}
	for _, name := range names {
		v, _, err := s.templateVersion(ctx, t, name)
		if err != nil {
			return nil, err
		}
		if !seen[v.Number] {
			seen[v.Number] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// boundVersion reads MinVersion or MaxVersion (def when empty).
func boundVersion(t LaunchTemplate, v string, def int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	return versionNumber(t, v)
}

// pageOfVersions filters versions and returns one page, by template and
// newest version first.
func pageOfVersions(vs []LaunchTemplateVersion, filters []Filter, p Page) ([]LaunchTemplateVersion, string, error) {
	var kept []LaunchTemplateVersion
	for _, v := range vs {
		ok, err := matches(filters, func(n string) ([]string, bool) { return versionField(v, n) })
		if err != nil {
			return nil, "", err
		}
		if ok {
			kept = append(kept, v)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		a, b := kept[i], kept[j]
		if a.TemplateID != b.TemplateID {
			return a.TemplateID < b.TemplateID
		}
		return a.Number > b.Number
	})
	order := make([]string, len(kept))
	for i, v := range kept {
		order[i] = fmt.Sprintf("%s/%d", v.TemplateID, v.Number)
	}
	start, stop, next, err := pageBounds(order, p)
	if err != nil {
		return nil, "", err
	}
	return kept[start:stop], next, nil
}

// versionField answers DescribeLaunchTemplateVersions' filters. Members
// ec2lab refuses in a template (IAM profiles, kernels, RAM disks, licences,
// host resource groups) are never set, so their filters match nothing.
func versionField(v LaunchTemplateVersion, name string) ([]string, bool) {
	d := v.Data
	switch name {
	case "create-time":
		return []string{v.CreateTime.UTC().Format(templateTimeLayout)}, true
	case "is-default-version":
		return []string{strconv.FormatBool(v.IsDefault())}, true
	case "image-id":
		return nonEmpty(d.ImageID), true
	case "instance-type":
		return nonEmpty(d.InstanceType), true
	case "ebs-optimized":
		return boolValues(d.EBSOptimized), true
	case "http-endpoint", "http-tokens":
		return metadataFilter(d.MetadataOptions, name), true
	case "network-card-index":
		var out []string
		for _, ni := range d.NetworkInterfaces {
			if ni.NetworkCardIndex != nil {
				out = append(out, strconv.Itoa(int(*ni.NetworkCardIndex)))
			}
		}
		return out, true
	case "iam-instance-profile", "kernel-id", "ram-disk-id", "license-configuration-arn", "host-resource-group-arn":
		return nil, true
	}
	return nil, false
}

func boolValues(b *bool) []string {
	if b == nil {
		return nil
	}
	return []string{strconv.FormatBool(*b)}
}

func metadataFilter(m *TemplateMetadataOptions, name string) []string {
	if m == nil {
		return nil
	}
	if name == "http-endpoint" {
		return nonEmpty(m.HTTPEndpoint)
	}
	return nonEmpty(m.HTTPTokens)
}
