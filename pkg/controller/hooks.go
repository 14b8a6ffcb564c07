package controller

import "context"

// The core (the reconciler in reconcile.go, the garbage collector in gc.go,
// the tag actions in tags.go) never names a resource: each resource registers its hooks once, from New,
// and the core runs whatever was registered, in registration order.

// sweep is one step of the reconciler's pass, over one kind of resource.
type sweep struct {
	name string
	// run does the step; an error ends the pass, with a log line.
	run func(ctx context.Context) error
}

// collector is one part of a garbage-collector run. It puts in seen the key
// of every unowned thing it found (the keys it gives graceOver), so that
// whatever is not in seen at the end has its grace clock dropped.
type collector struct {
	name string
	run  func(ctx context.Context, seen map[string]bool)
}

// hooks are what the resources registered. They are filled in New and only
// read afterwards, so they need no lock.
type hooks struct {
	sweeps     []sweep
	collectors []collector
	tagTargets []tagTarget
}

// sweep registers a step of the reconciler's pass that never ends it.
func (h *hooks) sweep(name string, run func(context.Context)) {
	h.sweeps = append(h.sweeps, sweep{name: name, run: func(ctx context.Context) error {
		run(ctx)
		return nil
	}})
}

// gate registers a step of the reconciler's pass whose error ends it: the
// later steps would act on records the step could not read.
func (h *hooks) gate(name string, run func(context.Context) error) {
	h.sweeps = append(h.sweeps, sweep{name: name, run: run})
}

// collector registers a part of the garbage collector's run.
func (h *hooks) collector(name string, run func(context.Context, map[string]bool)) {
	h.collectors = append(h.collectors, collector{name: name, run: run})
}

// tags registers how tags reach a kind of resource (tags.go).
func (h *hooks) tags(t tagTarget) {
	for _, have := range h.tagTargets {
		if have.idPrefix == t.idPrefix {
			panic("controller: two tag targets for IDs " + t.idPrefix + "-")
		}
	}
	h.tagTargets = append(h.tagTargets, t)
}

// register has every resource register its hooks. Its order is the order
// of the reconciler's pass and of the garbage collector's parts; keep it
// (it is the order the reconciler always had), and mind where it matters:
//   - hosts come first, so a host whose heartbeats stopped is marked
//     unhealthy, and its instances impaired, before the rest of the pass;
//   - instances come next and gate the pass: when the instance records
//     cannot be read, nothing after them runs;
//   - the garbage collector runs after every sweep that makes records or
//     files, and the compactor after it (the file collector removes what
//     the compactor merged, in a later run);
//   - Auto Scaling groups come after the instances they follow and
//     launch, so a pass sees the states the instance sweep just moved;
//   - the private address claims come after the NAT gateways, whose
//     sweep finishes their deletions (and releases their claims);
//   - the collectors run domains, pool files, then image tombstones;
//   - the order of tag targets does not matter (DescribeTags sorts).
func (s *Service) register() {
	for _, r := range []func(*hooks){
		s.hostHooks,
		s.instanceHooks,
		s.volumeHooks,
		s.poolFileHooks,
		s.snapshotHooks,
		s.imageHooks,
		s.imageCopyHooks,
		s.networkHooks,
		s.networkTagHooks,
		s.dhcpOptionsHooks,
		s.addressHooks,
		s.natGatewayHooks,
		s.privateIPClaimHooks,
		s.publicIPHooks,
		s.keyPairHooks,
		s.launchTemplateHooks,
		s.asgHooks,
		s.garbageCollectorHooks,
		s.compactorHooks,
	} {
		r(&s.hooks)
	}
}
