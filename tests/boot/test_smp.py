"""SMP bring-up: CPUs from the MADT, INIT-SIPI-SIPI, each AP enabling the
backend, IPIs and the LAPIC timer (test=smp), and cpus= on the command line."""
import re

import pytest

import emulators
from checks import expect_lines, expect_status, explain
from test_guests import EXITS, ISOLATION, expect_report, image, write_config


def expect_cpus_online(run, n, backend):
    expect_lines(run, f"[smp] {n} CPU{'s' if n > 1 else ''} online")
    for cpu in range(1, n):
        expect_lines(run, f"{backend} enabled on CPU {cpu}:",
                     f"[smp] CPU {cpu} (APIC id {cpu}) online",
                     f"[test] CPU {cpu} (APIC id {cpu}): call IPI answered, reschedule IPI answered",
                     f"[test] CPU {cpu}: LAPIC timer for 20 ms fired")


@pytest.mark.parametrize("cpus", [2, 4])
def test_qemu_smp_svm(qemu, cpus):
    run = qemu("test=smp", smp=cpus)
    ids = " ".join(str(i) for i in range(cpus))
    expect_lines(run, f"[smp] MADT: {cpus} CPUs (APIC ids {ids}), LAPIC at 0xfee00000, 1 I/O APIC",
                 "[lapic] xAPIC mode", "[test] self-test smp: PASS")
    expect_cpus_online(run, cpus, "SVM")
    expect_status(run, emulators.PASS)
    assert "PANIC" not in run.log, explain(run)


@pytest.mark.parametrize("limit,cpus", [(1, 2), (2, 4)])
def test_cpus_limits_the_count(qemu, limit, cpus):
    run = qemu(f"cpus={limit} test=smp", smp=cpus)
    expect_lines(run, f"[smp] cpus={limit}: {cpus - limit} CPU(s) left out",
                 "[test] self-test smp: PASS")
    expect_cpus_online(run, limit, "SVM")
    assert f"[smp] CPU {limit} (APIC id {limit}) online" not in run.log, explain(run)
    expect_status(run, emulators.PASS)


def test_no_acpi_runs_the_boot_cpu_only(qemu):
    run = qemu("test=smp", smp=2, extra=["-machine", "acpi=off"])
    expect_lines(run, "[smp] error: no ACPI RSDP", "only the boot CPU will run",
                 "[smp] 1 CPU online", "[test] self-test smp: PASS")
    expect_status(run, emulators.PASS)


def test_bochs_smp_vmx(bochs):
    """Bochs' second CPU waits for INIT-SIPI-SIPI; it runs x2APIC and VT-x."""
    run = bochs("test=smp", smp=2, timeout=180)
    expect_lines(run, "[smp] MADT: 2 CPUs (APIC ids 0 1)", "[lapic] x2APIC mode",
                 "[test] self-test smp: PASS")
    expect_cpus_online(run, 2, "VMX")
    expect_status(run, emulators.PASS)


def test_panic_on_an_ap(qemu):
    """The dump names the CPU and walks its stack; the boot CPU is stopped by NMI."""
    run = qemu("test=panic-ap", smp=2)
    expect_status(run, emulators.PANIC)
    expect_lines(run, "PANIC: self-test: deliberate panic on CPU 1", "  on CPU 1 (APIC id 1)",
                 "panic_here+0x", "serve_call+0x", "other CPUs stopped (NMI)", "system halted")


def test_guests_share_the_cpus(request):
    """Three guests on two CPUs: the scheduler runs them on both, and each
    one's checks pass wherever it ran."""
    config = write_config(request, [("exits", ""), ("isolation", "name=iso1"),
                                    ("isolation", "name=iso2")])
    initrd = ",".join([config, image("exits"), image("isolation")])
    run = request.getfixturevalue("qemu")("test=guests", smp=2, extra=["-initrd", initrd],
                                          timeout=90)
    expect_lines(run, "[smp] 2 CPUs online", "on 2 CPU(s)", "self-test guests: PASS")
    expect_status(run, emulators.PASS)
    expect_report(run, "exits", EXITS)
    for name in ("iso1", "iso2"):
        expect_report(run, name, ISOLATION)
    for cpu in (0, 1):
        m = re.search(rf"\[sched\] CPU {cpu}: idle \d+ ms, (\d+) schedules", run.log)
        assert m and int(m.group(1)) > 0, f"CPU {cpu} never scheduled a vCPU {explain(run)}"