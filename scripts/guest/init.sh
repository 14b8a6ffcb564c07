#!/bin/sh
# ec2lab tiny guest, stage 2 (/sbin/init on the root disk; also in the initrd
# as a fallback when /dev/vda is unusable).
# Reads the NoCloud seed (ISO9660 volume labelled cidata), prints the boot
# marker, starts DHCP in the background, runs user-data with cloud-init
# semantics (boothooks at once, before the network; #! scripts in the final
# stage, once the DHCP lease is applied), then serves a shell on the serial
# console and powers off on the ACPI power button (busybox acpid ->
# /etc/acpi/PWRF/00000080).
PATH=/bin:/sbin:/usr/bin:/usr/sbin
HOME=/root
export PATH HOME

say() { echo "ec2lab: $*"; }

# The power button handler flags a shutdown in progress: stay quiet then.
hold_if_powering_off() {
	while [ -e /run/ec2lab/poweroff ]; do sleep 5; done
}

[ -e /proc/self ] || mount -t proc proc /proc
[ -d /sys/class ] || mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /run /tmp /dev/pts
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t devpts devpts /dev/pts 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null

# Power button first, so a graceful shutdown works at any point of the boot.
acpid -c /etc/acpi -l /run/acpid.log -p /run/acpid.pid

# cmdline_arg KEY prints the value of KEY=VALUE on the kernel command line.
cmdline_arg() {
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1"=*) echo "${w#*=}" ;; esac
	done
}

# iso_label DEV prints the ISO9660 volume label of DEV (empty if not ISO9660).
iso_label() {
	dd if="$1" bs=2048 skip=16 count=1 2>/dev/null >/run/pvd || return
	[ "$(dd if=/run/pvd bs=1 skip=1 count=5 2>/dev/null)" = CD001 ] || return
	dd if=/run/pvd bs=1 skip=40 count=32 2>/dev/null | tr -d ' \000'
}

seed_candidates() {
	for d in /dev/sr* /dev/vd* /dev/sd*; do
		case "$d" in /dev/vda | /dev/vda[0-9]*) continue ;; esac # the root disk
		[ -b "$d" ] && echo "$d"
	done
}

# find_seed prints the device holding the cidata ISO, waiting up to ~5 s for
# a SCSI CD-ROM to be scanned, but not at all when no device could hold it.
find_seed() {
	i=0
	while [ $i -lt 50 ]; do
		for d in $(seed_candidates); do
			case "$(iso_label "$d")" in cidata | CIDATA) echo "$d"; return 0 ;; esac
		done
		if [ -z "$(seed_candidates)" ] && [ -z "$(ls /sys/class/scsi_host 2>/dev/null)" ]; then
			return 1
		fi
		usleep 100000
		i=$((i + 1))
	done
	return 1
}

# md_value KEY FILE prints a top-level scalar of the YAML-ish (or JSON) meta-data.
md_value() {
	sed -n "s/^[[:space:]]*[\"']\{0,1\}$1[\"']\{0,1\}[[:space:]]*:[[:space:]]*//p" "$2" | head -n 1 |
		sed "s/[[:space:]]*,\{0,1\}[[:space:]]*\$//; s/^[\"']//; s/[\"']\$//"
}

# md_public_keys FILE prints one key per line from the public-keys: list
# (either "- key" items or "name: key" entries, indented under public-keys:).
md_public_keys() {
	awk '
		/^public-keys[[:space:]]*:/ { inlist = 1; next }
		inlist && /^[^[:space:]-]/ { inlist = 0 }
		inlist {
			sub(/^[[:space:]]*-?[[:space:]]*/, "")
			if ($0 !~ /^(ssh-|ecdsa-|sk-)/) sub(/^[^:[:space:]]+:[[:space:]]*/, "")
			gsub(/^["'\'']|["'\'']$/, "")
			if ($0 != "") print
		}' "$1"
}

SEED=/run/ec2lab/seed
mkdir -p "$SEED" /mnt/seed
instance_id=""
hostname=""
if dev=$(find_seed) && mount -t iso9660 -o ro "$dev" /mnt/seed; then
	cp /mnt/seed/* "$SEED/" 2>/dev/null
	umount /mnt/seed
	say "seed $dev"
	if [ -f "$SEED/meta-data" ]; then
		instance_id=$(md_value instance-id "$SEED/meta-data")
		hostname=$(md_value local-hostname "$SEED/meta-data")
		[ -n "$hostname" ] || hostname=$(md_value hostname "$SEED/meta-data")
	fi
else
	say "seed none"
fi
[ -n "$instance_id" ] || instance_id=$(cmdline_arg ec2lab.instance_id)
[ -n "$instance_id" ] || instance_id=unknown
[ -n "$hostname" ] || hostname=$instance_id
hostname "$hostname"
echo "$hostname" >/etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$hostname" >/etc/hosts
say "hostname $hostname"

mkdir -p /var/lib/ec2lab
boot=$(cat /var/lib/ec2lab/boot-count 2>/dev/null)
boot=$((${boot:-0} + 1))
echo "$boot" >/var/lib/ec2lab/boot-count
sync
echo "EC2LAB-BOOT-OK instance-id=$instance_id boot=$boot"

ip link set lo up
dhcp_pid=""
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	udhcpc -i eth0 -n -q -t 5 -s /etc/ec2lab/udhcpc.sh >/dev/null 2>&1 &
	dhcp_pid=$!
fi

# wait_network returns once the DHCP client has applied its lease (or given
# up): cloud-init's final stage, where user scripts run, comes after the
# network is configured.
wait_network() {
	[ -n "$dhcp_pid" ] || return 0
	wait "$dhcp_pid"
	dhcp_pid=""
	say "network $(ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}' | head -n 1)"
}

# Instance data, laid out as cloud-init does.
IDIR=/var/lib/cloud/instances/$instance_id
mkdir -p "$IDIR/sem" "$IDIR/scripts" "$IDIR/boothooks" /var/lib/cloud/data /root/.ssh
ln -sfn "$IDIR" /var/lib/cloud/instance
echo "$instance_id" >/var/lib/cloud/data/instance-id

if [ -f "$SEED/meta-data" ]; then
	md_public_keys "$SEED/meta-data" >/root/.ssh/authorized_keys
	chmod 700 /root/.ssh
	chmod 600 /root/.ssh/authorized_keys
fi
say "public-keys $(grep -c . /root/.ssh/authorized_keys 2>/dev/null || echo 0)"

# run_part FILE runs one user-data part with its output on the console.
run_part() {
	chmod 700 "$1"
	if [ "$(head -c 2 "$1")" = "#!" ]; then
		(cd / && INSTANCE_ID=$instance_id "$1" </dev/null)
	else
		(cd / && INSTANCE_ID=$instance_id sh "$1" </dev/null)
	fi
	say "user-data exit $?"
}

UD=$IDIR/user-data.txt
if [ -s "$SEED/user-data" ]; then
	if gzip -t "$SEED/user-data" 2>/dev/null; then
		gunzip -c "$SEED/user-data" >"$UD"
	else
		cp "$SEED/user-data" "$UD"
	fi
	first=$(head -n 1 "$UD" | tr -d '\r')
	case "$first" in
	"#cloud-boothook"*)
		say "user-data boothook (every boot)"
		tail -n +2 "$UD" >"$IDIR/boothooks/part-001"
		run_part "$IDIR/boothooks/part-001"
		;;
	"#!"*)
		if [ -e "$IDIR/sem/config_scripts_user" ]; then
			say "user-data script already ran for $instance_id"
		else
			cp "$UD" "$IDIR/scripts/part-001"
			wait_network
			say "user-data script (once per instance)"
			date >"$IDIR/sem/config_scripts_user"
			sync
			run_part "$IDIR/scripts/part-001"
		fi
		;;
	*) say "user-data unsupported format: $(echo "$first" | cut -c1-40)" ;;
	esac
else
	say "user-data none"
fi
date >"$IDIR/boot-finished"
sync

hold_if_powering_off
say "ready"

# Interactive console on ttyS0; reading a console nobody is attached to
# blocks, so this loop only turns when a shell actually exits.
while :; do
	hold_if_powering_off
	setsid cttyhack sh -l
	sleep 1
done
