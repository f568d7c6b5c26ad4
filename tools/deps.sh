#!/bin/sh
# Install every Debian package that building, `make run` and `make test` need.
# Idempotent and silent when everything is there. Uses sudo when not root.
set -eu

PACKAGES="make gcc clang libclang-rt-14-dev binutils python3 python3-pytest python3-pytest-xdist
libcmocka-dev pkg-config libzydis-dev acpica-tools
qemu-system-x86 ovmf gdb
bochs bochsbios vgabios bochs-term bsdutils
grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools gdisk gnu-efi
python3-pexpect"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps.sh: need root or sudo to install:$missing" >&2
	exit 1
fi
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps.sh: done"
