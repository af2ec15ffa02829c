"""A griffe extension for the API reference: the package's docstrings are written for
``help()`` and doctest (reStructuredText roles, bare ``>>>`` examples); this renders them
in Markdown without changing them.

- ``:func:`name```, ``:class:`~pkg.Name``` … become code spans (``name``, ``Name``);
- a ``>>>`` example outside an *Examples* section becomes a fenced ``pycon`` block.
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _role(m: re.Match) -> str:
    target = m.group(2)
    return f"`{target.rsplit('.', 1)[-1] if m.group(1) else target}`"


def _fence_examples(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    in_examples = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() in ("Examples", "Example") and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
            in_examples = True
        elif i + 1 < len(lines) and lines[i + 1].strip() and set(lines[i + 1].strip()) == {"-"} and line.strip():
            in_examples = False  # another numpy section starts
        if not in_examples and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
                i += 1
            out += [f"{indent}```pycon", *[indent + b for b in block], f"{indent}```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class MarkdownDocstrings(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _fence_examples(_ROLE.sub(_role, obj.docstring.value))
