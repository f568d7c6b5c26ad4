#!/bin/sh
# Build a bootable USB stick image (GPT, BIOS and UEFI) without root or loop
# devices: sgdisk for the partition table, GRUB images written with dd, mtools
# for the FAT32 EFI system partition.
#
# usage: mkusb.sh [-a CMDLINE] [-l LOADER.EFI] OUT.img KERNEL CONFIG.toml [FILE...]
#
# The stick holds, on its EFI system partition (FAT32, editable from any OS):
#   /EFI/BOOT/BOOTX64.EFI   GRUB for UEFI; with -l, Plinth's own UEFI loader
#                           (build/BOOTX64.EFI, `make efi`) instead, and GRUB
#                           moves to /EFI/grub/grubx64.efi (still bootable
#                           from a firmware boot entry or the UEFI shell)
#   /EFI/plinth/cmdline.txt with -l: CMDLINE, read by Plinth's loader
#   /boot/grub/grub.cfg     serial terminal; multiboot2 /plinth/plinth.elf
#   /plinth/plinth.elf      the kernel (KERNEL)
#   /plinth/plinth.toml     the configuration (CONFIG)
#   /plinth/FILE            each FILE (guest kernels, initrds)
# grub.cfg loads every file of /plinth/ except plinth.elf as a multiboot2
# module named by its path (/plinth/FILE), so a guest file copied there is
# seen without editing grub.cfg. GRUB for BIOS (core.img) sits in the BIOS
# boot partition (partition 1), boot.img in the MBR.
set -eu

usage() {
	echo "usage: $0 [-a CMDLINE] [-l LOADER.EFI] OUT.img KERNEL CONFIG.toml [FILE...]" >&2
	exit 2
}
cmdline="" loader=""
while getopts a:l: opt; do
	case $opt in
	a) cmdline=$OPTARG ;;
	l) loader=$OPTARG ;;
	*) usage ;;
	esac
done
shift $(( OPTIND - 1 ))
[ $# -ge 3 ] || usage
out=$1 kernel=$2 config=$3
shift 3

for tool in sgdisk mformat mcopy mmd grub-mkimage; do
	command -v "$tool" >/dev/null || { echo "mkusb.sh: $tool is missing (make deps-check)" >&2; exit 1; }
done
PC=/usr/lib/grub/i386-pc
EFI=/usr/lib/grub/x86_64-efi
for f in "$kernel" "$config" "$@" ${loader:+"$loader"} "$PC/boot.img" "$EFI/multiboot2.mod"; do
	[ -f "$f" ] || { echo "mkusb.sh: $f: no such file" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
img=$tmp/usb.img

# ---- Layout: 1 MiB alignment, BIOS boot partition 1 MiB, then the ESP -------
# The ESP gets the files plus 32 MiB of room, at least 63 MiB (FAT32 needs
# 65525 clusters; mformat uses 512-byte clusters at this size).
bytes=$(cat "$kernel" "$config" "$@" | wc -c)
esp_mib=$(( bytes * 5 / 4 / 1048576 + 32 ))
[ "$esp_mib" -ge 63 ] || esp_mib=63
total_mib=$(( esp_mib + 3 ))       # 1 MiB GPT + 1 MiB BIOS boot + ESP + backup GPT
truncate -s "${total_mib}M" "$img"
sgdisk -o -n1:2048:+1M -t1:ef02 -c1:"BIOS boot" \
	-n2:0:0 -t2:ef00 -c2:"PLINTH" "$img" >"$tmp/sgdisk.log" 2>&1 ||
	{ cat "$tmp/sgdisk.log" >&2; exit 1; }
bios_lba=2048
esp_lba=$(sgdisk -i2 "$img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
esp_end=$(sgdisk -i2 "$img" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
esp_sectors=$(( esp_end - esp_lba + 1 ))
esp="$img@@$(( esp_lba * 512 ))"

# ---- grub.cfg (shared by the BIOS and UEFI GRUBs) ----------------------------
cat > "$tmp/grub.cfg" <<CFG
# Plinth USB stick (tools/mkusb.sh). Every file of /plinth/ but the kernel is
# a boot module named by its path; Plinth reads /plinth/plinth.toml.
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
set default=0
insmod regexp
menuentry "Plinth" {
	multiboot2 /plinth/plinth.elf $cmdline
	for f in /plinth/*; do
		if [ "\$f" != "/plinth/plinth.elf" ]; then
			module2 "\$f" "\$f"
		fi
	done
	boot
}
CFG

# ---- GRUB images -------------------------------------------------------------
mods="part_gpt part_msdos fat multiboot2 serial terminal normal configfile
	test regexp echo ls search search_fs_file boot"
# BIOS: core.img in the BIOS boot partition; its prefix names partition 2 of
# the disk the BIOS booted from.
# shellcheck disable=SC2086
grub-mkimage -O i386-pc -o "$tmp/core.img" -p '(,gpt2)/boot/grub' \
	biosdisk $mods
core_sectors=$(( ($(wc -c < "$tmp/core.img") + 511) / 512 ))
[ "$core_sectors" -le 2048 ] || { echo "mkusb.sh: core.img too big" >&2; exit 1; }
# UEFI: the prefix is relative to the ESP GRUB was loaded from.
# shellcheck disable=SC2086
grub-mkimage -O x86_64-efi -o "$tmp/BOOTX64.EFI" -p /boot/grub \
	efi_gop efi_uga $mods

# le64 OFFSET VALUE: write VALUE as 8 little-endian bytes at byte OFFSET.
le64() {
	v=$2 s=""
	for _ in 1 2 3 4 5 6 7 8; do
		s="$s$(printf '\\0%03o' $(( v & 255 )))"
		v=$(( v >> 8 ))
	done
	printf '%b' "$s" | dd of="$img" bs=1 seek="$1" conv=notrunc status=none
}
# core.img: its first sector (diskboot.img) loads the rest by the blocklist
# at its end (start LBA u64 at 0x1f4, sector count u16 at 0x1fc: set by
# grub-mkimage).
dd if="$tmp/core.img" of="$img" bs=512 seek="$bios_lba" conv=notrunc status=none
le64 $(( bios_lba * 512 + 0x1f4 )) $(( bios_lba + 1 ))
# boot.img: the MBR's code (first 440 bytes; the protective MBR's partition
# table stays), with the LBA of core.img at 0x5c and the drive check at 0x66
# replaced by NOPs (BIOSes hand over USB sticks with odd DL values).
dd if="$PC/boot.img" of="$img" bs=440 count=1 conv=notrunc status=none
le64 $(( 0x5c )) "$bios_lba"
printf '\220\220' | dd of="$img" bs=1 seek=$(( 0x66 )) conv=notrunc status=none

# ---- The EFI system partition ------------------------------------------------
export MTOOLS_SKIP_CHECK=1
mformat -i "$esp" -F -T "$esp_sectors" -h 64 -s 32 -H "$esp_lba" -v PLINTH ::
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/boot ::/boot/grub ::/plinth
if [ -n "$loader" ]; then
	mmd -i "$esp" ::/EFI/grub ::/EFI/plinth
	mcopy -i "$esp" "$loader" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$esp" "$tmp/BOOTX64.EFI" ::/EFI/grub/grubx64.efi
	printf '%s\n' "$cmdline" > "$tmp/cmdline.txt"
	mcopy -i "$esp" "$tmp/cmdline.txt" ::/EFI/plinth/cmdline.txt
else
	mcopy -i "$esp" "$tmp/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
fi
mcopy -i "$esp" "$tmp/grub.cfg" ::/boot/grub/grub.cfg
mcopy -i "$esp" "$kernel" ::/plinth/plinth.elf
mcopy -i "$esp" "$config" ::/plinth/plinth.toml
for f in "$@"; do
	mcopy -i "$esp" "$f" "::/plinth/$(basename "$f")"
done
sgdisk -v "$img" | grep -q "No problems found" || { sgdisk -v "$img" >&2; exit 1; }
mv "$img" "$out"
