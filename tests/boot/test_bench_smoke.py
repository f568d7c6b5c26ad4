"""Smoke test of `make bench` (docs/bench.md): tools/bench/run.py --smoke runs
every benchmark once with tiny counts (one short boot each), so the suite
cannot rot. It checks that every figure is there and sane; the figures
themselves are judged by `make bench`, not here."""
import json
import os
import subprocess
import sys

import pytest

import emulators

RUN = os.path.join(emulators.ROOT, "tools", "bench", "run.py")
EXIT_OPS = ("cpuid", "pio", "hypercall", "mmio", "hlt_wake")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    fetch = subprocess.run(["sh", "tools/fetch-linux.sh"], cwd=emulators.ROOT,
                           capture_output=True, text=True)
    if fetch.returncode != 0:
        pytest.fail(f"tools/fetch-linux.sh failed:\n{fetch.stdout}{fetch.stderr}")
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run([sys.executable, RUN, "--smoke", "--out", str(out)], cwd=emulators.ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"run.py --smoke failed:\n{proc.stdout}{proc.stderr}"
    with open(out / "results.json") as f:
        results = json.load(f)
    return proc.stdout, {fig["name"]: fig for fig in results["figures"]}


def test_every_figure_is_reported(smoke):
    _, figs = smoke
    expected = [f"exit.{op}" for op in EXIT_OPS] + [
        "calibration.nop_loop_bare", "calibration.nop_loop_plinth",
        "boot.plinth_entry_to_first_guest", "boot.linux_bare", "boot.linux_plinth",
        "boot.linux_ratio", "boot.linux_exits", "footprint.image_text", "footprint.image_bss",
        "footprint.memory_at_rest", "footprint.per_guest.256M.2m", "footprint.per_guest.4G.2m",
        "footprint.per_guest.64G.2m", "footprint.per_guest.64G.1g", "footprint.device_state",
        "host.stage2_map_unmap_64g_2m", "host.stage2_map_unmap_64g_1g",
        "host.config_parse_100", "host.sched_pick_next_4", "host.sched_pick_next_64",
        "host.sched_pick_next_1024"]
    missing = [name for name in expected if name not in figs]
    assert not missing, f"figures missing: {missing}"
    for fig in figs.values():
        assert set(fig) == {"name", "value", "unit", "target", "met", "note"}, fig
        assert fig["met"] is None or fig["met"] == (fig["value"] <= fig["target"]), fig


def test_figures_are_sane(smoke):
    _, figs = smoke
    # The TSC counts instructions: a NOP loop is 3 instructions per iteration.
    for where in ("bare", "plinth"):
        assert 3.0 <= figs[f"calibration.nop_loop_{where}"]["value"] < 3.2
    # Every exit costs the hypervisor something: nested above the baseline.
    for op in EXIT_OPS:
        assert figs[f"exit.{op}"]["value"] > 0, figs[f"exit.{op}"]
        assert figs[f"exit.{op}"]["target"] in (150, 300)
    assert figs["boot.linux_plinth"]["value"] > figs["boot.linux_bare"]["value"] > 10**8
    assert 1.0 < figs["boot.linux_ratio"]["value"] < 3.0
    assert figs["boot.linux_exits"]["value"] > 1000
    assert figs["boot.plinth_entry_to_first_guest"]["value"] > 0
    # Bigger guests never need fewer stage-2 table pages.
    sizes = [figs[f"footprint.per_guest.{s}.2m"]["value"] for s in ("256M", "4G", "64G")]
    assert 0 < sizes[0] <= sizes[1] < sizes[2]
    assert figs["footprint.per_guest.4G.2m"]["target"] == 64 * 1024
    for name, fig in figs.items():
        if name.startswith("host."):
            assert fig["value"] > 0, fig


def test_table_shows_targets(smoke):
    stdout, _ = smoke
    assert "exit.cpuid" in stdout and "<= 150" in stdout and "<= 1.05" in stdout
    assert "targets met:" in stdout
