"""The reproduce section: the command that made the runs, seed, versions and digests.

Paths are shown as a reader can use them and without the author's private folders: a path
inside the folder the report is built from is written relative to it, one elsewhere in
the author's home directory relative to that folder too (``../…``), any other path as
recorded.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from simulator.report.context import Context
from simulator.report.figures_outcomes import source_wrap
from simulator.report.html import esc, note


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError):  # no home directory known
        return None


def shown_path(text: str, *, cwd: Path | None = None) -> str:
    """``text`` as a path to print: relative when it is absolute and inside ``cwd`` (the
    current directory) or the home directory; else unchanged. Relative paths are kept
    (they were typed relative to the folder the command ran in)."""
    if not text or not os.path.isabs(text):
        return text
    here = (cwd or Path.cwd()).resolve()
    path = Path(os.path.normpath(text))
    home = _home()
    if path.is_relative_to(here) or (home is not None and path.is_relative_to(home)):
        try:
            return os.path.relpath(path, here)
        except ValueError:  # another drive (Windows)
            return path.name
    return text


def shown_command(command: str, *, cwd: Path | None = None) -> str:
    """The recorded command with each absolute path argument shown by :func:`shown_path`
    (``--out=/a/b`` too), every argument quoted for a POSIX shell where it needs it."""
    words = []
    for word in command.split():
        if word.startswith("--") and "=" in word:
            option, value = word.split("=", 1)
            words.append(f"{option}={shlex.quote(shown_path(value, cwd=cwd))}")
        else:
            words.append(shlex.quote(shown_path(word, cwd=cwd)))
    return " ".join(words)


def reproduce_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        m = source.results.manifest
        command = shown_command(str(m.get("command") or ""))
        scenario_file = shown_path(str(m.get("scenario_file", "")))
        rows = [
            ("scenario", f'{m.get("scenario_id", "")} — {scenario_file}'),
            ("scenario SHA-256", m.get("scenario_sha256", "")),
            ("seed", m.get("seed", "")), ("runs per variant", f'{int(m.get("runs", 0)):,}'),
            ("variants", ", ".join(str(v) for v in m.get("variants", []))),
            ("engine / executor", (f'{m.get("engine", "")} / {m.get("executor", "")} '
                                  f'({m.get("workers", "?")} workers, chunks of '
                                  f'{m.get("chunk_size", "?")})')),
            ("versions", (f'geosim {m.get("version", "")}, Python {m.get("python", "")}, '
                         f'NumPy {m.get("numpy", "")}, SimPy {m.get("simpy", "")}')),
            ("run at", (f'{m.get("started", "")} → {m.get("finished", "")} '
                       f'({m.get("seconds", "?")} s)')),
            ("digest (all runs)", m.get("digest", "")),
        ]
        rows += [(f"digest · {v}", d) for v, d in (m.get("variant_digests") or {}).items()]
        body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>"
                       for k, v in rows)
        cmd = ('<p>Run this command in the project folder (its paths are relative to it) to '
               'get the same runs; the digests must match.</p>'
               f'<pre class="cmd"><code>{esc(command)}</code></pre>'
               if command else note("The command was not recorded."))
        out.append(source_wrap(ctx, source.key, source.title,
                               cmd + f'<div class="table-wrap"><table class="kv">{body}'
                               f"</table></div>"))
    return "".join(out)
