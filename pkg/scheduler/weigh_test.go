package scheduler

import (
	"errors"
	"testing"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestWeighers(t *testing.T) {
	const gib = 1024
	runPlaceCases(t, []placeCase{
		{name: "spread picks least loaded", req: one(typ("t3.micro")),
			hosts: []Host{host("h1", "a", 8, 32*gib, used(16, 8*gib)), host("h2", "a", 8, 32*gib, used(4, 8*gib)), host("h3", "a", 8, 32*gib, used(8, 8*gib))},
			want:  []string{"h2"}},
		{name: "spread uses dominant share (memory)", req: one(typ("t3.micro")),
			hosts: []Host{host("h1", "a", 8, 32*gib, used(1, 24*gib)), host("h2", "a", 8, 32*gib, used(16, 4*gib))},
			want:  []string{"h2"}}, // h1 mem 75%, h2 cpu 50%
		{name: "spread shares are relative to host size", req: one(typ("t3.micro")),
			hosts: []Host{host("small", "a", 4, 8*gib, used(8, 2*gib)), host("big", "a", 64, 256*gib, used(64, 64*gib))},
			want:  []string{"big"}}, // 50% vs 25%
		{name: "pack picks most loaded that fits", req: one(typ("m5.large")),
			pol:   Policy{Strategy: StrategyPack},
			hosts: []Host{host("h1", "a", 8, 32*gib, used(4, 4*gib)), host("h2", "a", 8, 32*gib, used(4, 28*gib)), host("h3", "a", 8, 32*gib, used(8, 16*gib))},
			want:  []string{"h3"}}, // h2 is fuller but 28+8 > 32 GiB
		{name: "pack fills one host before the next", req: Request{Type: typ("m5.large"), MinCount: 3, MaxCount: 3},
			pol:   Policy{Strategy: StrategyPack},
			hosts: []Host{host("h1", "a", 8, 32*gib), host("h2", "a", 8, 32*gib)},
			want:  []string{"h1", "h1", "h1"}},
		{name: "spread alternates hosts within a request", req: Request{Type: typ("m5.large"), MinCount: 4, MaxCount: 4},
			hosts: []Host{host("h1", "a", 8, 32*gib), host("h2", "a", 8, 32*gib)},
			want:  []string{"h1", "h2", "h1", "h2"}},
		{name: "tie goes to least recently placed", req: one(typ("t3.micro")),
			hosts: []Host{host("h1", "a", 8, 32*gib, lastPlaced(30)), host("h2", "a", 8, 32*gib, lastPlaced(10)), host("h3", "a", 8, 32*gib, lastPlaced(20))},
			want:  []string{"h2"}},
		{name: "full tie goes to smaller host ID", req: one(typ("t3.micro")),
			hosts: []Host{host("h9", "a", 8, 32*gib), host("h1", "a", 8, 32*gib)},
			want:  []string{"h1"}},
		{name: "placing makes a host most recent", req: Request{Type: typ("t3.nano"), MinCount: 3, MaxCount: 3},
			pol:   Policy{CPUOvercommit: 100, MemoryOvercommit: 100},
			hosts: []Host{host("h1", "a", 1000, 1<<30, lastPlaced(5)), host("h2", "a", 1000, 1<<30, lastPlaced(1)), host("h3", "a", 1000, 1<<30, lastPlaced(3))},
			want:  []string{"h2", "h3", "h1"}}, // after h2 takes load, h3 (older) beats h1 at equal load
	})
}

func TestLRUAfterPlacementWithEqualLoad(t *testing.T) {
	// Loads are equal before and after (no share moves at this scale), so
	// only LastPlaced orders the hosts: each placement moves its host last.
	hosts := []Host{host("h1", "a", 1, 1, lastPlaced(5)), host("h2", "a", 1, 1, lastPlaced(1))}
	s := newSim(hosts, one(typ("t3.nano")), DefaultPolicy())
	a := cand{idx: 0, host: &hosts[0]}
	b := cand{idx: 1, host: &hosts[1]}
	if !s.better(&b, &a) {
		t.Fatal("older LastPlaced should win the tie")
	}
	h := s.touch(1)
	s.stamp++
	h.LastPlaced = s.stamp
	b.host = h
	if !s.better(&a, &b) {
		t.Fatal("host placed last should lose the tie")
	}
}
