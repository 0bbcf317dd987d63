"""Start-up: what the light commands import, and Ctrl-C at any moment.

How long start-up takes is measured in ``benchmarks/bench_startup.py``; here we check
the causes, which do not depend on how busy the machine is: the heavy libraries a
command loads, and what the user sees when interrupting it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"
HEAVY = ("pyarrow", "pandas", "scipy.stats", "plotly", "dask", "distributed", "simpy")

PROBE = """
import json, sys
args, names = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["geosim", *args]
from simulator.cli.entry import main
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in names if m in sys.modules)
sys.stderr.write("\\nHEAVY " + json.dumps(heavy) + "\\n")
"""


def heavy_modules_loaded(args: list[str], cwd: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    marker = [line for line in result.stderr.splitlines() if line.startswith("HEAVY ")]
    assert marker, result.stderr
    return list(json.loads(marker[-1].removeprefix("HEAVY ")))


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate", str(FLAGSHIP)], ["validate", "--help"], ["run", "--help"]],
    ids=["help", "validate flagship", "validate help", "run help"],
)
def test_light_commands_import_no_heavy_library(args: list[str]) -> None:
    assert heavy_modules_loaded(args, ROOT) == []


def test_new_imports_no_heavy_library(tmp_path: Path) -> None:
    assert heavy_modules_loaded(["new", "some_crisis", "--dir", str(tmp_path)], tmp_path) == []
    assert (tmp_path / "some_crisis.yaml").is_file()


def test_the_probe_sees_heavy_libraries_when_they_are_loaded() -> None:
    # The check above must be able to fail: `schema` needs nothing heavy either, but
    # loading Arrow by hand in the same process shows up.
    result = subprocess.run(
        [sys.executable, "-c", "import pyarrow\n" + PROBE, json.dumps(["--help"]),
         json.dumps(HEAVY)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert 'HEAVY ["pyarrow"]' in result.stderr


# Interrupt points from the moment geosim's own code starts to well into the validation
# of the flagship. (Before that, Python itself is starting; an interrupt there is
# Python's to report.)
DELAYS = [0.0, 0.002, 0.01, 0.03, 0.06, 0.1, 0.2, 0.35, 0.5, 0.8]


@pytest.mark.parametrize("delay", DELAYS)
def test_ctrl_c_at_any_moment_exits_130_with_one_line(delay: float) -> None:
    # -X importtime reports each import as it completes. The import reported after the
    # entry module is one that main() makes once its interrupt handler is installed:
    # from then on every moment is geosim's to handle. (Between the two, the entry
    # module is loaded but main() has not started: Python's own start-up.)
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "simulator", "validate", str(FLAGSHIP)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    entry_loaded = False
    for line in proc.stderr:
        seen.append(line)
        if entry_loaded:
            break  # the first import made by main(), after it installed its handler
        entry_loaded = line.rstrip().endswith("simulator.cli.entry")
    else:
        pytest.fail("main() never started importing the commands:\n" + "".join(seen))
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    stdout, rest = proc.communicate(timeout=120)
    stderr = [line for line in rest.splitlines() if not line.startswith("import time:")]
    assert not any("Traceback" in line for line in stderr), rest
    if proc.returncode == 0:
        assert stdout.rstrip().endswith(": ok"), stdout  # finished before the signal
        return
    # -SIGINT: the signal came while Python itself was shutting down after the work,
    # when it leaves SIGINT to the system's default; a shell shows that as 130 too.
    assert proc.returncode in (130, -signal.SIGINT), (proc.returncode, rest)
    assert len([line for line in stderr if line.strip()]) <= 1, stderr
