#!/usr/bin/env bash
# Builds the tiny ec2lab test guest image bundle in images/tiny/ from Debian
# packages only (linux-image-6.1.0-*-cloud-amd64 + busybox-static):
#   root.qcow2  ext4 directly on the disk (no partitions), guest sees /dev/vda
#   vmlinuz     the Debian cloud kernel, for direct kernel boot
#   initrd      gzip'd newc cpio: busybox, the virtio/CD-ROM/button modules, /init
#   manifest.json  the bundle description other code reads (see write_manifest)
#   disk.qcow2  the same guest as one disk that boots by BIOS and by UEFI, as
#               cloud images do; not in the manifest: an MBR with syslinux,
#               a FAT partition (vda1) with syslinux, systemd-boot as
#               EFI/BOOT/BOOTX64.EFI, the kernel and the initrd, and the ext4
#               root (vda2); for RegisterImage of a plain disk image
# The guest's init scripts live in scripts/guest/. The .debs are cached in
# images/.cache/debs/. Idempotent: exits at once when the manifest is newer
# than this script and the guest files. FORCE=1 rebuilds anyway.
# Needs: apt-get, dpkg-deb, kmod (depmod, modprobe), cpio, gzip, mkfs.ext4
# (e2fsprogs >= 1.43 for -d), qemu-img, sha256sum; for disk.qcow2 syslinux,
# syslinux-common, systemd-boot-efi, mtools, dosfstools (mkfs.vfat) and
# fdisk (sfdisk).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GUEST=$ROOT/scripts/guest
OUT=$ROOT/images/tiny
CACHE=$ROOT/images/.cache/debs
DISK_SIZE_MIB=512
CMDLINE="console=ttyS0 root=/dev/vda rw panic=-1 no_timer_check quiet"

# Modules the guest loads, in any order: the dependency order comes from
# modules.dep (modprobe --show-depends). Everything else needed (ext4, 8250
# serial, input core, ACPI) is built into the Debian cloud kernel.
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
	virtio_blk failover net_failover virtio_net
	scsi_common scsi_mod virtio_scsi cdrom sr_mod isofs
	button evdev)

log() { echo "build-test-image: $*" >&2; }
die() { log "$*"; exit 1; }

up_to_date() {
	local m=$OUT/manifest.json f
	[ "${FORCE:-0}" = 1 ] && return 1
	[ -f "$m" ] || return 1
	for f in "${BASH_SOURCE[0]}" "$GUEST"/*; do
		[ "$m" -nt "$f" ] || return 1
	done
}

# kernel_package prints the exact linux-image-6.1.0-N-cloud-amd64 name.
kernel_package() {
	local name
	name=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-cloud-amd64\)$/\1/p' | head -n 1)
	if [ -z "$name" ]; then # no apt lists: fall back to the newest cached one
		name=$(ls "$CACHE"/linux-image-6.1.0-*-cloud-amd64_*.deb 2>/dev/null |
			sed 's#.*/##; s/_.*//' | sort -V | tail -n 1)
	fi
	[ -n "$name" ] || die "cannot resolve linux-image-cloud-amd64 (run apt-get update)"
	echo "$name"
}

# fetch_deb PKG prints the path of the cached .deb of PKG, downloading it first.
fetch_deb() {
	local pkg=$1 deb
	deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -z "$deb" ]; then
		log "downloading $pkg"
		if ! (cd "$CACHE" && apt-get download -q "$pkg" >/dev/null 2>&1); then
			log "apt-get download $pkg failed; running apt-get update"
			apt-get update -qq >/dev/null
			(cd "$CACHE" && apt-get download -q "$pkg" >/dev/null) || die "apt-get download $pkg failed"
		fi
		deb=$(ls "$CACHE/${pkg}"_*.deb | sort -V | tail -n 1)
	fi
	echo "$deb"
}

# module_order DIR KVER prints the .ko paths (relative to lib/modules/KVER)
# of MODULES and their dependencies, each after everything it needs.
module_order() {
	local dir=$1 kver=$2 m
	for m in "${MODULES[@]}"; do
		modprobe -d "$dir" -S "$kver" --show-depends "$m" ||
			die "module $m missing (or built in?) in $kver"
	done | awk -v base="$dir/lib/modules/$kver/" '
		$1 == "insmod" { p = $2; sub(base, "", p); if (!seen[p]++) print p }
		$1 == "builtin" { next }'
}

# install_busybox DIR puts busybox in DIR/bin and links all its applets.
install_busybox() {
	local dir=$1 bb=$2 app
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin}
	cp "$bb" "$dir/bin/busybox"
	for app in $("$bb" --list-full); do
		[ -e "$dir/$app" ] || ln -s /bin/busybox "$dir/$app"
	done
}

# install_guest_files DIR installs the stage 2 init and its helpers.
install_guest_files() {
	local dir=$1
	mkdir -p "$dir"/{etc/ec2lab,etc/acpi/PWRF,proc,sys,dev,run,tmp,mnt,root,var/log,var/lib/cloud}
	rm -f "$dir/sbin/init"
	install -m 0755 "$GUEST/init.sh" "$dir/sbin/init"
	install -m 0755 "$GUEST/udhcpc.sh" "$dir/etc/ec2lab/udhcpc.sh"
	install -m 0755 "$GUEST/acpi-power.sh" "$dir/etc/acpi/PWRF/00000080"
	printf 'export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root\nPS1='"'"'\\h:\\w\\$ '"'"'\n' >"$dir/etc/profile"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
	printf 'root:x:0:\n' >"$dir/etc/group"
	chmod 1777 "$dir/tmp"
	chmod 0700 "$dir/root"
}

build_initrd() {
	local x=$1 kver=$2 dir=$3 out=$4 ko
	install_busybox "$dir" "$x/bin/busybox"
	install_guest_files "$dir"
	install -m 0755 "$GUEST/init-initrd.sh" "$dir/init"
	module_order "$x" "$kver" >"$dir/etc/ec2lab/modules"
	while read -r ko; do
		install -D -m 0644 "$x/lib/modules/$kver/$ko" "$dir/lib/modules/$kver/$ko"
	done <"$dir/etc/ec2lab/modules"
	(cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
		gzip -9n >"$out"
}

# build_root DIR RAW OUT fills DIR, makes the ext4 image RAW of it and
# OUT as its qcow2 copy (RAW stays for build_disk).
build_root() {
	local x=$1 dir=$2 raw=$3 out=$4
	install_busybox "$dir" "$x/bin/busybox"
	install_guest_files "$dir"
	mkdir -p "$dir/var/lib/ec2lab" "$dir/lost+found"
	rm -f "$raw"
	mkfs.ext4 -q -F -L ec2lab-root -E root_owner=0:0 -d "$dir" "$raw" "${DISK_SIZE_MIB}M" >/dev/null
	qemu-img convert -f raw -O qcow2 "$raw" "$out"
}

# BIOS disk layout, in 512-byte sectors: the boot partition at 1 MiB, the
# root partition right after it.
BOOT_START=2048
BOOT_SECTORS=$((64 * 2048))
ROOT_START=$((BOOT_START + BOOT_SECTORS))

# build_disk RAWROOT KERNEL INITRD WORK OUT makes OUT, a disk SeaBIOS and
# OVMF boot: syslinux's MBR code, vda1 FAT16 (active) with syslinux and its
# config, systemd-boot as the removable-media EFI loader and its entry, the
# kernel and the initrd, vda2 the ext4 root RAWROOT. Built from files only
# (mtools, sfdisk, dd): nothing is mounted.
build_disk() {
	local rawroot=$1 kernel=$2 initrd=$3 work=$4 out=$5
	local mbr=/usr/lib/syslinux/mbr/mbr.bin sdboot=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
	local boot=$work/boot.fat disk=$work/disk.raw cmdline=${CMDLINE/root=\/dev\/vda/root=/dev/vda2} t
	for t in syslinux mcopy mmd mkfs.vfat sfdisk; do
		command -v "$t" >/dev/null || die "missing tool $t (packages syslinux mtools dosfstools fdisk)"
	done
	[ -f "$mbr" ] || die "missing $mbr (package syslinux-common)"
	[ -f "$sdboot" ] || die "missing $sdboot (package systemd-boot-efi)"
	rm -f "$boot" "$disk"
	mkfs.vfat -F 16 -n EC2LABBOOT -C "$boot" $((BOOT_SECTORS / 2)) >/dev/null
	syslinux --install "$boot"
	printf 'DEFAULT tiny\nPROMPT 0\nTIMEOUT 0\nSERIAL 0 115200\nLABEL tiny\n  KERNEL /vmlinuz\n  INITRD /initrd\n  APPEND %s\n' \
		"$cmdline" >"$work/syslinux.cfg"
	printf 'default tiny.conf\ntimeout 0\n' >"$work/loader.conf"
	printf 'title ec2lab tiny\nlinux /vmlinuz\ninitrd /initrd\noptions %s\n' "$cmdline" >"$work/tiny.conf"
	mcopy -i "$boot" "$work/syslinux.cfg" "$kernel" "$initrd" ::/
	mmd -i "$boot" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
	mcopy -i "$boot" "$sdboot" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$boot" "$work/loader.conf" ::/loader/
	mcopy -i "$boot" "$work/tiny.conf" ::/loader/entries/
	local root_sectors=$(($(stat -c %s "$rawroot") / 512))
	truncate -s $(((ROOT_START + root_sectors) * 512)) "$disk"
	printf 'label: dos\nstart=%d, size=%d, type=6, bootable\nstart=%d, size=%d, type=83\n' \
		"$BOOT_START" "$BOOT_SECTORS" "$ROOT_START" "$root_sectors" | sfdisk -q "$disk"
	dd if="$mbr" of="$disk" bs=440 count=1 conv=notrunc status=none
	dd if="$boot" of="$disk" bs=512 seek="$BOOT_START" conv=notrunc status=none
	dd if="$rawroot" of="$disk" bs=512 seek="$ROOT_START" conv=notrunc status=none
	qemu-img convert -f raw -O qcow2 "$disk" "$out"
	rm -f "$boot" "$disk"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

write_manifest() {
	local dir=$1 desc=$2 size
	size=$(qemu-img info --output=json "$dir/root.qcow2" | sed -n 's/.*"virtual-size": *\([0-9]*\).*/\1/p')
	[ -n "$size" ] || die "cannot read virtual size of root.qcow2"
	cat >"$dir/manifest.json" <<EOF
{
  "schema": 1,
  "name": "tiny",
  "description": "$desc",
  "architecture": "x86_64",
  "boot_mode": "direct-kernel",
  "virtualization_type": "hvm",
  "kernel": {"file": "vmlinuz", "sha256": "$(sha "$dir/vmlinuz")"},
  "initrd": {"file": "initrd", "sha256": "$(sha "$dir/initrd")"},
  "kernel_cmdline": "$CMDLINE",
  "root_device_name": "/dev/xvda",
  "block_device_mappings": [
    {"device_name": "/dev/xvda", "file": "root.qcow2", "format": "qcow2", "size_bytes": $size,
     "sha256": "$(sha "$dir/root.qcow2")", "volume_type": "gp3", "delete_on_termination": true}
  ]
}
EOF
}

main() {
	if up_to_date; then
		log "images/tiny is up to date"
		exit 0
	fi
	for t in apt-get dpkg-deb modprobe cpio gzip mkfs.ext4 qemu-img sha256sum; do
		command -v "$t" >/dev/null || die "missing tool $t"
	done
	mkdir -p "$CACHE" "$ROOT/images"
	local kpkg kdeb bdeb x kver
	kpkg=$(kernel_package)
	kdeb=$(fetch_deb "$kpkg")
	bdeb=$(fetch_deb busybox-static)

	TMP=$(mktemp -d "$ROOT/images/.tiny-build.XXXXXX")
	trap 'rm -rf "$TMP"' EXIT
	local tmp=$TMP
	x=$tmp/debs
	mkdir -p "$x" "$tmp/bundle"
	dpkg-deb -x "$kdeb" "$x"
	dpkg-deb -x "$bdeb" "$x"
	kver=${kpkg#linux-image-}
	[ -f "$x/boot/vmlinuz-$kver" ] || die "no vmlinuz-$kver in $kdeb"
	depmod -b "$x" "$kver"

	cp "$x/boot/vmlinuz-$kver" "$tmp/bundle/vmlinuz"
	build_initrd "$x" "$kver" "$tmp/initrd" "$tmp/bundle/initrd"
	build_root "$x" "$tmp/root" "$tmp/root.raw" "$tmp/bundle/root.qcow2"
	build_disk "$tmp/root.raw" "$tmp/bundle/vmlinuz" "$tmp/bundle/initrd" "$tmp" "$tmp/bundle/disk.qcow2"
	rm -f "$tmp/root.raw"
	local kv bv
	kv=$(dpkg-deb -f "$kdeb" Version)
	bv=$(dpkg-deb -f "$bdeb" Version)
	write_manifest "$tmp/bundle" "ec2lab tiny test guest: Debian $kpkg $kv, busybox-static $bv"

	rm -rf "$OUT.old"
	[ -e "$OUT" ] && mv "$OUT" "$OUT.old"
	mv "$tmp/bundle" "$OUT"
	rm -rf "$OUT.old"
	log "built $OUT ($(du -sh "$OUT" | cut -f1)): kernel $kver, modules: $(tr '\n' ' ' <"$tmp/initrd/etc/ec2lab/modules")"
}

main "$@"
