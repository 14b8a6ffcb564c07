package agent

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

const (
	hugeID       = "i-0b16e0000000000a1"
	hugeGuestMiB = 256
	hugePageKiB  = 2048
	hugeMount    = "/dev/hugepages"
)

// TestAgentHugepagesInstance boots a memory-optimized (r*/x*-style) guest
// backed by 2 MiB hugepages on the real libvirtd: the domain XML locks its
// memory in hugepages, the host's free hugepages drop by the guest's size
// while it runs and come back after destroy, and Inventory reports them.
func TestAgentHugepagesInstance(t *testing.T) {
	h := newHarness(t)
	guestPages := int64(hugeGuestMiB * 1024 / hugePageKiB)
	reserveHugepages(t, guestPages+16)
	requireHugetlbfs(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	freeBefore := meminfo("HugePages_Free")
	inv, err := h.client.GetInventory(ctx, &agentv1.GetInventoryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.HugepagesTotal != meminfo("HugePages_Total") || inv.HugepagesFree != freeBefore {
		t.Errorf("Inventory hugepages total/free = %d/%d, /proc/meminfo says %d/%d",
			inv.HugepagesTotal, inv.HugepagesFree, meminfo("HugePages_Total"), freeBefore)
	}

	h.copyRoot(t, "vol-huge.qcow2")
	req := h.createRequest(hugeID, "vol-huge.qcow2")
	req.InstanceType, req.MemoryMib, req.Hugepages, req.Start = "r5.large", hugeGuestMiB, true, true
	if _, err := h.client.CreateInstance(ctx, req); err != nil {
		if strings.Contains(err.Error(), "hugetlbfs filesystem is not mounted") {
			hvtest.Unavailable(t, "libvirtd knows no hugetlbfs mount although %s is mounted now: libvirtd looks for "+
				"hugetlbfs mounts only when it starts (or qemu.conf hugetlbfs_mount disables them); restart libvirtd "+
				"(scripts/install-host-deps.sh should mount hugetlbfs before starting it): %v", hugeMount, err)
		}
		t.Fatalf("CreateInstance with hugepages: %v", err)
	}
	checkHugepagesXML(ctx, t, h)
	hvtest.WaitFile(t, h.agent.consolePath(hugeID), 0, "instance-id="+hugeID+" boot=1", 90*time.Second)

	freeRunning := meminfo("HugePages_Free")
	if used := freeBefore - freeRunning; used != guestPages {
		t.Errorf("HugePages_Free dropped by %d pages while the guest runs (%d → %d), want %d (%d MiB)",
			used, freeBefore, freeRunning, guestPages, hugeGuestMiB)
	}
	if inv, err := h.client.GetInventory(ctx, &agentv1.GetInventoryRequest{}); err != nil || inv.HugepagesFree != freeRunning {
		t.Errorf("Inventory while running: free hugepages %d, %v; /proc/meminfo says %d", inv.GetHugepagesFree(), err, freeRunning)
	}

	if _, err := h.client.DestroyInstance(ctx, &agentv1.InstanceRef{InstanceId: hugeID}); err != nil {
		t.Fatal(err)
	}
	if free := waitHugepagesFree(freeBefore, 10*time.Second); free != freeBefore {
		t.Errorf("HugePages_Free after destroy = %d, want %d back", free, freeBefore)
	}
}

// checkHugepagesXML asserts the live domain has <memoryBacking><hugepages/><locked/>.
func checkHugepagesXML(ctx context.Context, t *testing.T, h *harness) {
	t.Helper()
	x, err := h.hv.XML(ctx, h.agent.domainName(hugeID))
	if err != nil {
		t.Fatal(err)
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(x); err != nil {
		t.Fatal(err)
	}
	mb := dom.MemoryBacking
	lockable, _ := hypervisor.CanLockMemory()
	if mb == nil || mb.MemoryHugePages == nil || (mb.MemoryLocked != nil) != lockable {
		t.Errorf("domain XML lacks <memoryBacking><hugepages/><locked/>:\n%s", x)
	}
}

// reserveHugepages makes sure at least n default-size hugepages are free,
// growing vm.nr_hugepages and restoring it when t ends. A host that cannot
// (not root, memory too fragmented) is an environment limit.
func reserveHugepages(t *testing.T, n int64) {
	t.Helper()
	const knob = "/proc/sys/vm/nr_hugepages"
	b, err := os.ReadFile(knob)
	if err != nil {
		hvtest.Unavailable(t, "hugepages: %v", err)
	}
	prev := strings.TrimSpace(string(b))
	free := meminfo("HugePages_Free")
	if free >= n {
		return
	}
	total := meminfo("HugePages_Total")
	want := strconv.FormatInt(total+n-free, 10)
	if err := os.WriteFile(knob, []byte(want), 0o644); err != nil {
		hvtest.Unavailable(t, "cannot reserve %d hugepages (echo %s > %s): %v", n, want, knob, err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(knob, []byte(prev), 0o644); err != nil {
			t.Errorf("restore %s to %s: %v", knob, prev, err)
		}
	})
	if got := meminfo("HugePages_Free"); got < n {
		hvtest.Unavailable(t, "kernel reserved only %d free hugepages of the %d asked for (memory fragmented?)", got, n)
	}
}

// requireHugetlbfs mounts hugetlbfs at /dev/hugepages when no hugetlbfs is
// mounted. The mount stays (it holds no memory once the pages are released):
// it is host set-up, and libvirtd only notices it when (re)started.
func requireHugetlbfs(t *testing.T) {
	t.Helper()
	hvtest.SkipIfShort(t, "hugetlbfs")
	if hugetlbfsMounted(t) {
		return
	}
	if err := os.MkdirAll(hugeMount, 0o755); err != nil {
		hvtest.Unavailable(t, "hugetlbfs mount point: %v", err)
	}
	if out, err := exec.Command("mount", "-t", "hugetlbfs", "none", hugeMount).CombinedOutput(); err != nil {
		hvtest.Unavailable(t, "mount -t hugetlbfs none %s: %v: %s", hugeMount, err, out)
	}
	t.Logf("mounted hugetlbfs at %s (libvirtd must be restarted to use it)", hugeMount)
}

func hugetlbfsMounted(t *testing.T) bool {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) > 2 && fields[2] == "hugetlbfs" {
			return true
		}
	}
	return false
}

// waitHugepagesFree polls HugePages_Free until it reaches want (QEMU frees
// the pages as it exits) or timeout passes, and returns the last value.
func waitHugepagesFree(want int64, timeout time.Duration) int64 {
	deadline := time.Now().Add(timeout)
	for {
		free := meminfo("HugePages_Free")
		if free >= want || time.Now().After(deadline) {
			return free
		}
		time.Sleep(200 * time.Millisecond)
	}
}
