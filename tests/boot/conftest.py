"""Boot-test fixtures: the kernel image, per-test serial logs, emulator runs."""
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import emulators  # noqa: E402

LOG_DIR = os.path.join(ROOT, "build", "test", "logs")


def pytest_configure(config):
    # tools/run-tests.py runs these after the others, one at a time.
    config.addinivalue_line(
        "markers", "alone: measures CPU shares across emulated CPUs, which another emulator "
        "on the same host CPUs would skew: run with no other test beside it")


@pytest.fixture(scope="session")
def kernel():
    path = os.path.join(ROOT, "build", "plinth.elf")
    if not os.path.exists(path):
        pytest.fail("build/plinth.elf is missing: run `make` (make test builds it first)")
    return path


@pytest.fixture
def log_path(request):
    os.makedirs(LOG_DIR, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    return os.path.join(LOG_DIR, name + ".log")


@pytest.fixture
def qemu(kernel, log_path):
    """Boot with QEMU TCG (AMD-V CPU) via -kernel; keyword args go to run_qemu."""
    def boot(cmdline="", **kw):
        kw.setdefault("kernel", kernel)
        return emulators.run_qemu(log_path, cmdline=cmdline, **kw)
    return boot


@pytest.fixture
def qemu_iso(kernel, log_path):
    """Boot QEMU from a GRUB ISO (multiboot2), firmware 'bios' or 'uefi'."""
    def boot(cmdline="", modules=(), **kw):
        iso = emulators.make_iso(kernel, cmdline, modules)
        return emulators.run_qemu(log_path, iso=iso, **kw)
    return boot


@pytest.fixture
def bochs(kernel, log_path):
    """Boot Bochs from a GRUB ISO; default CPU model has VT-x with EPT."""
    def boot(cmdline="", modules=(), **kw):
        iso = emulators.make_iso(kernel, emulators.bochs_cmdline(cmdline), modules)
        return emulators.run_bochs(iso, log_path, **kw)
    return boot

