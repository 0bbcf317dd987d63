"""The public surface, pinned: what ``simulator`` and each subpackage export.

A change here is a change of geosim's API: update the README's "Python API" section
with it. Modules not listed are internal and may change without notice.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PUBLIC = {
    "simulator": {
        "Diagnostic", "GeosimError", "Results", "ResultsError", "RunError", "Scenario",
        "ScenarioError", "TextError", "UsageError", "__version__", "compile_model",
        "load_scenario", "read_scenario", "run",
    },
    "simulator.analysis": {
        "compare_scenario", "compare_variants", "discover", "escalation_paths", "explain",
        "global_indices", "signposts", "sobol_indices", "stories", "tornado",
        "what_if_scenario",
        # the types of the rows they return
        "CausalLink", "CompareRow", "Counterfactual", "CounterfactualOutcome", "DiscoveryBox",
        "DiscoveryCondition", "DivergencePoint", "EscalationPaths", "ExplainEvent",
        "Explanation", "GivenDataRow", "LeadTime", "OptionSequence", "OutcomePaths",
        "ParameterDraw", "PathDivergence", "RungSequence", "SignpostRow", "SobolRow",
        "StepMove", "Story", "StoryLine", "TornadoRow", "VariableChange",
    },
    "simulator.cli": {"main"},
    "simulator.engine": {"DEFAULT_ENGINE", "ChunkResult", "Engine", "engine_names",
                         "get_engine"},
    "simulator.forecast": {"build_record", "parse_resolution", "read_record",
                           "read_resolution", "resolution_template", "score",
                           "track_record", "write_record"},
    "simulator.loading": {"ScenarioFile", "load_scenario", "read_scenario"},
    "simulator.model": {"BASELINE", "Model", "check_scenario", "compile_model"},
    "simulator.report": {"build_report", "render"},
    "simulator.results": {"Results", "icd203_word", "wilson_interval"},
    "simulator.runner": {"DaskExecutor", "Executor", "SweepSpec", "load_sweep_spec", "run",
                         "run_sweep"},
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_exported_members(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    assert len(module.__all__) == len(set(module.__all__))  # no name listed twice
    for name in module.__all__:
        assert getattr(module, name) is not None, name
        assert name in dir(module), name


def test_every_exported_member_is_defined_in_the_package() -> None:
    # a public name is defined by geosim, not a re-exported library object
    for package, names in PUBLIC.items():
        module = importlib.import_module(package)
        for name in names - {"__version__", "DEFAULT_ENGINE", "BASELINE"}:
            origin = getattr(getattr(module, name), "__module__", "")
            assert origin.startswith("simulator"), (package, name, origin)


def test_an_unknown_name_is_an_attribute_error() -> None:
    import simulator.runner

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = simulator.runner.nope  # type: ignore[attr-defined]


def _readme_api_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's Python API section has no code"
    return "\n".join(blocks)


def test_the_readme_uses_only_the_public_surface() -> None:
    tree = ast.parse(_readme_api_block())
    used: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            used += [(node.module, alias.name) for alias in node.names]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "simulator"):
            used.append(("simulator", node.attr))
    assert used  # the parse found the API calls
    outside = [f"{m}.{n}" for m, n in used if n not in PUBLIC.get(m, set())]
    assert outside == []


def test_the_readme_names_every_error_class() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Python API", 1)[1]
    section = section.split("\n## ", 1)[0]
    errors = {n for n in PUBLIC["simulator"] if n.endswith("Error")}
    assert {n for n in errors if f"`{n}`" not in section
            and f"simulator.{n}" not in section} == set()


def test_the_readme_lists_each_subpackages_surface() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Python API", 1)[1]
    section = section.split("\n## ", 1)[0]
    missing = [f"{package}.{name}" for package, names in PUBLIC.items()
               if package != "simulator" for name in names
               if f"`{package}`" not in section or f"`{name}`" not in section]
    assert missing == []
