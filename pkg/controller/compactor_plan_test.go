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
		{"pinned chain is left alone",
			chainView{Chains: chains("head", "s1"), Heads: []string{"head"}, Pinned: fileSet("head", "s5", "s4", "s3", "s2", "s1")}, 16, nil},
		{"running instance: hidden layers merged into its head",
			chainView{Chains: chains("head", "s1"), Heads: []string{"head"}, Open: fileSet("s5", "s4", "s3", "s2", "s1")}, 16,
			[]mergeStep{{Child: "head", NewBacking: "s1", Skip: []string{"s5", "s4", "s3", "s2"}, Reason: "hidden"}}},
		{"running instance: an open named layer is never rewritten",
			chainView{Chains: chains("head", "s5", "s1"), Heads: []string{"head"}, Open: fileSet("s5", "s4", "s3", "s2", "s1")}, 16, nil},
		{"running instance: only the run under the head is merged",
			chainView{Chains: chains("head", "s4", "s2", "s1"), Heads: []string{"head"}, Open: fileSet("s5", "s4", "s3", "s2", "s1")}, 16,
			[]mergeStep{{Child: "head", NewBacking: "s4", Skip: []string{"s5"}, Reason: "hidden"}}},
		{"running instance over the depth limit: head rebased deeper",
			chainView{Chains: chains("head", "s5", "s4", "s3", "s2", "s1"), Heads: []string{"head"}, Open: fileSet("s5", "s4", "s3", "s2", "s1")}, 4,
			[]mergeStep{{Child: "head", NewBacking: "s3", Skip: []string{"s5", "s4"}, Reason: "depth"}}},
		{"running instance over the depth limit, hidden layer under an open one: head rebased onto it",
			chainView{Chains: map[string][]string{"a": {"a", "n", "h", "b"}, "n": {"n", "h", "b"}, "b": {"b"}}, Heads: []string{"a"}, Open: fileSet("n", "h", "b")}, 3,
			[]mergeStep{{Child: "a", NewBacking: "h", Skip: []string{"n"}, Reason: "depth"}}},
		{"hidden layer with two children waits for the depth limit",
			chainView{Chains: map[string][]string{"a": {"a", "h", "b"}, "x": {"x", "h", "b"}, "b": {"b"}}, Heads: []string{"a", "x"}}, 16, nil},
		{"over the depth limit: hidden layer merged into all its children",
			chainView{Chains: map[string][]string{"a": {"a", "h", "b"}, "x": {"x", "h", "b"}, "b": {"b"}}, Heads: []string{"a", "x"}}, 2,
			[]mergeStep{{Child: "a", NewBacking: "b", Skip: []string{"h"}, Reason: "depth"},
				{Child: "x", NewBacking: "b", Skip: []string{"h"}, Reason: "depth"}}},
		{"over the depth limit with only named layers: head rebased deeper",
			chainView{Chains: chains("head", "s5", "s4", "s3", "s2", "s1"), Heads: []string{"head"}}, 4,
			[]mergeStep{{Child: "head", NewBacking: "s3", Skip: []string{"s5", "s4"}, Reason: "depth"}}},
		{"over the depth limit but pinned", chainView{Chains: chains("head", "s5", "s4", "s3", "s2", "s1"), Heads: []string{"head"},
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

func fileSet(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}
