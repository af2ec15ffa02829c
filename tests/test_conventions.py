"""Project conventions a user meets first: python -m, LICENSE, CHANGELOG, CITATION.cff, and
no references to documents users do not have."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import petition_analysis as pa

ROOT = Path(__file__).resolve().parents[1]


def test_python_dash_m_is_the_command_line():
    r = subprocess.run([sys.executable, "-m", "petition_analysis", "--help"], capture_output=True, text=True,
                       timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: petition-analysis")
    for command in ("report", "batch", "clean", "headline", "synth"):
        assert command in r.stdout
    v = subprocess.run([sys.executable, "-m", "petition_analysis", "--version"], capture_output=True, text=True,
                       timeout=60, cwd=ROOT)
    assert v.returncode == 0 and pa.__version__ in v.stdout


def test_license_is_the_one_pyproject_declares():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["license"] == "MIT"
    assert "LICENSE" in meta["license-files"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_citation_cff():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for key in ("cff-version", "message", "title", "authors"):  # required by CFF 1.2.0
        assert cff.get(key), key
    assert cff["cff-version"] == "1.2.0"
    # CFF 1.2.0 allows no other top-level keys than these
    allowed = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
               "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
               "repository-artifact", "repository-code", "title", "type", "url", "version"}
    assert set(cff) <= allowed, set(cff) - allowed
    assert cff.get("type", "software") in ("software", "dataset")
    assert len(set(cff["keywords"])) == len(cff["keywords"])
    assert all(("name" in a) or ("family-names" in a) for a in cff["authors"])
    assert str(cff["version"]) == pa.__version__
    assert cff["license"] == "MIT"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog")
    assert "## [Unreleased]" in text
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text, flags=re.M)
    assert versions and versions[0][0] == pa.__version__  # the newest release is the package's version
    dates = [d for _, d in versions]
    assert dates == sorted(dates, reverse=True)
    for heading in re.findall(r"^### (.+)$", text, flags=re.M):
        assert heading in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def _user_facing_files():
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").rglob("*.md"))
    yield from sorted((ROOT / "petition_analysis").rglob("*.py"))


#: Users have the package, its docs and the README, not the project's internal design notes;
#: the source document is "a city's 2019 work summary (工作总结)".
FORBIDDEN = [
    (re.compile(r"DESIGN(\.md)?\b"), "the internal design document"),
    (re.compile(r"§\d"), "a section of the internal design document"),  # the docs' own sections are '§ 5'
    (re.compile(r"\bthe seed(?:'s| document)?\b(?! of)", re.I), "'the seed' for the source document"),
]


@pytest.mark.parametrize("path", list(_user_facing_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_to_documents_users_do_not_have(path):
    text = path.read_text(encoding="utf-8")
    problems = []
    for pattern, what in FORBIDDEN:
        for m in pattern.finditer(text):
            line = text[: m.start()].count("\n") + 1
            problems.append(f"line {line}: {what}: …{text[max(0, m.start() - 20): m.end() + 20]}…")
    assert not problems, "\n".join(problems)


def test_every_doc_a_help_text_cites_exists():
    from petition_analysis.cli import build_parser

    parser = build_parser()
    texts = [parser.format_help()]
    for action in parser._subparsers._group_actions:
        for sub in action.choices.values():
            texts.append(sub.format_help())
    cited = set(re.findall(r"docs/[\w./-]+\.md", "\n".join(texts)))
    for doc in cited:
        assert (ROOT / doc).exists(), doc
