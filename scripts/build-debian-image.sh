#!/usr/bin/env bash
# Builds images/debian/disk.qcow2: a Debian 12 (bookworm) cloud image made
# from Debian's packages alone (mmdebstrap from the mirror the host's apt
# uses; no downloaded images), configured for ec2lab as Debian's EC2 images
# are for EC2:
#   - linux-image-cloud-amd64, systemd, cloud-init, openssh-server, sudo,
#     qemu-guest-agent, cloud-guest-utils (growpart)
#   - cloud-init: datasource_list [Ec2, NoCloud], the Ec2 datasource at
#     http://169.254.169.254 with strict_id false (ec2lab is not AWS) and
#     chosen by ds-identify (see guest_config), the default user "admin";
#     the root partition and filesystem grow to the volume at first boot
#     (cloud-init growpart + resizefs)
#   - systemd-networkd: DHCP on the NICs (cloud-init's own network
#     rendering is off)
# Disk layout, as images/tiny/disk.qcow2, so that it registers as a plain
# disk image (RegisterImage --image-location …/disk.qcow2) and boots by BIOS
# and by UEFI: an MBR with syslinux, vda1 FAT (syslinux, systemd-boot as
# EFI/BOOT/BOOTX64.EFI, the kernel and Debian's initramfs), vda2 the ext4
# root (last, so that growpart can grow it). Built from files only (mtools,
# sfdisk, dd, mkfs.ext4 -d): nothing is mounted.
# Idempotent: exits at once when disk.qcow2 is newer than this script.
# FORCE=1 rebuilds anyway. Two caches under images/.cache/: the .debs
# (debian-debs/, so that a rebuild downloads nothing) and the bootstrapped
# tree (debian-root.tar, reused while the package set and the bootstrap
# are unchanged, so that a change of ec2lab's configuration only redoes
# the assembly).
# Needs: mmdebstrap, mkfs.ext4, qemu-img, sfdisk, mtools, dosfstools,
# syslinux, syslinux-common, systemd-boot-efi (scripts/install-host-deps.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/images/debian
CACHE=$ROOT/images/.cache/debian-debs
ROOT_TAR=$ROOT/images/.cache/debian-root.tar
SUITE=bookworm
DISK_SIZE_MIB=2048
ROOT_LABEL=debian-root
# BIOS disk layout, in 512-byte sectors: the boot partition at 1 MiB, the
# root partition right after it, to the end of the disk.
BOOT_START=2048
BOOT_SECTORS=$((128 * 2048))
ROOT_START=$((BOOT_START + BOOT_SECTORS))
ROOT_SECTORS=$((DISK_SIZE_MIB * 2048 - ROOT_START))

PACKAGES=(linux-image-cloud-amd64 systemd systemd-sysv udev dbus initramfs-tools
	cloud-init cloud-guest-utils fdisk e2fsprogs openssh-server sudo
	qemu-guest-agent iproute2 ca-certificates)

log() { echo "build-debian-image: $*" >&2; }
die() { log "$*"; exit 1; }

up_to_date() {
	[ "${FORCE:-0}" = 1 ] && return 1
	[ -f "$OUT/disk.qcow2" ] && [ "$OUT/disk.qcow2" -nt "${BASH_SOURCE[0]}" ]
}

# mirror prints the Debian sources the host's apt uses: the deb822 file
# when there is one, else the sources.list lines naming debian.
mirror() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -f "$f" ]; then
		echo "$f"
		return
	fi
	grep -h '^deb .*debian' /etc/apt/sources.list 2>/dev/null | head -n 1 |
		awk '{print $2}' | grep . || die "no Debian mirror in the host's apt sources"
}

# guest_config DIR writes ec2lab's configuration into the root tree DIR.
guest_config() {
	local dir=$1 uuid=$2
	mkdir -p "$dir/etc/cloud/cloud.cfg.d" "$dir/etc/systemd/network"
	cat >"$dir/etc/cloud/cloud.cfg.d/01_ec2lab.cfg" <<'EOF'
# ec2lab: configured as Debian's EC2 images, for an EC2-compatible platform.
datasource_list: [Ec2, NoCloud]
datasource:
  Ec2:
    strict_id: false
    metadata_urls: ["http://169.254.169.254"]
    timeout: 5
    max_wait: 60
system_info:
  default_user:
    name: admin
    gecos: Debian
    groups: [adm, sudo]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
    lock_passwd: true
# /etc/hosts names the instance's hostname (sudo looks it up).
manage_etc_hosts: true
# systemd-networkd does DHCP on the NICs (/etc/systemd/network).
network:
  config: disabled
# No locales package in this image: C.UTF-8, already set in
# /etc/default/locale, so that cloud-init has nothing to generate. No GRUB
# either (syslinux/systemd-boot).
locale: C.UTF-8
grub_dpkg:
  enabled: false
apt:
  preserve_sources_list: true
EOF
	# ec2lab attaches a NoCloud seed (cidata) to every instance, and
	# cloud-init reads it in its local stage, before the network stage where
	# the Ec2 datasource runs on a platform it does not know as AWS: with
	# the list alone, NoCloud would always win. ds-identify is told to use
	# Ec2 (the metadata service); ci.ds=NoCloud on the kernel command line
	# overrides this.
	cat >"$dir/etc/cloud/ds-identify.cfg" <<'EOF'
# ec2lab: the metadata service at 169.254.169.254 (see 01_ec2lab.cfg).
datasource: Ec2
EOF
	cat >"$dir/etc/systemd/network/10-ec2lab-dhcp.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=ipv4

[DHCPv4]
UseDomains=true
EOF
	# network-online is reached once one link is up, not every NIC.
	mkdir -p "$dir/etc/systemd/system/systemd-networkd-wait-online.service.d"
	printf '[Service]\nExecStart=\nExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=60\n' \
		>"$dir/etc/systemd/system/systemd-networkd-wait-online.service.d/ec2lab.conf"
	cat >"$dir/etc/fstab" <<EOF
UUID=$uuid / ext4 rw,discard,errors=remount-ro 0 1
EOF
	# Per-instance identity is made at first boot: machine-id by systemd,
	# SSH host keys by cloud-init.
	: >"$dir/etc/machine-id"
	rm -f "$dir/var/lib/dbus/machine-id" "$dir"/etc/ssh/ssh_host_*
	echo LANG=C.UTF-8 >"$dir/etc/default/locale"
	echo debian >"$dir/etc/hostname"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
}

# bootstrap_key identifies what bootstrap makes: the suite, the packages
# and the bootstrap code itself.
bootstrap_key() {
	{ echo "$SUITE ${PACKAGES[*]}"; declare -f bootstrap; } | sha256sum | cut -d' ' -f1
}

# bootstrap TAR runs mmdebstrap into the tarball TAR.
bootstrap() {
	local tar=$1
	mkdir -p "$CACHE"
	# --variant=apt: Essential + apt; docs, man pages and locales are left out
	# by dpkg path excludes. The .debs go through $CACHE in both directions.
	mmdebstrap --variant=apt --mode=root --format=tar \
		--skip=essential/unlink --skip=download/empty \
		--include="$(IFS=,; echo "${PACKAGES[*]}")" \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/locale/locale.alias' \
		--aptopt='APT::Install-Recommends "false"' \
		--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d"; printf "MODULES=most\nCOMPRESS=zstd\n" >"$1/etc/initramfs-tools/conf.d/ec2lab"' \
		--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
		--setup-hook="sync-in '$CACHE' /var/cache/apt/archives/" \
		--customize-hook="sync-out /var/cache/apt/archives '$CACHE'" \
		--customize-hook='chroot "$1" systemctl enable systemd-networkd ssh' \
		--customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* "$1"/var/log/*.log' \
		"$SUITE" "$tar" "$(mirror)" >&2
	rm -f "$CACHE/lock"
	rm -rf "$CACHE/partial"
}

# root_tree DIR fills DIR with the bootstrapped tree, from the cached
# tarball when its key matches, else bootstrapping (and caching) it first.
root_tree() {
	local dir=$1 key
	key=$(bootstrap_key)
	if [ ! -f "$ROOT_TAR" ] || [ "$(cat "$ROOT_TAR.key" 2>/dev/null)" != "$key" ]; then
		log "bootstrapping Debian $SUITE (mmdebstrap)"
		rm -f "$ROOT_TAR" "$ROOT_TAR.key"
		bootstrap "$ROOT_TAR.tmp"
		mv "$ROOT_TAR.tmp" "$ROOT_TAR"
		echo "$key" >"$ROOT_TAR.key"
	else
		log "reusing the bootstrapped tree $ROOT_TAR"
	fi
	mkdir -p "$dir"
	tar -C "$dir" --numeric-owner -xpf "$ROOT_TAR"
}

# build_disk DIR WORK OUT makes OUT from the root tree DIR (see the header).
build_disk() {
	local dir=$1 work=$2 out=$3 uuid=$4
	local mbr=/usr/lib/syslinux/mbr/mbr.bin sdboot=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
	local boot=$work/boot.fat disk=$work/disk.raw rootfs=$work/root.ext4 kernel initrd cmdline t
	for t in syslinux mcopy mmd mkfs.vfat sfdisk mkfs.ext4 qemu-img; do
		command -v "$t" >/dev/null || die "missing tool $t (scripts/install-host-deps.sh)"
	done
	[ -f "$mbr" ] || die "missing $mbr (package syslinux-common)"
	[ -f "$sdboot" ] || die "missing $sdboot (package systemd-boot-efi)"
	kernel=$(ls "$dir"/boot/vmlinuz-* | sort -V | tail -n 1)
	initrd=$(ls "$dir"/boot/initrd.img-* | sort -V | tail -n 1)
	[ -f "$kernel" ] && [ -f "$initrd" ] || die "no kernel or initramfs in $dir/boot"
	cmdline="root=UUID=$uuid ro console=tty0 console=ttyS0,115200 no_timer_check panic=-1"

	mkfs.vfat -F 16 -n EC2LABBOOT -C "$boot" $((BOOT_SECTORS / 2)) >/dev/null
	syslinux --install "$boot"
	printf 'DEFAULT debian\nPROMPT 0\nTIMEOUT 0\nSERIAL 0 115200\nLABEL debian\n  KERNEL /vmlinuz\n  INITRD /initrd.img\n  APPEND %s\n' \
		"$cmdline" >"$work/syslinux.cfg"
	printf 'default debian.conf\ntimeout 0\n' >"$work/loader.conf"
	printf 'title Debian 12 (ec2lab)\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$cmdline" >"$work/debian.conf"
	cp "$kernel" "$work/vmlinuz"
	cp "$initrd" "$work/initrd.img"
	mcopy -i "$boot" "$work/syslinux.cfg" "$work/vmlinuz" "$work/initrd.img" ::/
	mmd -i "$boot" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
	mcopy -i "$boot" "$sdboot" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$boot" "$work/loader.conf" ::/loader/
	mcopy -i "$boot" "$work/debian.conf" ::/loader/entries/

	mkfs.ext4 -q -F -L "$ROOT_LABEL" -U "$uuid" -E root_owner=0:0 -d "$dir" "$rootfs" \
		$((ROOT_SECTORS / 2))K >/dev/null
	truncate -s $((DISK_SIZE_MIB * 1024 * 1024)) "$disk"
	printf 'label: dos\nstart=%d, size=%d, type=6, bootable\nstart=%d, size=%d, type=83\n' \
		"$BOOT_START" "$BOOT_SECTORS" "$ROOT_START" "$ROOT_SECTORS" | sfdisk -q "$disk"
	dd if="$mbr" of="$disk" bs=440 count=1 conv=notrunc status=none
	dd if="$boot" of="$disk" bs=512 seek="$BOOT_START" conv=notrunc status=none
	dd if="$rootfs" of="$disk" bs=512 seek="$ROOT_START" conv=notrunc,sparse status=none
	qemu-img convert -c -f raw -O qcow2 "$disk" "$out"
}

main() {
	if up_to_date; then
		log "images/debian is up to date"
		exit 0
	fi
	[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap --mode=root)"
	command -v mmdebstrap >/dev/null || die "missing mmdebstrap (scripts/install-host-deps.sh)"
	mkdir -p "$ROOT/images/.cache"
	TMP=$(mktemp -d "$ROOT/images/.debian-build.XXXXXX")
	trap 'rm -rf "$TMP" "$ROOT_TAR.tmp"' EXIT
	local start uuid
	start=$(date +%s)
	uuid=$(cat /proc/sys/kernel/random/uuid)
	root_tree "$TMP/root"
	guest_config "$TMP/root" "$uuid"
	mkdir -p "$TMP/bundle"
	build_disk "$TMP/root" "$TMP" "$TMP/bundle/disk.qcow2" "$uuid"
	rm -rf "$OUT.old"
	[ -e "$OUT" ] && mv "$OUT" "$OUT.old"
	mv "$TMP/bundle" "$OUT"
	rm -rf "$OUT.old"
	log "built $OUT/disk.qcow2 ($(du -h "$OUT/disk.qcow2" | cut -f1), root tree $(du -sh "$TMP/root" | cut -f1)) in $(($(date +%s) - start))s"
}

main "$@"
