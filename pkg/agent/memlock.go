package agent

import "github.com/ec2lab/ec2lab/pkg/hypervisor"

// canLockMemory says whether memory-optimized guests get <locked/> memory
// here; hosts that cannot (no CAP_SYS_RESOURCE) still back them with
// hugepages, and the agent says so in its log once.
func (a *Agent) canLockMemory() bool {
	a.memlockOnce.Do(func() {
		ok, why := hypervisor.CanLockMemory()
		a.memlockOK = ok
		if !ok {
			a.log.Warn("memory locking unavailable: hugepage guests run without <locked/>", "reason", why)
		}
	})
	return a.memlockOK
}
