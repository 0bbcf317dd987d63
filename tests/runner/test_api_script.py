"""The README's Python API snippet works when saved as a plain script.

A script without an ``if __name__ == "__main__":`` guard used to break the process
pool: every worker re-ran the script. The snippet is taken from the README as written
(only the run count and the output folder are made small), saved as a file, and run
with the process executor in a fresh interpreter.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Python API"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README has no Python API snippet"
    return match.group(1)


def test_readme_snippet_runs_as_a_script(tmp_path: Path) -> None:
    snippet = _readme_snippet()
    assert "runs=20_000" in snippet
    assert 'out="results/flagship"' in snippet
    out = tmp_path / "flagship"
    script = tmp_path / "readme_snippet.py"
    script.write_text(snippet.replace("runs=20_000", "runs=24, workers=2").replace(
        'out="results/flagship"', f"out={str(out)!r}"))
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert (out / "manifest.json").is_file()
    # the snippet prints the headline table, then one probability
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("Results("), proc.stdout[:2000]
    assert any("us_hard_line" in line and "us_strike" in line for line in lines)
    assert 0.0 <= float(lines[-1]) <= 1.0
