#!/usr/bin/env python3
"""`make run-bochs`: boot the ISO in Bochs with a VT-x CPU and show its serial output."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iso", required=True)
    ap.add_argument("--cpu", default="corei7_skylake_x", help="Bochs CPU model (ryzen: AMD-V)")
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args()
    print(f"run-bochs: {args.cpu}; Ctrl-C ends it", flush=True)
    log = os.path.join(os.path.dirname(args.iso), "bochs-serial.log")
    emulators.run_bochs(args.iso, log, cpu=args.cpu, timeout=args.timeout,
                        follow=lambda s: (sys.stdout.write(s), sys.stdout.flush()))


if __name__ == "__main__":
    main()
