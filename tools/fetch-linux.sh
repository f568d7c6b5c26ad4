#!/bin/sh
# Fetch a real Linux guest from Debian's packages into build/linux/ (never
# committed; docs/linux.md):
#   build/linux/vmlinuz            the cloud kernel (linux-image-*-cloud-amd64)
#   build/linux/initramfs.cpio.gz  busybox-static + an /init that prints the
#                                  boot benchmark's TSC marker, reports and
#                                  powers off (or gives a shell: plinth.shell)
#   build/linux/kernel-package     which package vmlinuz came from
# Only `apt-get download` touches the network; dpkg-deb unpacks the packages
# without installing them; tools/mkcpio.py writes the archive without root.
# Idempotent: nothing is fetched or rebuilt when the files are up to date.
#
#   tools/fetch-linux.sh           fetch/build what is missing or stale
#   tools/fetch-linux.sh --check   then boot them in QEMU TCG (no Plinth) and
#                                  check the /init markers, with the time taken
# Exits non-zero with a "fetch-linux: ..." message when something fails.
set -eu

cd "$(dirname "$0")/.."
OUT=${PLINTH_LINUX_DIR:-build/linux}
PYTHON=${PYTHON:-/usr/bin/python3}
CHECK=0
case "${1:-}" in
--check) CHECK=1 ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

die() { echo "fetch-linux: $*" >&2; exit 1; }
newer() { [ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]; } # $1 newer than $2

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK="$OUT/tmp"

# One fetch at a time: parallel boot tests (pytest -n 2) each ask for the
# files, and two runs sharing $WORK delete each other's downloads. flock is
# in util-linux (essential in Debian); the lock is let go when this exits.
exec 9>"$OUT/.fetch.lock"
flock 9

# apt-get download writes into the current directory; as root it warns that
# its sandbox user cannot write there: let it run as root instead.
APT="apt-get -q"
[ "$(id -u)" -eq 0 ] && APT="$APT -o APT::Sandbox::User=root"

download() { # package -> the .deb's path in $WORK
	rm -rf "$WORK" && mkdir -p "$WORK"
	(cd "$WORK" && $APT download "$1" >"$WORK/apt.log" 2>&1) ||
		die "apt-get download $1 failed (no network or no apt lists?): $(tail -n 2 "$WORK/apt.log" | tr '\n' ' ')"
	set -- "$WORK"/*.deb
	deb=$1
	[ -f "$deb" ] || die "apt-get download gave no .deb"
	echo "fetch-linux: fetched $(basename "$deb")" >&2
	echo "$deb"
}

# ---- The kernel -------------------------------------------------------------
command -v apt-cache >/dev/null 2>&1 || die "apt-cache not found: a Debian system is needed"
KPKG=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ { print $2; exit }')
if [ -z "$KPKG" ]; then
	KPKG=$(apt-cache search --names-only '^linux-image-[0-9].*-cloud-amd64$' 2>/dev/null |
		awk '{ print $1 }' | grep -v -- '-dbg$' | sort -V | tail -n 1)
fi
[ -n "$KPKG" ] || die "no linux-image-*-cloud-amd64 package known to apt (run apt-get update?)"

if [ -s "$OUT/vmlinuz" ] && [ "$(cat "$OUT/kernel-package" 2>/dev/null)" = "$KPKG" ]; then
	:
else
	deb=$(download "$KPKG")
	dpkg-deb --fsys-tarfile "$deb" | (cd "$WORK" && tar -xf - --wildcards './boot/vmlinuz-*') ||
		die "$deb: no boot/vmlinuz-* inside"
	cp "$WORK"/boot/vmlinuz-* "$OUT/vmlinuz.tmp"
	mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
	echo "$KPKG" >"$OUT/kernel-package"
	rm -rf "$WORK"
	echo "fetch-linux: $OUT/vmlinuz from $KPKG ($(wc -c <"$OUT/vmlinuz") bytes)"
fi

# ---- busybox-static -----------------------------------------------------------
if [ ! -s "$OUT/busybox" ]; then
	deb=$(download busybox-static)
	dpkg-deb --fsys-tarfile "$deb" | (cd "$WORK" && tar -xf - ./bin/busybox) ||
		die "$deb: no bin/busybox inside"
	cp "$WORK/bin/busybox" "$OUT/busybox.tmp"
	chmod 755 "$OUT/busybox.tmp"
	mv "$OUT/busybox.tmp" "$OUT/busybox"
	rm -rf "$WORK"
	echo "fetch-linux: $OUT/busybox"
fi

# ---- The initramfs ------------------------------------------------------------
CPIO="$OUT/initramfs.cpio.gz"
if [ -s "$CPIO" ] && newer "$CPIO" tools/fetch-linux.sh && newer "$CPIO" tools/mkcpio.py &&
	newer "$CPIO" "$OUT/busybox" && newer "$CPIO" tools/bench/tsc-marker.c; then
	:
else
	ROOT="$OUT/initramfs"
	rm -rf "$ROOT"
	mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/dev" "$ROOT/proc" "$ROOT/sys" "$ROOT/tmp" "$ROOT/root"
	cp "$OUT/busybox" "$ROOT/bin/busybox"
	ln -s busybox "$ROOT/bin/sh"
	# The boot benchmark's marker (tools/bench/tsc-marker.c, docs/bench.md).
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -fno-pie -no-pie \
		-fno-stack-protector -o "$ROOT/bin/plinth-tsc" tools/bench/tsc-marker.c ||
		die "cannot build tools/bench/tsc-marker.c"
	cat >"$ROOT/init" <<'EOF'
#!/bin/busybox sh
# Plinth's test initramfs (tools/fetch-linux.sh, docs/linux.md).
/bin/plinth-tsc
/bin/busybox --install -s /bin
export PATH=/bin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo PLINTH-LINUX-INIT-OK
uname -a
echo "cpus: $(grep -c '^processor' /proc/cpuinfo)"
echo "cpu model: $(grep -m 1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
echo "plinth $$" >/tmp/roundtrip
if [ "$(cat /tmp/roundtrip)" = "plinth $$" ]; then
	echo "file-roundtrip: ok"
else
	echo "file-roundtrip: FAILED"
fi
case " $(cat /proc/cmdline) " in
*" plinth.panic "*)
	echo "PLINTH-LINUX-PANIC: init exits, the kernel panics"
	exit 1
	;;
*" plinth.shell "*)
	echo "PLINTH-LINUX-SHELL: a shell on the console; 'poweroff -f' ends the guest"
	setsid cttyhack sh -l || sh -l
	;;
esac
echo PLINTH-LINUX-DONE
poweroff -f
EOF
	chmod 755 "$ROOT/init"
	"$PYTHON" tools/mkcpio.py "$CPIO" "$ROOT" --nod /dev/console 0600 5 1 c --nod /dev/null 0666 1 3 c ||
		die "tools/mkcpio.py failed"
	rm -rf "$ROOT"
	echo "fetch-linux: $CPIO ($(wc -c <"$CPIO") bytes)"
fi

# Up to date now: tell make so (it compares with this script's own time).
touch "$OUT/vmlinuz" "$CPIO"
[ "$CHECK" -eq 1 ] || exit 0

# ---- --check: boot them directly in QEMU TCG ----------------------------------
command -v qemu-system-x86_64 >/dev/null 2>&1 || die "qemu-system-x86_64 not found (tools/deps.sh)"
LOG="$OUT/check.log"
APPEND="console=ttyS0 noapic nolapic acpi=off"
echo "fetch-linux: booting $OUT/vmlinuz in QEMU TCG (-m 256M, $APPEND), log $LOG"
rm -f "$LOG"
start=$(date +%s.%N)
qemu-system-x86_64 -accel tcg -m 256M -kernel "$OUT/vmlinuz" -initrd "$CPIO" \
	-append "$APPEND" -display none -serial "file:$LOG" -monitor none \
	-no-reboot </dev/null >/dev/null 2>&1 &
qpid=$!
# With acpi=off there is no power-off device: `poweroff -f` ends in
# "reboot: System halted" and QEMU keeps running; then it is stopped here.
status=timeout
for _ in $(seq 1 1200); do
	if ! kill -0 "$qpid" 2>/dev/null; then
		status=exited
		break
	fi
	if grep -q -e 'reboot: System halted' -e 'reboot: Power down' "$LOG" 2>/dev/null; then
		status=halted
		break
	fi
	sleep 0.1
done
end=$(date +%s.%N)
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
for m in PLINTH-LINUX-INIT-OK 'file-roundtrip: ok' PLINTH-LINUX-DONE; do
	grep -q "$m" "$LOG" || die "--check: '$m' missing after ${secs}s ($status); see $LOG"
done
echo "fetch-linux: --check ok in ${secs}s ($status): $(grep -m 1 '^Linux ' "$LOG" || true)"
grep -e '^cpus:' -e '^cpu model:' "$LOG" | sed 's/^/fetch-linux:   /'
