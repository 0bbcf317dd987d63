"""Fuzzing the whole pipeline: whatever a student types, geosim answers with diagnostics.

Random edits of valid scenarios (lines deleted, duplicated, swapped, re-indented; values
replaced by tricky YAML and expression tokens) and random bytes must never make
:func:`read_scenario` raise, :func:`load_scenario` raise anything but
:class:`ScenarioError`, or either hang. When a mutated file loads, every variant must
compile: a validated scenario always compiles.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator import compile_model
from simulator.errors import ScenarioError
from simulator.loading import ScenarioFile, load_scenario, read_scenario
from simulator.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]

MINI = (Path(__file__).parents[1] / "data" / "mini.yaml").read_text()


def _seeds() -> list[str]:
    """Valid scenarios to mutate; small ones repeated so examples stay fast."""
    texts = {"mini": MINI}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        # the copies live in a temporary folder, where a named register's relative path
        # does not resolve; without the line the (absent) register is simply not checked
        texts[path.name] = re.sub(r"(?m)^evidence_register:.*\n", "",
                                  path.read_text(encoding="utf-8"))
    seeds: list[str] = []
    for text in texts.values():
        lines = text.count("\n")
        seeds += [text] * (4 if lines < 100 else 2 if lines < 400 else 1)
    return seeds


SEEDS = _seeds()

TOKENS = [
    "no", "on", "off", "yes", "true", "false", "null", "~", "1:30", "1.10", "0x1F", "0o17",
    "1_000", "[", "]", "{", "}", "[]", "{}", "&a", "*a", "!!str", "!!python/object:os.system",
    "!x", "1e999", "-1e999", "nan", ".nan", ".inf", "inf", "-1", "-0", "0", "150%", "-5%",
    "5% to 2%", "1 to 2 years", "0 days", "per fortnight", "2 per fortnight",
    "1 in 0 per year", "__import__('os')", "().__class__", "a.b.c", "fired(x)",
    "fired(us.nope)", "count(mx.backlash)", "escalation", "strike", "t", "us.surveil",
    "(" * 80 + "1" + ")" * 80, "(((((", ")))", "9 ** 9 ** 9", "1/0", "0/0", "log(0)",
    "sqrt(-1)", "exp(1000)", "min()", "clip(1, 2)", "beta(0, 0)", "normal(0, -1)",
    "uniform(1, 0)", "pert(1, 0, 2)", "x = 1", "a if b", "not", "and or", "1 <", "'", '"',
    "'unterminated", "#", "- x", "? x", ": ", "|", ">", "%", "@", "`", "---", "...", "\t",
    "é", "\u202e", "\ufeff", "2026-13-45", "2026-02-30", "20260105", "1 year", "30 days",
    "2 to 6 weeks", "0.5", "1.5", "3 > 0", "Bad-Name", "baseline", "a" * 200,
    "1" + " + 1" * 300,
]

_WORD = st.sampled_from(TOKENS)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(
            ["delete", "duplicate", "swap", "indent", "dedent", "tab", "value", "insert",
             "key"]))
        line = lines[i]
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 4)) + line
        elif op == "dedent":
            lines[i] = line[draw(st.integers(1, 4)):]
        elif op == "tab":
            lines[i] = "\t" + line.lstrip(" ")
        elif op == "value":  # replace what follows the first `: ` (or the list item)
            cut = line.find(": ")
            cut = cut + 2 if cut >= 0 else line.find("- ") + 2 if "- " in line else 0
            lines[i] = line[:cut] + draw(_WORD)
        elif op == "insert":  # a token anywhere inside the line
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(_WORD) + line[at:]
        else:  # a new key with a tricky value, at the line's indentation
            indent = line[: len(line) - len(line.lstrip(" "))]
            lines.insert(i, f"{indent}{draw(st.sampled_from(['when', 'rate', 'x', 'id']))}: "
                            f"{draw(_WORD)}")
    return "\n".join(lines)


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    """Random YAML-ish lines made of tokens and scenario keys."""
    keys = ["id", "title", "as_of", "horizon", "parameters", "state", "ladder", "actors",
            "outcomes", "variants", "options", "rate", "when", "effects", "value", "x"]
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        indent = "  " * draw(st.integers(0, 4))
        if draw(st.booleans()):
            lines.append(f"{indent}{draw(st.sampled_from(keys))}: {draw(_WORD)}")
        else:
            lines.append(f"{indent}{draw(st.sampled_from(['- ', '', '? ']))}{draw(_WORD)}")
    return "\n".join(lines)


class _Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (rather than hang the suite) when one example takes too long."""

    def interrupt(*_args: Any) -> None:
        raise _Hang(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_pipeline(path: Path, *, compile_variants: bool = True, record: bool = True
                   ) -> ScenarioFile:
    """The properties every input must satisfy."""
    # A hang guard, not a speed check: how fast validation is belongs in benchmarks.
    with time_limit(120):
        result = read_scenario(path)  # must not raise
        assert isinstance(result, ScenarioFile)
        for d in result.diagnostics:
            assert d.severity in ("error", "warning")
            assert d.line >= 0, d.format()
            assert d.column >= 0, d.format()
            assert d.message, d
            assert d.format().startswith(d.location)
        if not result.ok:
            assert any(d.severity == "error" for d in result.diagnostics)
        error: ScenarioError | None = None
        scenario: Scenario | None = None
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            error = exc
        if record:  # hypothesis statistics: how many mutants still load
            event("loads" if scenario is not None else "refused")
        if error is not None:
            assert not result.ok
            assert error.diagnostics
            assert error.format()
        else:
            assert result.ok
            assert isinstance(scenario, Scenario)
            assert scenario == result.scenario
            if compile_variants:  # a validated scenario always compiles
                for variant in ["baseline", *sorted(scenario.variants)]:
                    model = compile_model(scenario, variant)
                    assert model.variant == variant
    return result


FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def test_seeds_are_valid(work: Path) -> None:
    for i, text in enumerate(dict.fromkeys(SEEDS)):
        path = work / f"seed{i}.yaml"
        path.write_text(text, encoding="utf-8")
        result = check_pipeline(path, record=False)
        assert result.ok, "\n".join(d.format() for d in result.diagnostics)


@FUZZ
@given(text=mutated())
def test_mutated_scenarios(work: Path, text: str) -> None:
    path = work / "mutated.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check_pipeline(path)


@FUZZ
@given(text=token_soup())
def test_token_soup(work: Path, text: str) -> None:
    path = work / "soup.yaml"
    path.write_text(text, encoding="utf-8")
    check_pipeline(path)


@FUZZ
@given(data=st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=60).map(lambda b: MINI.encode()[:300] + b + MINI.encode()[300:]),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
))
def test_random_bytes(work: Path, data: bytes) -> None:
    path = work / "bytes.yaml"
    path.write_bytes(data)
    check_pipeline(path)


@FUZZ
@given(
    slot=st.sampled_from([
        ("rate: strike_rate * (2 - cooperation)", "rate: {}"),
        ("when: escalation >= covert", "when: {}"),
        ("chance: backlash", "chance: {}"),
        ("initial: 0.7,", "initial: {},"),
        ("idle_weight: 2", "idle_weight: {}"),
        ("value: 0.5 to 0.9", "value: {}"),
        ("after: 2 to 6 weeks", "after: {}"),
        ("horizon: 1 year", "horizon: {}"),
        ("every: 1 month", "every: {}"),
        ("calm_down: {rate: 2 per year", "calm_down: {{at: {}"),
        ("surveil: {weight: 1,", "surveil: {{weight: {},"),
        ("{strike_rate: 0.1% to 1% per month}", "{{strike_rate: {}}}"),
    ]),
    words=st.lists(_WORD, min_size=1, max_size=4),
    quote=st.booleans(),
)
def test_expression_slots(work: Path, slot: tuple[str, str], words: list[str],
                          quote: bool) -> None:
    """Tricky tokens where quantities and expressions go, quoted so YAML keeps them."""
    value = " ".join(words)
    if quote:
        value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    old, new = slot
    assert MINI.count(old) == 1
    path = work / "slot.yaml"
    path.write_text(MINI.replace(old, new.format(value)), encoding="utf-8")
    check_pipeline(path)
