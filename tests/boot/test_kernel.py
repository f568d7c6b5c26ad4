"""In-kernel self-tests and the command line: memory, heap, MSR fixups,
console selection, log levels, CPUs without virtualization."""
import pytest

import emulators
from checks import expect_lines, expect_status, explain


@pytest.mark.parametrize("test", ["mm", "heap", "fixup", "nmi"])
def test_selftest_passes(qemu, test):
    run = qemu(f"test={test}")
    expect_lines(run, f"self-test {test}: PASS")
    expect_status(run, emulators.PASS)


def test_rdmsr_safe_recovers_bochs(bochs):
    """QEMU 7.2's TCG reads unknown MSRs as 0 without #GP; Bochs faults like hardware."""
    run = bochs("test=rdmsr-safe")
    expect_lines(run, "self-test rdmsr-safe: PASS")
    expect_status(run, emulators.PASS)


def test_memory_above_4g(qemu):
    """RAM above 4 GiB is mapped, added after the page tables go live, and allocatable."""
    run = qemu("test=mm", memory="5G", timeout=180)
    expect_status(run, emulators.PASS)
    above = [l for l in run.lines("[mm] RAM:") if "above 4 GiB" in l]
    assert above and not above[0].startswith("[mm] RAM: 0 MiB"), explain(run)


def test_modules_are_reserved(qemu_iso, tmp_path):
    """A multiboot2 module is reported and never handed out by the allocator."""
    module = tmp_path / "guest.bin"
    module.write_bytes(bytes(range(256)) * 4096)  # 1 MiB
    run = qemu_iso("test=mm", modules=[str(module)])
    expect_lines(run, "[boot] module ", "guest.bin", "self-test mm: PASS")
    expect_status(run, emulators.PASS)


def test_unknown_selftest_lists_known_ones(qemu):
    run = qemu("test=no-such-test")
    expect_lines(run, "test=no-such-test: no such self-test", "  fault ")
    expect_status(run, emulators.FAIL)


def test_no_virtualization_says_so_and_stops(qemu):
    run = qemu("test=boot", cpu="qemu64,-svm")
    expect_lines(run, "neither Intel VT-x (VMX) nor AMD-V (SVM)")
    expect_status(run, emulators.FAIL)
    assert "self-test boot: PASS" not in run.log


def test_console_on_com2(qemu, tmp_path):
    com2 = tmp_path / "com2.log"
    run = qemu("console=com2,57600 test=boot", serial_files=[str(com2)])
    text = com2.read_text().replace("\r", "")
    assert "serial console on port 0x2f8 at 57600 baud" in text, text
    assert "self-test boot: PASS" in text and "self-test boot: PASS" not in run.log, text
    assert "[core] Plinth " not in run.log  # everything after the switch is on COM2


def test_bad_console_value_is_reported(qemu):
    run = qemu("console=com9 test=boot")
    expect_lines(run, "console=com9: not a serial port", "self-test boot: PASS")


def test_loglevel_error_hides_info(qemu):
    run = qemu("loglevel=error test=boot")
    expect_status(run, emulators.PASS)
    assert "[mm]" not in run.log and "[cpu]" not in run.log, explain(run)


def test_loglevel_bad_value(qemu):
    run = qemu("loglevel=chatty test=boot")
    expect_lines(run, "loglevel=chatty: unknown")
    expect_status(run, emulators.PASS)


@pytest.mark.parametrize("emulator,reason", [
    ("qemu", "EFER.LME and CR0.PG are set but CR4.PAE is clear"),   # SVM: VMRUN refuses
    ("bochs", "IA-32e mode guest with CR4.PAE clear"),              # VMX: VM entry fails
])
def test_invalid_guest_state_stops_only_that_guest(request, emulator, reason):
    """The CPU refuses the state at entry; Plinth names the failed check, stops
    that guest only, dumps its registers, and goes on."""
    run = request.getfixturevalue(emulator)("test=invalid-state")
    expect_lines(run, "bad-state stopped: the CPU refused the guest state:", reason, "rip 0x",
                 "self-test invalid-state: PASS")
    expect_status(run, emulators.PASS)
