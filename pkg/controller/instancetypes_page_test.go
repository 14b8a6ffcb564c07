package controller

import (
	"slices"
	"testing"
)

// TestDescribeInstanceTypesPages: MaxResults pages through the catalog in
// its order, each type once; EC2's bounds and combination rules hold.
func TestDescribeInstanceTypesPages(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	all, next, err := r.svc.InstanceTypes(ctx, nil, nil, Page{})
	if err != nil || next != "" || len(all) < 10 {
		t.Fatalf("all types: %d, next %q, %v", len(all), next, err)
	}
	var paged []string
	token := ""
	for pages := 1; ; pages++ {
		page, next, err := r.svc.InstanceTypes(ctx, nil, nil, Page{MaxResults: 5, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 5 || (next != "" && len(page) != 5) {
			t.Fatalf("page %d has %d types, next %q", pages, len(page), next)
		}
		for _, ty := range page {
			paged = append(paged, ty.Name)
		}
		if next == "" {
			break
		}
		token = next
	}
	var want []string
	for _, ty := range all {
		want = append(want, ty.Name)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("paged %v\nwant  %v", paged, want)
	}
	for _, tt := range []struct {
		name  string
		names []string
		p     Page
		code  string
	}{
		{"too small", nil, Page{MaxResults: 3}, "InvalidParameterValue"},
		{"too large", nil, Page{MaxResults: 101}, "InvalidParameterValue"},
		{"bad token", nil, Page{MaxResults: 5, NextToken: "bm90LWEtdHlwZQ"}, "InvalidParameterValue"},
		{"names and MaxResults", []string{"t3.nano"}, Page{MaxResults: 5}, "InvalidParameterCombination"},
	} {
		if _, _, err := r.svc.InstanceTypes(ctx, tt.names, nil, tt.p); errCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}
