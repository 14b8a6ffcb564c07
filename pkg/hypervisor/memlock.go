package hypervisor

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// CanLockMemory reports whether guests on this host can have their memory
// locked: QEMU's RLIMIT_MEMLOCK must be raisable to unlimited, which needs
// CAP_SYS_RESOURCE (containers often drop it) unless the limit already is.
func CanLockMemory() (bool, string) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil {
		return false, "getrlimit MEMLOCK: " + err.Error()
	}
	if lim.Max == unix.RLIM_INFINITY {
		return true, "RLIMIT_MEMLOCK is unlimited"
	}
	var data unix.CapUserData
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_1}
	if err := unix.Capget(&hdr, &data); err != nil {
		if errors.Is(err, syscall.EPERM) {
			return false, "capget not permitted"
		}
		return false, "capget: " + err.Error()
	}
	if data.Effective&(1<<unix.CAP_SYS_RESOURCE) != 0 {
		return true, "CAP_SYS_RESOURCE held"
	}
	return false, "no CAP_SYS_RESOURCE and RLIMIT_MEMLOCK is limited: guest memory cannot be locked on this host"
}
