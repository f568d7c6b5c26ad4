#!/bin/sh
# Build a GRUB rescue ISO (BIOS and UEFI) that boots plinth.elf by multiboot2.
# usage: mkiso.sh OUT.iso KERNEL [CMDLINE] [MODULE...]
set -eu
out=$1 kernel=$2 cmdline=${3:-}
shift 2; [ $# -gt 0 ] && shift
tmp=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$tmp" "$log"' EXIT
mkdir -p "$tmp/boot/grub" "$tmp/modules"
cp "$kernel" "$tmp/boot/plinth.elf"
modlines=""
for m in "$@"; do
	cp "$m" "$tmp/modules/"
	modlines="$modlines
	module2 /modules/$(basename "$m") $(basename "$m")"
done
cat > "$tmp/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
set default=0
menuentry "Plinth" {
	# The GOP framebuffer for Plinth's screen console under UEFI needs
	# GRUB's video drivers (on a BIOS the text mode stays).
	if [ "\$grub_platform" = efi ]; then
		insmod all_video
	fi
	multiboot2 /boot/plinth.elf $cmdline$modlines
	boot
}
CFG
# grub-mkrescue prints progress on stderr; keep it for failures only.
if ! grub-mkrescue -o "$out" "$tmp" >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
