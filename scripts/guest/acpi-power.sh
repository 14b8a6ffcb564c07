#!/bin/sh
# ec2lab tiny guest: ACPI power button handler (/etc/acpi/PWRF/00000080),
# run by busybox acpid. Stops everything, puts the root disk in a clean
# state and powers off without involving PID 1 (a shell script).
PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /run/ec2lab && : >/run/ec2lab/poweroff
echo "ec2lab: power button, shutting down" >/dev/console
kill -TERM -1 2>/dev/null
sleep 1
kill -KILL -1 2>/dev/null
sync
umount /tmp 2>/dev/null
mount -o remount,ro / 2>/dev/null || umount -r / 2>/dev/null
sync
poweroff -f
