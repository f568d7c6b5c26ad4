#!/usr/bin/env python3
"""`make test`: run the host unit tests and the boot tests, then print one
closing line `N passed, N failed` counting both. Exits non-zero on any
failure, and also when no test ran at all."""
import argparse
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "test")


def run_unit(binary):
    """Run one cmocka binary with TAP output; returns (passed, failed)."""
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    proc = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=600)
    name = os.path.basename(binary)
    with open(os.path.join(OUT, name + ".tap"), "w") as f:
        f.write(proc.stdout + proc.stderr)
    passed = sum(1 for l in proc.stdout.splitlines() if l.startswith("ok "))
    failed = sum(1 for l in proc.stdout.splitlines() if l.startswith("not ok "))
    if proc.returncode != 0 and failed == 0:
        failed = 1  # crashed (e.g. a sanitizer report) before reporting
    status = "ok" if failed == 0 and passed > 0 else "FAILED"
    print(f"unit  {name:28s} {passed:4d} passed {failed:3d} failed  {status}")
    if failed:
        sys.stdout.write(proc.stdout[-4000:] + proc.stderr[-4000:])
    return passed, failed + (1 if passed == 0 and failed == 0 else 0)


def run_pytest(name, args, jobs):
    """One pytest run over tests/boot; returns (passed, failed) from its JUnit XML."""
    xml = os.path.join(OUT, name + ".xml")
    if os.path.exists(xml):
        os.remove(xml)
    cmd = [sys.executable, "-m", "pytest", os.path.join(ROOT, "tests", "boot"), "-q",
           "-p", "no:cacheprovider", f"--junitxml={xml}", "-o", "junit_family=xunit2"]
    if jobs > 1:
        cmd += ["-n", str(jobs)]
    rc = subprocess.run(cmd + args, cwd=ROOT).returncode
    if not os.path.exists(xml):
        return 0, 1
    suite = ET.parse(xml).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    if rc not in (0, 1) and failed == 0:
        failed = 1  # pytest itself failed (5 = no tests collected)
    return total - failed - skipped, failed


def run_boot(jobs, extra):
    """The boot tests, `jobs` emulators at a time; then those marked `alone`
    (CPU-share measurements) one by one, with no emulator beside them."""
    if extra:  # a hand-picked selection: as asked, in one run
        return run_pytest("boot", extra, jobs)
    p1, f1 = run_pytest("boot", ["-m", "not alone"], jobs)
    p2, f2 = run_pytest("boot-alone", ["-m", "alone"], 1)
    return p1 + p2, f1 + f2


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--unit", nargs="*", default=[], help="unit-test binaries")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)

    passed = failed = 0
    for binary in args.unit:
        p, f = run_unit(binary)
        passed, failed = passed + p, failed + f
    p, f = run_boot(args.jobs, args.pytest_args)
    passed, failed = passed + p, failed + f
    if passed + failed == 0:
        failed = 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
