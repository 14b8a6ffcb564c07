package controller

import (
	"fmt"
	"sort"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestDescribeFilters checks the DescribeInstances filters a user reaches
// for: state, zone, type, tags (with wildcards), ANDed names, ORed values.
func TestDescribeFilters(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	web := r.run(t, 2, "lab-1a", Tag{"Name", "web-1"}, Tag{"env", "prod"})
	db := r.run(t, 1, "lab-1b", Tag{"Name", "db"}, Tag{"env", "dev"})
	res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1, AZ: "lab-1b"})
	if err != nil {
		t.Fatal(err)
	}
	nano := res.Instances[0].ID
	r.setState(t, web[0], StateRunning)
	r.setState(t, web[1], StateStopped)
	r.setState(t, db[0], StateRunning)
	cases := []struct {
		name    string
		filters []Filter
		want    []string
		code    string
	}{
		{"state", []Filter{{"instance-state-name", []string{"running"}}}, []string{web[0], db[0]}, ""},
		{"state-or", []Filter{{"instance-state-name", []string{"stopped", "pending"}}}, []string{web[1], nano}, ""},
		{"state-code", []Filter{{"instance-state-code", []string{"80"}}}, []string{web[1]}, ""},
		{"zone", []Filter{{"availability-zone", []string{"lab-1b"}}}, []string{db[0], nano}, ""},
		{"type", []Filter{{"instance-type", []string{"t3.nano"}}}, []string{nano}, ""},
		{"type-wildcard", []Filter{{"instance-type", []string{"lab.*"}}}, []string{web[0], web[1], db[0]}, ""},
		{"tag", []Filter{{"tag:env", []string{"prod"}}}, web, ""},
		{"tag-wildcard", []Filter{{"tag:Name", []string{"web-?"}}}, web, ""},
		{"tag-star", []Filter{{"tag:Name", []string{"*"}}}, []string{web[0], web[1], db[0]}, ""},
		{"tag-key", []Filter{{"tag-key", []string{"env"}}}, []string{web[0], web[1], db[0]}, ""},
		{"tag-value", []Filter{{"tag-value", []string{"dev"}}}, db, ""},
		{"and", []Filter{{"tag:env", []string{"prod"}}, {"instance-state-name", []string{"running"}}}, []string{web[0]}, ""},
		{"no-match", []Filter{{"tag:env", []string{"staging"}}}, nil, ""},
		{"bracket-literal", []Filter{{"tag:Name", []string{"web-[1]"}}}, nil, ""},
		{"unknown-filter", []Filter{{"no-such-filter", []string{"x"}}}, nil, ec2err.InvalidParameterValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _, err := r.svc.DescribeInstances(ctxFor(acct1), nil, c.filters, Page{})
			if code := errCode(err); code != c.code {
				t.Fatalf("error %q (%v), want %q", code, err, c.code)
			}
			if g, w := sortedIDs(got), sorted(c.want); g != w {
				t.Errorf("got %s, want %s", g, w)
			}
		})
	}
}

func sortedIDs(in []Instance) string { return sorted(instanceIDs(in)) }

func sorted(ids []string) string {
	c := append([]string(nil), ids...)
	sort.Strings(c)
	return fmt.Sprint(c)
}

// TestDescribePagination walks pages of 5 over 12 instances and checks
// EC2's MaxResults rules.
func TestDescribePagination(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	all := r.run(t, 12, "")
	var seen []string
	tok, pages := "", 0
	for {
		got, next, err := r.svc.DescribeInstances(ctxFor(acct1), nil, nil, Page{MaxResults: 5, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 5 {
			t.Fatalf("page of %d, max 5", len(got))
		}
		seen = append(seen, instanceIDs(got)...)
		pages++
		if tok = next; tok == "" {
			break
		}
	}
	if pages != 3 || sorted(seen) != sorted(all) || len(seen) != 12 {
		t.Errorf("%d pages, saw %d instances (%v), want 3 pages covering all 12", pages, len(seen), seen)
	}
	errs := []struct {
		name string
		ids  []string
		p    Page
		code string
	}{
		{"too-small", nil, Page{MaxResults: 4}, ec2err.InvalidParameterValue},
		{"too-big", nil, Page{MaxResults: 1001}, ec2err.InvalidParameterValue},
		{"with-ids", all[:1], Page{MaxResults: 5}, ec2err.InvalidParameterCombination},
		{"bad-token", nil, Page{MaxResults: 5, NextToken: "%%%"}, ec2err.InvalidParameterValue},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := r.svc.DescribeInstances(ctxFor(acct1), c.ids, nil, c.p)
			if got := errCode(err); got != c.code {
				t.Errorf("%q (%v), want %q", got, err, c.code)
			}
		})
	}
}
