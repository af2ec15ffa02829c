"""The package layout shows the pipeline: ingest → analysis → publish, never back up."""

from __future__ import annotations

import ast
from pathlib import Path

import petition_analysis

ROOT = Path(petition_analysis.__file__).parent
ORDER = {"ingest": 0, "analysis": 1, "publish": 2}


def _imported_modules(path: Path) -> set[str]:
    """Absolute names (``petition_analysis.x.y``) of every package module a file imports,
    at the top or inside a function."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
                names = [f"{mod}.{a.name}" for a in node.names] if not node.module else [mod]
            else:
                names = [node.module or ""]
            out.update(n for n in names if n.startswith("petition_analysis"))
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("petition_analysis"))
    return out


def test_no_import_runs_back_up_the_pipeline():
    offenders = []
    for stage, rank in ORDER.items():
        for path in (ROOT / stage).rglob("*.py"):
            for mod in _imported_modules(path):
                parts = mod.split(".")
                if len(parts) > 1 and parts[1] in ORDER and ORDER[parts[1]] > rank:
                    offenders.append(f"{path.relative_to(ROOT)} imports {mod}")
    assert not offenders, "\n".join(offenders)


def test_the_stages_exist_and_the_old_names_still_work():
    from petition_analysis import compare, reports

    assert compare.__name__ == "petition_analysis.analysis.compare"
    assert reports.__name__ == "petition_analysis.publish.reports"
    assert callable(petition_analysis.clean) and callable(petition_analysis.build_registry)
    for stage in ORDER:
        assert (ROOT / stage / "__init__.py").read_text(encoding="utf-8").startswith('"""')
