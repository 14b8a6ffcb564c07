#!/usr/bin/env bash
# Installs and starts what an ec2lab host needs, idempotently:
# Debian packages (only the missing ones), virtlogd + libvirtd (started by hand
# when no init system runs them), /dev/kvm permissions for libvirt-qemu.
# Safe on a host where systemd already runs libvirt: it then only checks.
set -euo pipefail

PKGS=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients
      dnsmasq-base genisoimage cpio kmod e2fsprogs busybox-static
      syslinux syslinux-common systemd-boot-efi ovmf mtools dosfstools fdisk
      protobuf-compiler libprotobuf-dev iproute2 nftables ca-certificates
      mmdebstrap openssh-client)

log() { echo "install-host-deps: $*" >&2; }

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || { log "need root to install packages"; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "packages present"
fi

[ "$(id -u)" = 0 ] || { log "not root: skipping daemon start and /dev/kvm set-up"; exit 0; }

mkdir -p /var/log/libvirt /run/libvirt /var/lib/libvirt/images

systemd_runs() { [ -d /run/systemd/system ] && systemctl is-active --quiet "$1" 2>/dev/null; }

# start_daemon CMD...: runs a daemon that keeps none of this script's open
# files but stdio: a lock or pipe the caller holds (a CI wrapper's flock, a
# test's temp file) must not stay open in a daemon that outlives the caller.
start_daemon() {
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec "$@"
  )
}

# hugetlbfs for hugepage-backed (r*/x*) guests: libvirtd looks for it only
# when it starts, so mount it first.
if ! grep -q ' hugetlbfs ' /proc/mounts; then
  mkdir -p /dev/hugepages
  if mount -t hugetlbfs none /dev/hugepages; then
    if pgrep -x libvirtd >/dev/null; then
      log "hugetlbfs mounted at /dev/hugepages; restart libvirtd for hugepage instances (not done: it may serve running guests)"
    fi
  else
    log "hugetlbfs mount failed: hugepage instances will not start"
  fi
fi

if systemd_runs libvirtd || systemd_runs virtqemud; then
  log "libvirt runs under systemd; leaving it alone"
else
  if ! pgrep -x virtlogd >/dev/null; then
    log "starting virtlogd"
    start_daemon virtlogd -d
  fi
  if ! pgrep -x libvirtd >/dev/null; then
    log "starting libvirtd"
    start_daemon libvirtd -d
  fi
fi

if [ -e /dev/kvm ]; then
  getent group kvm >/dev/null || groupadd -r kvm
  chgrp kvm /dev/kvm && chmod 660 /dev/kvm
fi

for _ in $(seq 1 50); do
  [ -S /run/libvirt/libvirt-sock ] && virsh -c qemu:///system version >/dev/null 2>&1 && break
  sleep 0.2
done
virsh -c qemu:///system version >/dev/null 2>&1 || { log "libvirtd did not come up"; exit 1; }
log "libvirt ready: $(virsh -c qemu:///system version 2>/dev/null | grep -i 'running hypervisor' | sed 's/.*: //')"
