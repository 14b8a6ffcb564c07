package controller

import (
	"reflect"
	"testing"
)

func TestPlanCompaction(t *testing.T) {
	// A volume after 5 snapshots: head → s5 → s4 → s3 → s2 → s1.
	full := []string{"head", "s5", "s4", "s3", "s2", "s1"}
	chains := func(names ...string) map[string][]string {
		m := map[string][]string{}
		for _, n := range names {
			for i, f := range full {
				if f == n {
					m[n] = full[i:]
				}
			}
		}
		return m
	}
	tests := []struct {
		name  string
		view  chainView
		depth int
		want  []mergeStep
	}{
		{"nothing hidden", chainView{Chains: chains("head", "s5", "s4", "s3", "s2", "s1"), Heads: []string{"head"}}, 16, nil},
		{"snapshots 2 and 3 deleted: one merge into s4",
			chainView{Chains: chains("head", "s5", "s4", "s1"), Heads: []string{"head"}}, 16,
			[]mergeStep{{Child: "s4", NewBacking: "s1", Skip: []string{"s3", "s2"}, Reason: "hidden"}}},
		{"separate hidden layers: one merge each",
			chainView{Chains: chains("head", "s4", "s2"), Heads: []string{"head"}}, 16,
			[]mergeStep{{Child: "head", NewBacking: "s4", Skip: []string{"s5"}, Reason: "hidden"},
				{Child: "s4", NewBacking: "s2", Skip: []string{"s3"}, Reason: "hidden"}}},
		{"hidden base is kept", chainView{Chains: chains("head", "s2"), Heads: []string{"head"}}, 16,
			[]mergeStep{{Child: "head", NewBacking: "s2", Skip: []string{"s5", "s4", "s3"}, Reason: "hidden"}}},
		{"live chain is left alone",
			chainView{Chains: chains("head", "s1"), Heads: []string{"head"}, Pinned: map[string]bool{"head": true, "s5": true, "s4": true, "s3": true, "s2": true, "s1": true}}, 16, nil},
		{"hidden layer with two children waits for the depth limit",
			chainView{Chains: map[string][]string{"a": {"a", "h", "b"}, "x": {"x", "h", "b"}, "b": {"b"}}, Heads: []string{"a", "x"}}, 16, nil},
		{"over the depth limit: hidden layer merged into all its children",
			chainView{Chains: map[string][]string{"a": {"a", "h", "b"}, "x": {"x", "h", "b"}, "b": {"b"}}, Heads: []string{"a", "x"}}, 2,
			[]mergeStep{{Child: "a", NewBacking: "b", Skip: []string{"h"}, Reason: "depth"},
				{Child: "x", NewBacking: "b", Skip: []string{"h"}, Reason: "depth"}}},
		{"over the depth limit with only named layers: head rebased deeper",
			chainView{Chains: chains("head", "s5", "s4", "s3", "s2", "s1"), Heads: []string{"head"}}, 4,
			[]mergeStep{{Child: "head", NewBacking: "s3", Skip: []string{"s5", "s4"}, Reason: "depth"}}},
		{"over the depth limit but live", chainView{Chains: chains("head", "s5", "s4", "s3", "s2", "s1"), Heads: []string{"head"},
			Pinned: map[string]bool{"head": true}}, 4, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := planCompaction(tc.view, tc.depth)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("plan:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
