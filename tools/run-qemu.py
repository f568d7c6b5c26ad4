#!/usr/bin/env python3
"""`make run`: boot Plinth in QEMU with the serial console on this terminal.

Uses KVM with `-cpu host` when /dev/kvm is usable and the host CPU has VT-x or
AMD-V (Plinth needs them passed through: nested virtualization), otherwise
TCG emulating an AMD-V CPU with nested paging.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators  # noqa: E402


def kvm_can_nest():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    try:
        flags = open("/proc/cpuinfo").read().split()
    except OSError:
        return False
    return "vmx" in flags or "svm" in flags


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--append", default="", help="hypervisor command line")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--modules", default="",
                    help='boot modules: "PATH,PATH": a plinth.toml and the kernels it names (docs/config.md)')
    args = ap.parse_args()
    kvm = kvm_can_nest()
    cmd = emulators.qemu_command(kernel=args.kernel, cmdline=args.append, memory=args.memory,
                                 cpu="host" if kvm else emulators.SVM_CPU,
                                 extra=["-serial", "mon:stdio"] +
                                 (["-initrd", args.modules] if args.modules else []))
    cmd[cmd.index("-accel") + 1] = "kvm" if kvm else "tcg"
    print(f"run: {'KVM' if kvm else 'TCG (AMD-V emulated)'}; quit with Ctrl-A X", flush=True)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
