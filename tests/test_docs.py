"""The documentation's examples run, and the site's configuration lists pages that exist."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _nav_files(nav):
    for item in nav:
        if isinstance(item, str):
            yield item
        else:
            for value in item.values():
                yield from (_nav_files(value) if isinstance(value, list) else [value])


def test_every_nav_page_exists_or_is_generated():
    conf = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert conf["strict"] is True and conf["theme"]["font"] is False  # offline, warnings fail
    generated = set(re.findall(r'mkdocs_gen_files\.open\("([\w./-]+\.md)"', (ROOT / "docs/gen_pages.py").read_text()))
    for page in _nav_files(conf["nav"]):
        assert (ROOT / "docs" / page).exists() or page in generated, page


@pytest.mark.slow
def test_researcher_guide_code_runs(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    text = (ROOT / "docs/guide/researchers.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    monkeypatch.chdir(tmp_path)  # the guide saves a PNG
    ns: dict = {}
    for block in blocks:
        if block.lstrip().startswith("pa.compare_periods(df, \"2030\")"):
            # the errors the guide shows are the errors raised
            import petition_analysis as pa

            from petition_analysis.analysis import _checks

            lines = block.splitlines()
            calls = [i for i, line in enumerate(lines) if line.startswith("pa.")]
            for i in calls:
                # the comment under the call: "# ErrorName: the message's first words …"
                name, _, shown = lines[i + 1].removeprefix("# ").partition(": ")
                expected = getattr(_checks, name)  # the class the guide names, not any Exception
                start = shown.split("…")[0].strip()
                with pytest.raises(expected) as err:
                    eval(lines[i], ns)
                assert type(err.value) is expected and str(err.value).startswith(start), (lines[i], str(err.value))
            assert len(calls) == 3
            continue
        exec(compile(block, "researchers.md", "exec"), ns)
    assert (tmp_path / "geng_county.png").exists()


def test_batch_doc_lists_every_plan_key():
    """docs/batch.md (which `batch --help` cites) names every key a plan accepts."""
    from petition_analysis.publish.reports import batch

    text = (ROOT / "docs/batch.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(\w+)`", text))
    keys = set(batch._PLAN_KEYS) | set(batch._SCALAR_KEYS) | set(batch._GRID_KEYS)
    assert keys <= documented, sorted(keys - documented)


def test_the_site_refuses_external_resources():
    """The post-build hook fails the build on any page that would load something from
    outside the site (a CDN script, a web font, a remote image), and lets links through."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cjk_font", ROOT / "docs/_hooks/cjk_font.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    loads = ['<script src="https://cdn.example/require.js"></script>',
             '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">',
             '<img alt="" src="http://example.org/x.png">', "@font-face {src: url(https://x.example/f.woff)}"]
    fine = ['<a href="https://keepachangelog.com/">', '<img src="guide/geng_county.png">',
            '<script src="assets/javascripts/bundle.js"></script>']
    assert all(hook._EXTERNAL.search(t) for t in loads)
    assert not any(hook._EXTERNAL.search(t) for t in fine)


def _api_directives():
    """(page, object path, listed members or None) of every ``::: object`` in docs/api."""
    for page in sorted((ROOT / "docs/api").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"^::: ([\w.]+)\n((?:[ \t]+.*\n)*)", text, flags=re.M):
            options = yaml.safe_load(m.group(2)) if m.group(2).strip() else None
            members = ((options or {}).get("options") or {}).get("members")
            yield page.name, m.group(1), members if isinstance(members, list) else None


def test_every_api_page_documents_what_it_lists():
    """The API pages are built by static analysis (griffe): a package whose names load lazily
    (PEP 562) shows nothing unless it also imports them for type checkers. Every listed
    member resolves, and a module documented whole has public members."""
    griffe = pytest.importorskip("griffe")
    package = griffe.load("petition_analysis", search_paths=[str(ROOT)], resolve_aliases=True,
                          resolve_external=False)
    directives = list(_api_directives())
    assert len(directives) >= 15
    for page, path, members in directives:
        obj = package
        for part in path.split(".")[1:]:
            obj = obj.members[part]
        public = {n for n, m in obj.members.items() if not n.startswith("_")}
        if members is None:
            assert public, f"{page}: {path} has no public member to show"
        else:
            missing = [n for n in members if n not in obj.members]
            assert not missing, f"{page}: {path} lists {missing}, which static analysis cannot see"


@pytest.mark.parametrize("module", ["petition_analysis", "petition_analysis.synth", "petition_analysis.publish.reports"])
def test_lazy_names_are_imported_for_type_checkers_too(module):
    """A lazy package's ``if _TYPE_CHECKING:`` imports name exactly what ``_LAZY`` loads, so
    that the API docs and type checkers see the names the package gives at run time."""
    import ast
    import importlib
    import types

    mod = importlib.import_module(module)
    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "_TYPE_CHECKING")
    static = {}
    for node in block.body:
        for alias in node.names:
            static[alias.asname or alias.name] = (node.module or "", alias.name)
    assert set(static) == set(mod._LAZY)
    for name in mod._LAZY:  # the static import is the object the lazy one gives
        source, attr = static[name]
        home = importlib.import_module(f"{module}.{source}" if source else module)
        value = getattr(mod, name)
        if isinstance(value, types.ModuleType):  # `from . import periods`: the submodule itself
            assert value is importlib.import_module(f"{home.__name__}.{attr}"), name
        else:
            assert value is getattr(home, attr), name  # the lazy table and the static import agree
