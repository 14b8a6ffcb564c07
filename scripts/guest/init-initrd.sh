#!/bin/sh
# ec2lab tiny guest, stage 1 (/init in the initrd).
# Loads the kernel modules listed in /etc/ec2lab/modules (in dependency order,
# computed from modules.dep at build time), mounts the root= device of the
# kernel command line (default /dev/vda) read-write, proves it is writable,
# then switch_roots into it (/sbin/init there is stage 2).
# If the root disk cannot be used, stage 2 runs from the initrd instead, so
# the guest still boots and reports on the console.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The initrd has no /dev/console node of its own: take the console now.
exec </dev/console >/dev/console 2>&1

say() { echo "ec2lab: $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys

say "stage1 kernel $(uname -r)"
while read -r ko; do
	[ -n "$ko" ] || continue
	insmod "/lib/modules/$(uname -r)/$ko" 2>/dev/null || say "insmod $ko failed"
done </etc/ec2lab/modules

ROOT=/dev/vda
for w in $(cat /proc/cmdline); do
	case "$w" in root=/dev/*) ROOT=${w#root=} ;; esac
done

i=0
while [ ! -b "$ROOT" ] && [ $i -lt 100 ]; do
	usleep 50000
	i=$((i + 1))
done

mkdir -p /newroot
if mount -t ext4 -o rw "$ROOT" /newroot &&
	date >/newroot/.ec2lab-rw-probe && sync && [ -s /newroot/.ec2lab-rw-probe ] &&
	[ -x /newroot/sbin/init ]; then
	say "root $ROOT rw ok"
	for m in dev proc sys; do
		mount --move "/$m" "/newroot/$m"
	done
	exec switch_root /newroot /sbin/init
	say "switch_root failed"
else
	say "root $ROOT rw FAILED"
	umount /newroot 2>/dev/null
fi
exec /sbin/init
