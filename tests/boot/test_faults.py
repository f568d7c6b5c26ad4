"""Faults in the hypervisor end in the panic dump: reason, registers,
symbolized backtrace; W^X, NX, guard pages and the IST stacks hold."""
import pytest

import emulators
from checks import expect_lines, expect_status

REGISTERS = ("rip 0x", "rax 0x", "r15 0x", "cr0 0x", "cr3 0x", "backtrace:")


def expect_panic(run, *needles):
    expect_status(run, emulators.PANIC)
    expect_lines(run, "PANIC:", *REGISTERS, *needles)


def test_page_fault_dump(qemu):
    run = qemu("test=fault")
    expect_panic(run, "vector 14 (#PF page fault)", "CR2 (fault address) 0x0000700000000000",
                 "read from data, not-present page", "<st_fault+0x")
    # The backtrace goes back through the self-test runner to kmain.
    bt = run.log[run.log.index("backtrace:"):]
    assert "st_fault+0x" in bt and "selftest_run+0x" in bt and "kmain+0x" in bt, bt


@pytest.mark.parametrize("test,needles", [
    ("null", ["vector 14", "CR2 (fault address) 0x0000000000000000"]),
    ("wx-text", ["vector 14", "write to data, protection violation on a present page"]),
    ("wx-rodata", ["vector 14", "write to data, protection violation on a present page"]),
    ("nx-data", ["vector 14", "instruction fetch from code, protection violation"]),
    ("stack-overflow", ["vector 8 (#DF double fault)",
                        "stack overflow into the guard page below the boot stack"]),
    ("ud", ["vector 6 (#UD invalid opcode)", "<st_ud+0x"]),
    ("panic", ["PANIC: self-test: deliberate panic (code 42)", "st_panic+0x"]),
])
def test_fault_family(qemu, test, needles):
    expect_panic(qemu(f"test={test}"), *needles)


def test_page_fault_dump_bochs(bochs):
    expect_panic(bochs("test=fault"), "vector 14 (#PF page fault)",
                 "CR2 (fault address) 0x0000700000000000", "<st_fault+0x")
