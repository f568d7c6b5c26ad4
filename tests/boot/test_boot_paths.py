"""The four boot paths: QEMU -kernel (multiboot1), GRUB ISO with SeaBIOS and
with OVMF (multiboot2), and Bochs with a VT-x CPU."""
import os
import subprocess

import emulators
from checks import expect_clean_boot, expect_lines, explain

ROOT = emulators.ROOT


def test_qemu_multiboot1_svm(qemu):
    run = qemu("test=boot")
    expect_clean_boot(run, "multiboot1")
    # TCG emulates SVM with NPT but not NRIP save.
    expect_lines(run, "npt=yes nrips=no", "virtualization backend: AMD-V (SVM)")


def test_qemu_iso_seabios_multiboot2(qemu_iso):
    run = qemu_iso("test=boot")
    expect_clean_boot(run, "multiboot2")
    expect_lines(run, "loader 'GRUB", "[boot] ACPI RSDP: OEM")


def test_qemu_iso_ovmf_multiboot2(qemu_iso):
    run = qemu_iso("test=boot", firmware="uefi", timeout=120)
    expect_clean_boot(run, "multiboot2")
    expect_lines(run, "[boot] EFI memory map:", "[boot] EFI system table at",
                 "[boot] ACPI RSDP: OEM")


def test_bochs_vmx(bochs):
    run = bochs("test=boot")
    expect_clean_boot(run, "multiboot2")
    expect_lines(run, "VT-x: ept=yes", "unrestricted=yes",
                 "virtualization backend: Intel VT-x (VMX) with EPT")


def test_broken_kernel_fails_the_checks(tmp_path, log_path):
    """A kernel that panics early must not pass the boot checks."""
    build = tmp_path / "broken"
    subprocess.run(["make", "-s", f"BUILD={build}", "EXTRA_CFLAGS=-DPLINTH_BREAK_EARLY",
                    f"{build}/plinth.elf"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    run = emulators.run_qemu(log_path, kernel=str(build / "plinth.elf"), cmdline="test=boot")
    assert "deliberately broken build" in run.log, explain(run)
    try:
        expect_clean_boot(run, "multiboot1")
    except AssertionError:
        return
    raise AssertionError("the boot checks accepted a kernel that panics early")
