package controller

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// TestRecordCacheAddresses: the per-subnet address index follows every
// commit (launch, stop keeps the address, terminate and delete free it, a
// move to another subnet) and agrees with a cache reloaded from the store.
func TestRecordCacheAddresses(t *testing.T) {
	c, s, _ := openCache(t)
	ctx := context.Background()
	set := func(id string, edit func(*Instance)) {
		if _, err := update(ctx, c, prefixInstance+id, func(in *Instance) error { edit(in); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	held := func(cache *recordCache, subnet string) []string {
		var out []string
		b := cache.addrs.bySubnet[subnet]
		for a := netip.MustParseAddr("10.0.0.0"); a.Compare(netip.MustParseAddr("10.0.1.255")) <= 0; a = a.Next() {
			if b.Has(a) {
				out = append(out, a.String())
			}
		}
		return out
	}
	steps := []struct {
		name   string
		do     func()
		s1, s2 []string
	}{
		{"launch", func() {
			putInstance(t, c, Instance{ID: "i-1", SubnetID: "subnet-1", PrivateIP: "10.0.0.4", State: StatePending}, 0)
			putInstance(t, c, Instance{ID: "i-2", SubnetID: "subnet-1", PrivateIP: "10.0.0.5", State: StatePending}, 0)
			putInstance(t, c, Instance{ID: "i-3", SubnetID: "subnet-2", PrivateIP: "10.0.1.4", State: StatePending}, 0)
		}, []string{"10.0.0.4", "10.0.0.5"}, []string{"10.0.1.4"}},
		{"stopped keeps it", func() { set("i-1", func(in *Instance) { in.State = StateStopped }) },
			[]string{"10.0.0.4", "10.0.0.5"}, []string{"10.0.1.4"}},
		{"terminated frees it", func() { set("i-2", func(in *Instance) { in.State = StateTerminated }) },
			[]string{"10.0.0.4"}, []string{"10.0.1.4"}},
		{"deleted frees it", func() {
			if _, err := c.Txn(ctx, store.Op{Key: prefixInstance + "i-3", Delete: true, ExpectRevision: store.AnyRevision}); err != nil {
				t.Fatal(err)
			}
		}, []string{"10.0.0.4"}, nil},
		{"moved to another subnet", func() {
			set("i-1", func(in *Instance) { in.SubnetID, in.PrivateIP = "subnet-2", "10.0.1.9" })
		}, nil, []string{"10.0.1.9"}},
	}
	for _, st := range steps {
		st.do()
		got1, got2 := held(c, "subnet-1"), held(c, "subnet-2")
		if !slices.Equal(got1, st.s1) || !slices.Equal(got2, st.s2) {
			t.Errorf("%s: subnet-1 %v subnet-2 %v; want %v and %v", st.name, got1, got2, st.s1, st.s2)
		}
	}
	reloaded, err := newRecordCache(ctx, c.Store, c.use.of)
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range []string{"subnet-1", "subnet-2"} {
		if got, want := held(c, sn), held(reloaded, sn); !slices.Equal(got, want) {
			t.Errorf("%s: live index %v, reloaded %v", sn, got, want)
		}
	}
	copyOf, err := s.subnetAddresses(ctx, "subnet-2")
	if err != nil {
		t.Fatal(err)
	}
	set("i-1", func(in *Instance) { in.State = StateTerminated })
	if !copyOf.Has(netip.MustParseAddr("10.0.1.9")) {
		t.Errorf("a copy handed out changed with the index")
	}
}
