#!/usr/bin/env python3
"""`make run-bochs`: boot the ISO in Bochs with a VT-x CPU and show its serial output."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iso", help="a bootable ISO (make iso)")
    ap.add_argument("--cpu", default="corei7_skylake_x", help="Bochs CPU model (ryzen: AMD-V)")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--kernel", help="build an ISO of this kernel with --modules instead of --iso")
    ap.add_argument("--modules", default="",
                    help='boot modules: "PATH,PATH": a plinth.toml and the kernels it names (docs/config.md)')
    args = ap.parse_args()
    if args.kernel:
        mods = [tuple((m.strip().split(" ", 1) + [""])[:2]) for m in args.modules.split(",") if m.strip()]
        args.iso = emulators.make_iso(args.kernel, emulators.bochs_cmdline(""), mods)
    print(f"run-bochs: {args.cpu}; Ctrl-C ends it", flush=True)
    log = os.path.join(os.path.dirname(args.iso), "bochs-serial.log")
    emulators.run_bochs(args.iso, log, cpu=args.cpu, timeout=args.timeout,
                        follow=lambda s: (sys.stdout.write(s), sys.stdout.flush()))


if __name__ == "__main__":
    main()
